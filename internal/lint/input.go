package lint

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// inputValue converts a Rego input to an OPA value whose objects below the top level are lazy:
// OPA converts a key's value the first time a rule reads it, so the parts of a team file that
// no rule reads (agent options, most settings) and the fields of records a rule skips are never
// converted; converting everything up front was a sixth of a run. OPA reads its data documents
// the same way. Values must be plain (model.Plain): the lazy conversion cannot report an error,
// and a lazy object must stay with one evaluation at a time (it caches what it converts).
func inputValue(input map[string]any) (ast.Value, error) {
	kvs := make([][2]*ast.Term, 0, len(input))
	for k, e := range input {
		ev, err := lazyValue(e)
		if err != nil {
			return nil, err
		}
		kvs = append(kvs, [2]*ast.Term{ast.StringTerm(k), ast.NewTerm(ev)})
	}
	return ast.NewObject(kvs...), nil
}

func lazyValue(v any) (ast.Value, error) {
	switch x := v.(type) {
	case map[string]any:
		return ast.LazyObject(x), nil
	case []any:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			ev, err := lazyValue(e)
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
