package memo

import (
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// taintAnalysis finds the field names whose values may matter beyond their own constraint
// (see the package comment), from the CUE source of all schemas. Names are taken without
// regard to where they occur: a name tainted anywhere is kept verbatim everywhere.
type taintAnalysis struct {
	tainted map[string]bool
	probes  map[string][]probe // names only tested by comprehension conditions: the tests
	// lengthTested are names of lists whose emptiness a condition tests (split.go).
	lengthTested map[string]bool
	defs         map[string][]ast.Expr // definition name → values (for comprehension bodies)
	opaque       bool                  // a construct this analysis does not follow
	// packages are the names imported packages go by; defReads says whether a definition
	// reads data (reads.go).
	packages map[string]bool
	defReads map[string]bool
	declared map[string]bool // names declared anywhere (reads.go)
	visited  map[string]bool
}

// valueBuiltins look at no value inside a list or struct beyond counting.
var valueBuiltins = map[string]bool{
	"error": true, "close": true, "len": true,
	"strings.MaxRunes": true, "strings.MinRunes": true, "time.Format": true,
	"list.MinItems": true, "list.MaxItems": true, "struct.MinFields": true, "struct.MaxFields": true,
}

func newTaintAnalysis() *taintAnalysis {
	return &taintAnalysis{tainted: map[string]bool{}, probes: map[string][]probe{}, lengthTested: map[string]bool{}, defs: map[string][]ast.Expr{},
		packages: map[string]bool{}, defReads: map[string]bool{}, declared: map[string]bool{}}
}

func (t *taintAnalysis) run(files []*ast.File) {
	t.importNames(files)
	t.declaredNames(files)
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			if fl, ok := n.(*ast.Field); ok {
				if name, _, err := ast.LabelName(fl.Label); err == nil && strings.HasPrefix(name, "#") {
					t.defs[name] = append(t.defs[name], fl.Value)
				}
			}
			return true
		}, nil)
	}
	for _, f := range files {
		for _, d := range f.Decls {
			t.decl(d, false)
		}
	}
}

func (t *taintAnalysis) decl(d ast.Decl, cond bool) {
	switch d := d.(type) {
	case *ast.Field:
		t.label(d.Label, d.Value, cond)
		t.taintDataReaders(d)
		if !cond && hiddenLabel(d.Label) {
			// A hidden field is no data: its value only feeds conditions, and is read like one
			// (`_any: (labels_include_any & [_, ...]) != _|_`).
			t.condition(d.Value)
			return
		}
		t.expr(d.Value, cond)
	case *ast.EmbedDecl:
		t.expr(d.Expr, cond)
	case *ast.Comprehension:
		t.comprehension(d)
	case *ast.LetClause:
		t.expr(d.Expr, cond)
	case *ast.Attribute, *ast.CommentGroup, *ast.ImportDecl, *ast.Package:
	case *ast.Ellipsis:
		t.expr(d.Type, cond)
	default:
		t.opaque = true
	}
}

// label records a field declared in a comprehension body (cond) with more than a kind.
func (t *taintAnalysis) label(l ast.Label, value ast.Expr, cond bool) {
	switch l := l.(type) {
	case *ast.Ident:
		if cond && !bareKind(value) {
			t.tainted[l.Name] = true
		}
	case *ast.BasicLit:
		if cond && !bareKind(value) {
			name, _, err := ast.LabelName(l)
			if err != nil {
				t.opaque = true
				return
			}
			t.tainted[name] = true
		}
	default: // dynamic labels, pattern constraints, aliases
		if cond {
			t.opaque = true
		}
		if _, isAlias := l.(*ast.Alias); isAlias {
			t.opaque = true
			return
		}
		t.expr(l.(ast.Expr), cond)
	}
}

func bareKind(x ast.Expr) bool {
	id, ok := x.(*ast.Ident)
	if !ok {
		return false
	}
	switch id.Name {
	case "string", "int", "bool", "number", "_":
		return true
	}
	return false
}

func (t *taintAnalysis) comprehension(c *ast.Comprehension) {
	for _, cl := range c.Clauses {
		switch cl := cl.(type) {
		case *ast.IfClause:
			t.condition(cl.Condition)
		case *ast.ForClause:
			// Its variables hold values of the document under names this analysis cannot
			// follow (`for k, v in features if v == true`): no value may be replaced.
			t.opaque = true
			t.expr(cl.Source, false)
		case *ast.LetClause:
			t.expr(cl.Expr, false)
		default:
			t.opaque = true
		}
	}
	t.expr(c.Value, true)
}

// expr taints every name referenced in x; with cond, x is (part of) a comprehension body.
func (t *taintAnalysis) expr(x ast.Expr, cond bool) {
	switch x := x.(type) {
	case nil:
	case *ast.Ident:
		t.tainted[x.Name] = true
		if cond && strings.HasPrefix(x.Name, "#") {
			t.conditionalDef(x.Name)
		}
	case *ast.BasicLit, *ast.BottomLit:
	case *ast.StructLit:
		for _, d := range x.Elts {
			t.decl(d, cond)
		}
	case *ast.ListLit:
		for _, e := range x.Elts {
			t.expr(e, cond)
		}
	case *ast.Ellipsis:
		t.expr(x.Type, cond)
	case *ast.BinaryExpr:
		// The arms of a disjunction apply depending on the data, like a comprehension body.
		or := cond || x.Op == token.OR
		t.expr(x.X, or)
		t.expr(x.Y, or)
	case *ast.UnaryExpr:
		t.expr(x.X, cond)
	case *ast.ParenExpr:
		t.expr(x.X, cond)
	case *ast.SelectorExpr:
		t.expr(x.X, cond)
		if name, _, err := ast.LabelName(x.Sel); err == nil {
			t.tainted[name] = true
			if cond && strings.HasPrefix(name, "#") {
				t.conditionalDef(name)
			}
		}
	case *ast.IndexExpr:
		t.expr(x.X, cond)
		t.expr(x.Index, cond)
	case *ast.SliceExpr:
		t.expr(x.X, cond)
		t.expr(x.Low, cond)
		t.expr(x.High, cond)
	case *ast.CallExpr:
		if !valueBuiltins[callName(x.Fun)] {
			t.opaque = true
		}
		t.expr(x.Fun, cond)
		for _, a := range x.Args {
			t.expr(a, cond)
		}
	case *ast.Interpolation:
		for _, e := range x.Elts {
			t.expr(e, cond)
		}
	case *ast.Comprehension:
		t.comprehension(x)
	default:
		t.opaque = true
	}
}

// conditionalDef treats the definition name, used in a comprehension body, as a body too.
func (t *taintAnalysis) conditionalDef(name string) {
	if t.visited == nil {
		t.visited = map[string]bool{}
	}
	if t.visited[name] {
		return
	}
	t.visited[name] = true
	for _, v := range t.defs[name] {
		t.expr(v, true)
	}
}

func callName(f ast.Expr) string {
	switch f := f.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if pkg, ok := f.X.(*ast.Ident); ok {
			name, _, _ := ast.LabelName(f.Sel)
			return pkg.Name + "." + name
		}
	}
	return ""
}
