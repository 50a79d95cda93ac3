package conftest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// Policies as a platform engineer writes them for conftest (after its kubernetes example),
// unchanged, on real manifests: every finding must point at the line and column of the field
// its rule tested.
const corpusPolicy = `package main
import rego.v1

workload if input.kind in {"Deployment", "StatefulSet", "DaemonSet"}

containers contains c if {
	workload
	some c in input.spec.template.spec.containers
}

deny contains msg if {
	workload
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s %s: the pod must set securityContext.runAsNonRoot", [input.kind, input.metadata.name])
}

deny contains msg if {
	some c in containers
	not contains(c.image, "@sha256:")
	msg := sprintf("container %s: image %s is not pinned to a digest", [c.name, c.image])
}

warn contains msg if {
	some c in containers
	not c.resources.limits
	msg := sprintf("container %s has no resource limits", [c.name])
}

warn contains msg if {
	some c in containers
	c.imagePullPolicy == "Always"
	msg := sprintf("container %s pulls its image on every start", [c.name])
}

warn contains msg if {
	workload
	input.spec.replicas < 2
	msg := sprintf("%s runs a single replica", [input.metadata.name])
}

warn contains msg if {
	input.kind == "Service"
	some p in input.spec.ports
	not p.name
	msg := sprintf("service %s: port %v has no name", [input.metadata.name, p.port])
}

deny contains msg if {
	input.kind == "ClusterRole"
	some r in input.rules
	"secrets" in r.resources
	"delete" in r.verbs
	msg := sprintf("cluster role %s may delete secrets", [input.metadata.name])
}
`

func TestCorpusFindingsPointAtTheTestedField(t *testing.T) {
	root := sharedtest.Path(t, "corpora-kubernetes/gitops-certification-examples")
	e := compile(t, map[string]string{"policy.rego": corpusPolicy}, Options{})
	want := map[string][]string{
		"simple-app/deployment.yml": {
			"simple-app/deployment.yml:15:5-9 (field) deny: Deployment simple-deployment: the pod must set securityContext.runAsNonRoot",
			"simple-app/deployment.yml:18:16-64 (field) deny: container webserver-simple: image docker.io/kostiscodefresh/gitops-simple-app:v1.0 is not pinned to a digest",
			"simple-app/deployment.yml:17:9-13 (field) warn: container webserver-simple has no resource limits",
			"simple-app/deployment.yml:7:13-14 (field) warn: simple-deployment runs a single replica",
		},
		"kustomize-apps/base/deployment.yaml": {
			"kustomize-apps/base/deployment.yaml:13:5-9 (field) deny: Deployment my-deployment: the pod must set securityContext.runAsNonRoot",
			"kustomize-apps/base/deployment.yaml:16:16-67 (field) deny: container my-container: image docker.io/kostiscodefresh/gitops-kustomize-app:v1.0 is not pinned to a digest",
			"kustomize-apps/base/deployment.yaml:15:9-13 (field) warn: container my-container has no resource limits",
			"kustomize-apps/base/deployment.yaml:19:26-32 (field) warn: container my-container pulls its image on every start",
			"kustomize-apps/base/deployment.yaml:8:13-14 (field) warn: my-deployment runs a single replica",
		},
		"sealed-controller-28/controller.yaml": {
			"sealed-controller-28/controller.yaml:33:16-66 (field) deny: container sealed-secrets-controller: image docker.io/bitnami/sealed-secrets-controller:0.28.0 is not pinned to a digest",
			"sealed-controller-28/controller.yaml:29:9-13 (field) warn: container sealed-secrets-controller has no resource limits",
			"sealed-controller-28/controller.yaml:12:13-14 (field) warn: sealed-secrets-controller runs a single replica",
			"sealed-controller-28/controller.yaml:84:5-9 (field) warn: service sealed-secrets-controller-metrics: port 8081 has no name",
			"sealed-controller-28/controller.yaml:299:5-9 (field) warn: service sealed-secrets-controller: port 8080 has no name",
			"sealed-controller-28/controller.yaml:394:3-8 (field) deny: cluster role secrets-unsealer may delete secrets",
		},
	}
	for file, wantResults := range want {
		t.Run(file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
			if err != nil {
				t.Fatal(err)
			}
			docs, notes, err := ParseYAML(file, src)
			if err != nil || len(notes) > 0 {
				t.Fatalf("parse: %v %v", err, notes)
			}
			rep := check(t, e, docs)
			var got []string
			for _, r := range rep.Results {
				got = append(got, place(r)+" "+r.Rule+": "+r.Message)
			}
			slices.Sort(got)
			slices.Sort(wantResults)
			if !slices.Equal(got, wantResults) {
				t.Errorf("got:\n%s\nwant:\n%s", lines(got), lines(wantResults))
			}
		})
	}
}

func lines(ss []string) string {
	out := ""
	for _, s := range ss {
		out += "  " + s + "\n"
	}
	return out
}
