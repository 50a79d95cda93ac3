package conftest

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// More policy shapes found in the wild, each located at the field it tested.
func TestLocateMoreShapes(t *testing.T) {
	cases := []struct {
		name, policy, want string
	}{
		{"a partial set of images", `package main
import rego.v1
images contains img if {
	some c in input.spec.template.spec.containers
	img := c.image
}
deny contains msg if {
	some img in images
	endswith(img, ":latest")
	msg := sprintf("%s uses latest", [img])
}`, "d.yaml:17:16-30 (field)"},
		{"object.get with a default", `package main
import rego.v1
warn contains "too many replicas" if object.get(input, ["spec", "replicas"], 1) > 2`, "d.yaml:8:13-14 (field)"},
		{"object.get of a missing key", `package main
import rego.v1
warn contains "no team label" if object.get(input.metadata.labels, "team", "") == ""`, "d.yaml:5:3-9 (field)"},
		{"else chain", `package main
import rego.v1
level := "high" if input.spec.template.spec.securityContext.runAsUser == 0
else := "low"
deny contains "root user" if level == "high"`, "d.yaml:12:20-21 (field)"},
		{"walk over containers with a helper function returning a value", `package main
import rego.v1
tag(image) := t if {
	parts := split(image, ":")
	t := parts[count(parts) - 1]
}
deny contains msg if {
	c := input.spec.template.spec.containers[_]
	tag(c.image) == "latest"
	msg := "latest tag"
}`, "d.yaml:17:16-30 (field)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := compile(t, map[string]string{"p.rego": tc.policy}, Options{})
			rep := check(t, e, yamlDocs(t, "d.yaml", deployment))
			if len(rep.Results) != 1 {
				t.Fatalf("want one result, got %+v", rep.Results)
			}
			if got := place(rep.Results[0]); got != tc.want {
				t.Errorf("located at %s (path %v), want %s", got, rep.Results[0].Path, tc.want)
			}
		})
	}
}

func TestRegoV0Policy(t *testing.T) {
	m, err := ParseModule("p.rego", []byte(`package main
deny[msg] {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := "root"
}`), ast.RegoV0)
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), map[string]*ast.Module{"p.rego": m}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := check(t, e, yamlDocs(t, "d.yaml", deployment))
	if len(rep.Results) != 1 || place(rep.Results[0]) != "d.yaml:11:7-22 (field)" {
		t.Errorf("results %+v", rep.Results)
	}
}
