package lint

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// The README's Kubernetes quick start lints testdata/examples/kubernetes: an Argo CD
// Application and the Kustomize directory it syncs, with one mistake of each sort the kind
// finds (structure, a bundled rule's error, two of its warnings), each at its line.
func TestKubernetesExample(t *testing.T) {
	res, err := Run(context.Background(), Options{Targets: []string{"../../testdata/examples/kubernetes"}, Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kube == nil || len(res.Kube.Docs) != 3 {
		t.Fatalf("want the example's 3 manifests read as Kubernetes documents, got %+v", res.Kube)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, fmt.Sprintf("%s:%d:%d %s %s", f.Location.File, f.Location.Start.Line, f.Location.Start.Column, f.Severity, f.RuleID))
	}
	want := []string{
		"apps/guestbook/deployment.yaml:6:3 error schema-unknown-key",
		"apps/guestbook/deployment.yaml:17:18 error k8s-image-not-pinned",
		"argocd/guestbook.yaml:8:12 warning argocd-default-project",
		"argocd/guestbook.yaml:17:5 warning argocd-auto-sync-no-self-heal",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}
}
