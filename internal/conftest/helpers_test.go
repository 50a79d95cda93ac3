package conftest

import (
	"context"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// compile builds an engine from policy sources (file name → Rego v1 source).
func compile(t *testing.T, policies map[string]string, opts Options) *Engine {
	t.Helper()
	mods := map[string]*ast.Module{}
	for name, src := range policies {
		m, err := ParseModule(name, []byte(src), ast.RegoV1)
		if err != nil {
			t.Fatal(err)
		}
		mods[name] = m
	}
	e, err := New(context.Background(), mods, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// yamlDocs parses YAML files (name → text) in the order given.
func yamlDocs(t *testing.T, files ...string) []Document {
	t.Helper()
	var out []Document
	for i := 0; i+1 < len(files); i += 2 {
		docs, _, err := ParseYAML(files[i], []byte(files[i+1]))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, docs...)
	}
	return out
}

func check(t *testing.T, e *Engine, docs []Document) *Report {
	t.Helper()
	rep, err := e.Check(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, er := range rep.Errors {
		t.Errorf("unexpected error: %v", er)
	}
	return rep
}

// place renders a result's location as file:line:col-endcol (basis).
func place(r Result) string {
	l := r.Location
	return fmt.Sprintf("%s:%d:%d-%d (%s)", l.File, l.Start.Line, l.Start.Column, l.End.Column, r.Basis)
}
