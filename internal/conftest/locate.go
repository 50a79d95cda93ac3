package conftest

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// locate turns the items a rule query returned into results placed in their documents. The
// query is evaluated once more with a tracer (only for rules that fired on this input), which
// reconstructs, for each value the rule produced, the derivation that produced it and the
// input fields it read (see derivation.go); the field chosen is the one the rule tested that
// lies deepest in the document.
func (e *Engine) locate(ctx context.Context, query string, in *input, docs []Document, fired []item, ns, rule string, kind Kind) []Result {
	var t *tracer
	if locatable(in, docs) {
		if in.paths == nil {
			in.paths = indexPaths(in.value)
		}
		t = newTracer(e.compiler, in, ruleRef(ns, rule))
		if _, err := e.eval(ctx, query, in, t); err != nil {
			t = nil
		}
	}
	out := make([]Result, 0, len(fired))
	for _, it := range fired {
		r := Result{Kind: kind, Namespace: ns, Rule: rule, Message: it.message, Metadata: it.metadata, Basis: BasisDocument}
		var path []any
		if t != nil {
			if v, err := ast.InterfaceToValue(it.value); err == nil {
				path = choose(t.derivation(v))
			}
		}
		doc, docPath := in.document, path
		if in.document < 0 { // a combined input: path is [i, "contents", …]
			doc, docPath = in.members[0], nil
			if len(path) > 0 {
				if k, ok := path[0].(int); ok && k < len(in.members) {
					doc = in.members[k]
					if len(path) > 2 && path[1] == "contents" {
						docPath = path[2:]
					}
				}
			}
		}
		r.Document = doc
		switch {
		case it.policy != nil:
			r.Basis = BasisPolicy
			r.Location = policyPlace(it.policy, docs[doc])
		case len(docPath) > 0:
			r.Basis = BasisField
			r.Path = docPath
			r.Location = docLocation(docs[doc], docPath)
		default:
			r.Location = docLocation(docs[doc], nil)
		}
		out = append(out, r)
	}
	return out
}

// locatable: some document of the input can map a path to a place.
func locatable(in *input, docs []Document) bool {
	if in.document >= 0 {
		return docs[in.document].Locate != nil
	}
	for _, m := range in.members {
		if docs[m].Locate != nil {
			return true
		}
	}
	return false
}

// policyPlace is the place a result's _loc names: its file (the document's when it names
// none) and line.
func policyPlace(p *policyLocation, d Document) finding.Location {
	file := p.file
	if file == "" {
		file = d.File
	}
	pos := finding.Position{Line: max(p.line, 1), Column: 1}
	return finding.Location{File: file, Start: pos, End: pos}
}

// read is an input field a derivation read.
type read struct {
	path []any
	// test: the derivation compared or checked the value (or found it missing under a not),
	// rather than only binding it to a variable or building a message from it.
	test bool
}

// choose picks the field a result is about: the deepest one the derivation tested (the
// latest of equally deep ones), else the deepest one it read; nil when it read none.
func choose(reads []read) []any {
	for _, tests := range []bool{true, false} {
		best := -1
		for i, r := range reads {
			if r.test != tests || len(r.path) == 0 {
				continue
			}
			if best < 0 || len(r.path) >= len(reads[best].path) {
				best = i
			}
		}
		if best >= 0 {
			return reads[best].path
		}
	}
	return nil
}

func ruleRef(ns, rule string) ast.Ref {
	r, err := ast.ParseRef(ruleQuery(ns, rule))
	if err != nil {
		return nil
	}
	return r
}
