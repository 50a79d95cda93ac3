package lint

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// inputValue converts a Rego input to an OPA value, leaving the documents (the values of `doc`
// keys: entry files, package files) as lazy objects. OPA converts a key's value the first time
// a rule reads it, so the parts of a team file that no rule reads (agent options, most
// settings) are never converted; converting every document in full was a sixth of a run.
// Values must be plain (model.Plain): the lazy conversion cannot report an error.
func inputValue(v any) (ast.Value, error) {
	switch x := v.(type) {
	case map[string]any:
		kvs := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			var ev ast.Value
			if m, ok := e.(map[string]any); ok && k == "doc" {
				ev = ast.LazyObject(m)
			} else {
				var err error
				if ev, err = inputValue(e); err != nil {
					return nil, err
				}
			}
			kvs = append(kvs, [2]*ast.Term{ast.StringTerm(k), ast.NewTerm(ev)})
		}
		return ast.NewObject(kvs...), nil
	case []any:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			ev, err := inputValue(e)
			if err != nil {
				return nil, err
			}
			terms[i] = ast.NewTerm(ev)
		}
		return ast.NewArray(terms...), nil
	}
	return ast.InterfaceToValue(v)
}

// docValue is a whole document as conftest policies see it, lazily converted likewise.
func docValue(doc any) (ast.Value, error) {
	if m, ok := doc.(map[string]any); ok {
		return ast.LazyObject(m), nil
	}
	return ast.InterfaceToValue(doc)
}
