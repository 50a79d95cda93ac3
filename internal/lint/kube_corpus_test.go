package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// trueKubeErrors are the error-level findings on the real Kubernetes repositories that are
// true, each with its reason: file:line rule.
var trueKubeErrors = map[string]map[string]string{
	"flux2-multi-tenancy": {},
	"gitops-certification-examples": {
		"secret-app/never-commit-to-git/unsealed_secrets/db-creds.yml:7 k8s-secret-plaintext":    "a plain Secret committed on purpose to show what never to commit (the directory says so); its value is base64, not encrypted",
		"secret-app/never-commit-to-git/unsealed_secrets/db-creds.yml:8 k8s-secret-plaintext":    "the same Secret's password",
		"secret-app/never-commit-to-git/unsealed_secrets/db-creds.yml:9 k8s-secret-plaintext":    "the same Secret's user name",
		"secret-app/never-commit-to-git/unsealed_secrets/paypal-cert.yml:7 k8s-secret-plaintext": "a TLS certificate in a plain Secret, committed beside the sealed one the example deploys",
	},
}

// The real Kubernetes GitOps repositories lint with no error-level finding that is not true,
// nothing is reported inside a Helm chart but the note that it is skipped, and every finding
// has a real position. With --render the overlays build and add no error.
func TestKubernetesCorpora(t *testing.T) {
	base := sharedtest.Path(t, "corpora-kubernetes")
	for name, want := range trueKubeErrors {
		for _, render := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/render=%v", name, render), func(t *testing.T) {
				dir := filepath.Join(base, name)
				res, err := Run(context.Background(), Options{Targets: []string{dir}, Now: fixtureNow, Kube: KubeOptions{Render: render}})
				if err != nil {
					t.Fatal(err)
				}
				if res.Kube == nil || len(res.Kube.Docs) == 0 {
					t.Fatal("no Kubernetes documents were read")
				}
				var got []string
				for _, f := range res.Findings {
					if f.Location.Start.Line < 1 || f.Location.Start.Column < 1 {
						t.Errorf("finding without a position: %s", f)
					}
					if chart := chartOf(dir, f.Location.File); chart != "" && f.Location.File != chart+"/Chart.yaml" {
						t.Errorf("finding inside the Helm chart %s: %s", chart, f)
					}
					if f.Severity != finding.Error {
						continue
					}
					key := fmt.Sprintf("%s:%d %s", f.Location.File, f.Location.Start.Line, f.RuleID)
					got = append(got, key)
					if _, ok := want[key]; !ok {
						t.Errorf("error-level finding not known to be true: %s", f)
					}
				}
				for key := range want {
					if !slices.Contains(got, key) {
						t.Errorf("true finding %s is no longer reported", key)
					}
				}
			})
		}
	}
}

// chartOf is the Helm chart directory (one holding Chart.yaml) that file lies in, or "".
func chartOf(repo, file string) string {
	for d := filepath.Dir(filepath.FromSlash(file)); d != "." && d != string(filepath.Separator); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(repo, d, "Chart.yaml")); err == nil {
			return filepath.ToSlash(d)
		}
	}
	return ""
}
