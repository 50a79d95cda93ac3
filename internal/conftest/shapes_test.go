package conftest

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

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
