package policy

import (
	"context"
	"slices"
	"testing"
)

// A batch of documents reaches the rules as input.documents beside input.kind and the shared
// keys; a document that cannot be converted is left out and named, the others still checked.
func TestEvaluateDocuments(t *testing.T) {
	e, err := engineFor(t, Options{Kind: KindKubernetes}, `# METADATA
# title: Documents seen
# description: Reports every document it is given.
# custom:
#   id: org-seen
#   kind: kubernetes
#   severity: warning
package tollgate.rules.org_seen

report contains {"msg": sprintf("%s %s shared by %v", [input.kind, d.name, input.shared]), "file": d.file, "document": d.index} if {
	some d in input.documents
}
`)
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.NewDocumentsInput("kubernetes", map[string]any{"shared": []any{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	docs := []map[string]any{
		{"file": "x.yaml", "index": 0, "name": "web"},
		{"file": "x.yaml", "index": 1, "name": "bad", "doc": make(chan int)}, // no OPA value
		{"file": "y.yaml", "index": 0, "name": "db"},
	}
	rs, fs, bad := e.EvaluateDocuments(context.Background(), in, docs)
	if len(fs) != 0 {
		t.Errorf("findings: %v", fs)
	}
	if len(bad) != 1 || bad[0].Index != 1 || bad[0].Err == nil {
		t.Errorf("unconvertible documents: got %+v, want index 1 with its error", bad)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.File+": "+r.Message)
	}
	slices.Sort(got)
	want := []string{`x.yaml: kubernetes web shared by ["a", "b"]`, `y.yaml: kubernetes db shared by ["a", "b"]`}
	if !slices.Equal(got, want) {
		t.Errorf("results:\n got %q\nwant %q", got, want)
	}
}
