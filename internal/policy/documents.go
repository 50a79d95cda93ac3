package policy

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// DocumentsInput is the input of a kind whose rules read a list of documents (the Kubernetes
// kind: internal/kubelint): input.kind and the parts every batch of documents shares,
// converted to OPA values once for the run.
type DocumentsInput struct {
	kind   *ast.Term
	shared map[string]*ast.Term
	converter
}

// NewDocumentsInput converts the shared parts of a documents input: kind is input.kind, shared
// the other top-level keys beside input.documents (plain values, model.Plain).
func (e *Engine) NewDocumentsInput(kind string, shared map[string]any) (*DocumentsInput, error) {
	in := &DocumentsInput{kind: ast.StringTerm(kind), shared: make(map[string]*ast.Term, len(shared))}
	for k, v := range shared {
		val, err := in.value(v)
		if err != nil {
			return nil, err
		}
		in.shared[k] = ast.NewTerm(val)
	}
	return in, nil
}

// DocumentError is a document that cannot be converted for the rules: it is left out of
// input.documents, and its caller places the error.
type DocumentError struct {
	Index int // in the docs passed to EvaluateDocuments
	Err   error
}

// EvaluateDocuments runs every tollgate rule on one batch of documents (plain values) with the
// shared parts of in, as Evaluate does a job's. It may be called concurrently with one in.
func (e *Engine) EvaluateDocuments(ctx context.Context, in *DocumentsInput, docs []map[string]any) ([]Result, []finding.Finding, []DocumentError) {
	list := make([]*ast.Term, 0, len(docs))
	var bad []DocumentError
	for i, d := range docs {
		v, err := in.value(d)
		if err != nil {
			bad = append(bad, DocumentError{Index: i, Err: err})
			continue
		}
		list = append(list, ast.NewTerm(v))
	}
	obj := ast.NewObject(
		ast.Item(ast.StringTerm("kind"), in.kind),
		ast.Item(ast.StringTerm("documents"), ast.ArrayTerm(list...)),
	)
	for k, t := range in.shared {
		obj.Insert(ast.StringTerm(k), t)
	}
	rs, fs := e.eval(ctx, evalInputs{input: obj})
	return rs, fs, bad
}
