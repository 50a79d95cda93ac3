package conftest

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// tracer rebuilds derivations from OPA's trace. OPA evaluates in continuation-passing
// style: when an expression succeeds, the rest of its body runs inside that success, so at
// the moment a rule body exits, every expression of the body holds the solution it is part
// of, and every rule or function it called that is still "exited" (not yet redone) produced
// it. The tracer keeps, per query, the expressions being evaluated (an Eval of expression k
// drops the frames of expression k and later ones: they belonged to an abandoned attempt) and
// the queries each one started; at each exit of a body of the rule being located it collects
// the input fields that derivation read.
type tracer struct {
	compiler *ast.Compiler
	in       *input
	target   string // the located rule's path, e.g. data.main.deny
	root     *query
	queries  map[uint64]*query
	// For rules without arguments, whose values OPA caches within an evaluation: the fields
	// their latest successful body read, the queries of their bodies (for a rule found
	// undefined under a not), and where a complete rule's value came from.
	ruleReads   map[string][]read
	ruleQueries map[string][]*query
	ruleValues  map[string][]source
	// ruleElems: for partial set rules, where each element came from.
	ruleElems map[string][]element
	// results are the values the located rule produced, each with the reads of its first
	// derivation.
	results []derivation
}

// element is a value a partial set rule produced and where it came from.
type element struct {
	value   ast.Value
	sources []source
}

// derivation is a value the located rule produced and the fields its derivation read.
type derivation struct {
	value ast.Value
	reads []read
}

// derivation returns the reads of the derivation that produced v, nil when none did.
func (t *tracer) derivation(v ast.Value) []read {
	for _, d := range t.results {
		if ast.Compare(d.value, v) == 0 {
			return d.reads
		}
	}
	return nil
}

// query is one evaluation of a body: the located rule's, a rule or function it calls, a not,
// a comprehension or an every.
type query struct {
	parent *query
	node   ast.Node // *ast.Rule, ast.Body, or the *ast.Expr of an every
	key    string   // for a rule: its path
	frames []*frame
	exited bool          // a solution of it is being used
	locals *ast.ValueMap // bindings at its latest Eval, Fail or Exit
	reads  []read        // of its latest solution
	all    []read        // of all its solutions (comprehensions and every visit each)
}

// frame is an expression of a query with the queries its evaluation started.
type frame struct {
	expr     *ast.Expr
	bound    map[ast.Var]bool // variables already bound when it started
	children []*query
}

// source is where a value came from: a path in the input; direct when the value is the value
// at path (not computed from it).
type source struct {
	path   []any
	direct bool
}

// maxReads bounds the reads kept of all the solutions of one comprehension or every.
const maxReads = 4096

func newTracer(c *ast.Compiler, in *input, target ast.Ref) *tracer {
	return &tracer{compiler: c, in: in, target: target.String(), queries: map[uint64]*query{},
		ruleReads: map[string][]read{}, ruleQueries: map[string][]*query{}, ruleValues: map[string][]source{},
		ruleElems: map[string][]element{},
	}
}

func (t *tracer) Enabled() bool { return true }

func (t *tracer) Config() topdown.TraceConfig { return topdown.TraceConfig{PlugLocalVars: true} }

func (t *tracer) TraceEvent(ev topdown.Event) {
	q := t.queries[ev.QueryID]
	switch ev.Op {
	case topdown.EnterOp:
		if q != nil && q.isSelf(ev.Node) {
			q.frames = nil
			return
		}
		q = &query{node: ev.Node, parent: t.queries[ev.ParentID]}
		if t.root == nil {
			t.root, q.parent = q, nil
		}
		t.queries[ev.QueryID] = q
		if p := q.parent; p != nil && len(p.frames) > 0 {
			f := p.frames[len(p.frames)-1]
			f.children = append(f.children, q)
		}
		if r, ok := ev.Node.(*ast.Rule); ok {
			q.key = r.Path().String()
			if len(r.Head.Args) == 0 {
				qs := append(t.ruleQueries[q.key], q)
				if len(qs) > 16 {
					qs = qs[1:]
				}
				t.ruleQueries[q.key] = qs
			}
		}
	case topdown.EvalOp:
		expr, ok := ev.Node.(*ast.Expr)
		if q == nil || !ok {
			return
		}
		for n := len(q.frames); n > 0 && q.frames[n-1].expr.Index >= expr.Index; n-- {
			q.frames = q.frames[:n-1]
		}
		f := &frame{expr: expr, bound: map[ast.Var]bool{}}
		if ev.Locals != nil {
			ev.Locals.Iter(func(k, _ ast.Value) bool {
				if v, ok := k.(ast.Var); ok {
					f.bound[v] = true
				}
				return false
			})
		}
		q.frames = append(q.frames, f)
		q.locals = ev.Locals
	case topdown.FailOp:
		if q != nil {
			q.locals = ev.Locals
		}
	case topdown.ExitOp:
		if q == nil || !q.isSelf(ev.Node) {
			return
		}
		q.exited, q.locals = true, ev.Locals
		q.reads = t.successReads(q)
		if len(q.all) < maxReads { // a comprehension over a huge list: enough to choose from
			q.all = append(q.all, q.reads...)
		}
		if r, ok := ev.Node.(*ast.Rule); ok {
			t.ruleExited(q, r, ev)
		}
	case topdown.RedoOp:
		if q != nil && q.isSelf(ev.Node) {
			q.exited = false
		}
	}
}

// isSelf: n is the node the query evaluates (its Enter, Exit and Redo), not one of its
// expressions.
func (q *query) isSelf(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.Rule, ast.Body:
		return true
	case *ast.Expr:
		e, ok := q.node.(*ast.Expr)
		return ok && e == x
	}
	return false
}

// ruleExited records what a rule's successful body read, and for the located rule, which
// values this derivation produced.
func (t *tracer) ruleExited(q *query, r *ast.Rule, ev topdown.Event) {
	if len(r.Head.Args) == 0 {
		t.ruleReads[q.key] = q.reads
		if r.Head.Key == nil && r.Head.Value != nil {
			t.ruleValues[q.key] = t.sources(r.Head.Value, q.locals, t.provenance(q, q.locals))
		}
		if r.Head.Key != nil && r.Head.Value == nil {
			t.ruleElems[q.key] = append(t.ruleElems[q.key], element{value: ev.Plug(r.Head.Key).Value,
				sources: t.sources(r.Head.Key, q.locals, t.provenance(q, q.locals))})
		}
	}
	if q.parent != t.root || q.key != t.target {
		return
	}
	head := r.Head.Key
	if head == nil {
		head = r.Head.Value
	}
	if head == nil {
		return
	}
	v := ev.Plug(head).Value
	put := func(x ast.Value) {
		if t.derivation(x) == nil {
			t.results = append(t.results, derivation{value: x, reads: q.reads})
		}
	}
	if r.Head.Key == nil { // a complete rule: each element of its array or set is a result
		switch c := v.(type) {
		case *ast.Array:
			c.Foreach(func(x *ast.Term) { put(x.Value) })
			return
		case ast.Set:
			c.Foreach(func(x *ast.Term) { put(x.Value) })
			return
		}
	}
	put(v)
}

// successReads are the fields read by the solution q holds now.
func (t *tracer) successReads(q *query) []read {
	prov := t.provenance(q, q.locals)
	var out []read
	for _, f := range q.frames {
		out = append(out, t.frameReads(q, f, prov, true)...)
	}
	return out
}

// failureReads are the fields read by q's last attempt, which failed: the expressions that
// held, and the one that did not, whose fields count as tested (a field missing under a not
// is what the rule is about).
func (t *tracer) failureReads(q *query) []read {
	prov := t.provenance(q, q.locals)
	var out []read
	for i, f := range q.frames {
		last := i == len(q.frames)-1
		rs := t.frameReads(q, f, prov, !last)
		if last {
			rs = tested(rs)
		}
		out = append(out, rs...)
	}
	return out
}

func tested(rs []read) []read {
	out := make([]read, len(rs))
	for i, r := range rs {
		out[i] = read{path: r.path, test: true}
	}
	return out
}

// frameReads are the fields an expression read: through the queries it started (or, for a
// rule OPA had cached, that rule's recorded reads), then its own terms. ok: it held.
func (t *tracer) frameReads(q *query, f *frame, prov map[ast.Var][]source, ok bool) []read {
	var out []read
	if f.expr.Negated { // held: its body failed; did not hold: its body succeeded
		for _, c := range f.children {
			if _, isBody := c.node.(ast.Body); !isBody {
				continue
			}
			if ok {
				out = append(out, tested(t.failureReads(c))...)
			} else if c.exited {
				out = append(out, tested(c.reads)...)
			}
		}
		return out
	}
	entered := map[string]bool{}
	for _, c := range f.children {
		switch {
		case c.key != "":
			entered[c.key] = true
			if c.exited {
				out = append(out, c.reads...)
			} else if !ok {
				out = append(out, t.failureReads(c)...)
			}
		default: // a comprehension or an every: what all its solutions read
			if _, every := c.node.(*ast.Expr); every {
				// every's domain exits only after the rest of the body ran: its bodies
				// (one per element) are its frame's children.
				out = append(out, t.successReads(c)...)
			}
			out = append(out, c.all...)
			if !ok && !c.exited {
				out = append(out, t.failureReads(c)...)
			}
		}
	}
	for _, key := range t.cachedRules(f.expr, entered) {
		if ok {
			out = append(out, t.ruleReads[key]...)
			continue
		}
		for _, c := range t.ruleQueries[key] {
			if !c.exited {
				out = append(out, t.failureReads(c)...)
			}
		}
	}
	return append(out, t.ownReads(q, f, prov)...)
}

// cachedRules are the argument-free rules an expression refers to that it did not evaluate
// (OPA had their value already).
func (t *tracer) cachedRules(expr *ast.Expr, entered map[string]bool) []string {
	var keys []string
	ast.WalkRefs(expr, func(r ast.Ref) bool {
		if !r.HasPrefix(ast.DefaultRootRef) {
			return false
		}
		for k := len(r); k >= 2; k-- {
			key := r[:k].String()
			if _, ok := t.ruleQueries[key]; ok {
				if !entered[key] {
					keys = append(keys, key)
				}
				break
			}
		}
		return false
	})
	return keys
}

// ownReads are the fields an expression's own terms read, classified: an equality or call
// that binds a fresh variable only reads its operands; any other expression tests them.
func (t *tracer) ownReads(q *query, f *frame, prov map[ast.Var][]source) []read {
	var terms []*ast.Term
	test := true
	switch {
	case f.expr.IsEquality():
		a, b := f.expr.Operand(0), f.expr.Operand(1)
		switch {
		case f.fresh(a):
			terms, test = []*ast.Term{b}, false
		case f.fresh(b):
			terms, test = []*ast.Term{a}, false
		default:
			terms = []*ast.Term{a, b}
		}
	case f.expr.IsCall():
		terms = f.expr.Operands()
		if n := len(terms); n > 0 && t.hasOutput(f.expr) && f.fresh(terms[n-1]) {
			terms, test = terms[:n-1], false
		}
		if got, ok := t.objectGet(f.expr, q.locals, prov); ok {
			var out []read
			for _, s := range got {
				out = append(out, read{path: s.path, test: test})
			}
			return out
		}
	default:
		if term, ok := f.expr.Terms.(*ast.Term); ok {
			terms = []*ast.Term{term}
		}
	}
	var out []read
	for _, term := range terms {
		for _, s := range t.sources(term, q.locals, prov) {
			out = append(out, read{path: s.path, test: test})
		}
	}
	return out
}

// fresh: term is a variable the expression binds (unbound when it started).
func (f *frame) fresh(term *ast.Term) bool {
	v, ok := term.Value.(ast.Var)
	return ok && !f.bound[v]
}

// hasOutput: the call passes one argument more than its function takes (the output).
func (t *tracer) hasOutput(expr *ast.Expr) bool {
	op := expr.Operator()
	args := len(expr.Operands())
	if b, ok := ast.BuiltinMap[op.String()]; ok && b.Decl != nil {
		return args > len(b.Decl.FuncArgs().Args)
	}
	if rules := t.compiler.GetRulesExact(op); len(rules) > 0 {
		return args > len(rules[0].Head.Args)
	}
	return false
}
