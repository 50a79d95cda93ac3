package conftest

import "github.com/open-policy-agent/opa/v1/ast"

// Where values come from: a derivation's expressions bind variables from references into the
// input, from rules and from one another; these functions follow the bindings back to the
// input's fields.

// provenance maps the variables q's expressions bound to where their values came from,
// given the bindings locals. The bodies of not, comprehensions and every see their enclosing
// query's variables too (and their bindings hold the enclosing query's).
func (t *tracer) provenance(q *query, locals *ast.ValueMap) map[ast.Var][]source {
	prov := map[ast.Var][]source{}
	if _, isRule := q.node.(*ast.Rule); !isRule && q.parent != nil {
		for k, v := range t.provenance(q.parent, locals) {
			prov[k] = v
		}
	}
	for _, f := range q.frames {
		switch {
		case f.expr.Negated:
		case f.expr.IsEquality():
			a, b := f.expr.Operand(0), f.expr.Operand(1)
			if f.fresh(a) {
				prov[a.Value.(ast.Var)] = t.sources(b, locals, prov)
			} else if f.fresh(b) {
				prov[b.Value.(ast.Var)] = t.sources(a, locals, prov)
			}
		case f.expr.IsCall():
			args := f.expr.Operands()
			if got, ok := t.objectGet(f.expr, locals, prov); ok && t.hasOutput(f.expr) && f.fresh(args[len(args)-1]) {
				prov[args[len(args)-1].Value.(ast.Var)] = got
			} else if n := len(args); n > 0 && t.hasOutput(f.expr) && f.fresh(args[n-1]) {
				var derived []source
				for _, a := range args[:n-1] {
					for _, s := range t.sources(a, locals, prov) {
						derived = append(derived, source{path: s.path})
					}
				}
				prov[args[n-1].Value.(ast.Var)] = derived
			}
		}
	}
	return prov
}

// sources says where a term's value came from in the input: a reference into input, a
// variable bound from one (by an earlier expression, or holding an object or array of the
// input itself, as function arguments do), a rule whose value came from one, or a composite
// built of such terms.
func (t *tracer) sources(term *ast.Term, locals *ast.ValueMap, prov map[ast.Var][]source) []source {
	switch x := term.Value.(type) {
	case ast.Var:
		if p, ok := t.identity(locals, x); ok {
			return []source{{path: p, direct: true}}
		}
		return prov[x]
	case ast.Ref:
		return t.refSources(x, locals, prov)
	case *ast.Array:
		var out []source
		x.Foreach(func(e *ast.Term) { out = append(out, derived(t.sources(e, locals, prov))...) })
		return out
	case ast.Object:
		var out []source
		x.Foreach(func(_, v *ast.Term) { out = append(out, derived(t.sources(v, locals, prov))...) })
		return out
	case ast.Call:
		var out []source
		for _, a := range x[1:] {
			out = append(out, derived(t.sources(a, locals, prov))...)
		}
		return out
	}
	return nil
}

func derived(ss []source) []source {
	out := make([]source, len(ss))
	for i, s := range ss {
		out[i] = source{path: s.path}
	}
	return out
}

// refSources resolves a reference's base (input, a variable, a rule) and appends its
// remaining elements with their bound values; an element it cannot plug ends the path there.
func (t *tracer) refSources(r ast.Ref, locals *ast.ValueMap, prov map[ast.Var][]source) []source {
	var bases []source
	rest := r[1:]
	switch {
	case r[0].Equal(ast.InputRootDocument):
		bases = []source{{path: []any{}, direct: true}}
	case r[0].Equal(ast.DefaultRootDocument):
		for k := len(r); k >= 2 && bases == nil; k-- {
			key := r[:k].String()
			if s, ok := t.ruleValues[key]; ok {
				bases, rest = s, r[k:]
			} else if elems, ok := t.ruleElems[key]; ok && k < len(r) {
				bases, rest = t.elementSources(elems, r[k], locals), r[k+1:]
			}
		}
	default:
		bases = t.sources(r[0], locals, prov)
	}
	var out []source
	for _, b := range bases {
		if !b.direct {
			if len(rest) == 0 {
				out = append(out, b)
			} else {
				out = append(out, source{path: b.path})
			}
			continue
		}
		out = append(out, t.extend(b, rest, locals))
	}
	return out
}

// extend appends the values of keys to a direct source's path; a key it cannot plug ends the
// path there (no longer direct: it is a field above the value).
func (t *tracer) extend(b source, keys []*ast.Term, locals *ast.ValueMap) source {
	path := append([]any{}, b.path...)
	for _, el := range keys {
		k, ok := t.key(el, locals)
		if !ok {
			return source{path: path}
		}
		path = append(path, k)
	}
	return source{path: path, direct: true}
}

// key is a reference element's value as a path element: an object key or an array index.
func (t *tracer) key(el *ast.Term, locals *ast.ValueMap) (any, bool) {
	v := el.Value
	if x, ok := v.(ast.Var); ok {
		if locals == nil {
			return nil, false
		}
		if v = locals.Get(x); v == nil {
			return nil, false
		}
	}
	switch x := v.(type) {
	case ast.String:
		return string(x), true
	case ast.Number:
		if i, ok := x.Int(); ok {
			return i, true
		}
	}
	return nil, false
}

// identity finds a variable's value among the input's objects and arrays: evaluation passes
// the input's own values around, so one found there is that field.
func (t *tracer) identity(locals *ast.ValueMap, v ast.Var) ([]any, bool) {
	if locals == nil {
		return nil, false
	}
	val := locals.Get(v)
	switch val.(type) {
	case ast.Object, *ast.Array:
		p, ok := t.in.paths[val]
		return p, ok
	}
	return nil, false
}

// elementSources are the sources of the element of a partial set that el selects.
func (t *tracer) elementSources(elems []element, el *ast.Term, locals *ast.ValueMap) []source {
	v := el.Value
	if x, ok := v.(ast.Var); ok && locals != nil {
		v = locals.Get(x)
	}
	if v == nil {
		return nil
	}
	for _, e := range elems {
		if ast.Compare(e.value, v) == 0 {
			return e.sources
		}
	}
	return nil
}

// objectGet resolves object.get(obj, key or [keys...], default): the value at obj's path
// extended by the keys (or the default when it is missing: the path is still what was tested).
func (t *tracer) objectGet(expr *ast.Expr, locals *ast.ValueMap, prov map[ast.Var][]source) ([]source, bool) {
	args := expr.Operands()
	if expr.Operator().String() != "object.get" || len(args) < 3 {
		return nil, false
	}
	var keys []*ast.Term
	k := args[1].Value
	if x, ok := k.(ast.Var); ok && locals != nil {
		k = locals.Get(x)
	}
	switch x := k.(type) {
	case *ast.Array:
		x.Foreach(func(e *ast.Term) { keys = append(keys, e) })
	case ast.String, ast.Number:
		keys = []*ast.Term{ast.NewTerm(x)}
	default:
		return nil, false
	}
	var out []source
	for _, b := range t.sources(args[0], locals, prov) {
		if !b.direct {
			continue
		}
		out = append(out, t.extend(b, keys, locals))
	}
	return out, true
}
