package conftest

import (
	"testing"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  template:
    spec:
      securityContext:
        runAsUser: 0
      containers:
      - name: app
        image: nginx:1.27
      - name: sidecar
        image: busybox:latest
        securityContext:
          privileged: true
`

// Each policy is a plain conftest policy, unchanged; the finding must point at the field
// the rule tested.
func TestLocateTestedField(t *testing.T) {
	cases := []struct {
		name, policy, want string
	}{
		{"image tag through some-in and endswith", `package main
import rego.v1
deny contains msg if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("container %s uses :latest", [c.name])
}`, "d.yaml:17:16-30 (field)"},
		{"missing field under not points at its deepest existing ancestor", `package main
import rego.v1
deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := "containers must not run as root"
}`, "d.yaml:11:7-22 (field)"},
		{"helper rule and a variable from a package-level rule", `package main
import rego.v1
name := input.metadata.name
is_deployment if input.kind = "Deployment"
deny contains msg if {
	is_deployment
	input.spec.replicas > 2
	msg := sprintf("%s has too many replicas", [name])
}`, "d.yaml:8:13-14 (field)"},
		{"function taking the container", `package main
import rego.v1
privileged(c) if c.securityContext.privileged == true
deny contains msg if {
	c := input.spec.template.spec.containers[_]
	privileged(c)
	msg := sprintf("%s is privileged", [c.name])
}`, "d.yaml:19:23-27 (field)"},
		{"negated helper: the label it found missing", `package main
import rego.v1
has_labels if {
	input.metadata.labels.app
	input.metadata.labels.team
}
deny contains msg if {
	not has_labels
	msg := "labels app and team are required"
}`, "d.yaml:5:3-9 (field)"},
		{"count of a list", `package main
import rego.v1
warn contains msg if {
	count(input.spec.template.spec.containers) > 1
	msg := "more than one container"
}`, "d.yaml:13:7-17 (field)"},
		{"object result with metadata, violation", `package main
import rego.v1
violation contains {"msg": msg, "details": {"user": u}} if {
	u := input.spec.template.spec.securityContext.runAsUser
	u == 0
	msg := "runs as root"
}`, "d.yaml:12:20-21 (field)"},
		{"a rule that reads no field: the document's first line", `package main
import rego.v1
warn contains "every document is checked"`, "d.yaml:1:1-11 (document)"},
		{"every over containers", `package main
import rego.v1
deny contains msg if {
	every c in input.spec.template.spec.containers { not c.securityContext.runAsNonRoot }
	msg := "no container sets runAsNonRoot"
}`, "d.yaml:18:9-24 (field)"},
		{"a comprehension's tested element", `package main
import rego.v1
deny contains msg if {
	bad := [c.name | some c in input.spec.template.spec.containers; c.securityContext.privileged]
	count(bad) > 0
	msg := sprintf("privileged: %v", [bad])
}`, "d.yaml:19:23-27 (field)"},
		// More shapes found in the wild.
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
