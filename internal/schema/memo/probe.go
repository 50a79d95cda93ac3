package memo

import (
	"regexp"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
)

// Comprehension conditions mostly ask two things of a field: is it there
// (`if deadline == _|_ {...}`), and does its value pass a constant test
// (`if (minimum_version & !="") != _|_`, `if type != "patch"`). Neither needs the exact
// value: presence is in the memo key already (keys are kept verbatim), and a test's result
// can be put in the key beside the value's token. So a name used only in such tests is not
// tainted; its tests become probes, and a replaced value carries one bit per probe. Names
// kept verbatim before made every team with its own deadline a memo miss: 10,000 teams with
// 1,400 different deadlines took 3.7 instead of 2.4 s.

// probe is one constant test of a field's value: equal to a literal (token.EQL), or a
// constraint `x & C` with C one of !=, =~, !~, <, <=, >, >= a literal.
type probe struct {
	op    token.Token
	isStr bool
	str   string
	num   int64
	re    *regexp.Regexp
}

// holds says whether v passes p; ok is false when p is not decided here for v (a value of
// another kind than the literal's), and v must then be kept verbatim.
func (p probe) holds(v any) (result, ok bool) {
	switch v := v.(type) {
	case string:
		if !p.isStr {
			return false, false
		}
		switch p.op {
		case token.EQL:
			return v == p.str, true
		case token.NEQ:
			return v != p.str, true
		case token.MAT:
			return p.re.MatchString(v), true
		case token.NMAT:
			return !p.re.MatchString(v), true
		}
	case int64:
		if p.isStr || p.re != nil {
			return false, false
		}
		switch p.op {
		case token.EQL:
			return v == p.num, true
		case token.NEQ:
			return v != p.num, true
		case token.LSS:
			return v < p.num, true
		case token.LEQ:
			return v <= p.num, true
		case token.GTR:
			return v > p.num, true
		case token.GEQ:
			return v >= p.num, true
		}
	}
	return false, false
}

// condition follows an if-clause's condition: existence tests and constant tests of a field
// (see above) record probes; anything else taints every name in it.
func (t *taintAnalysis) condition(x ast.Expr) {
	switch c := x.(type) {
	case *ast.ParenExpr:
		t.condition(c.X)
		return
	case *ast.UnaryExpr:
		if c.Op == token.NOT {
			t.condition(c.X)
			return
		}
	case *ast.BinaryExpr:
		switch c.Op {
		case token.LAND, token.LOR:
			t.condition(c.X)
			t.condition(c.Y)
			return
		case token.EQL, token.NEQ:
			if t.comparison(c.X, c.Y) || t.comparison(c.Y, c.X) {
				return
			}
		}
	}
	t.expr(x, false)
}

// comparison recognises `field == _|_`, `(field & C) == _|_` and `field == literal` (each also
// with !=), recording the probe the last two make.
func (t *taintAnalysis) comparison(subject, other ast.Expr) bool {
	subject = unparen(subject)
	if _, bottom := other.(*ast.BottomLit); bottom {
		if _, ok := fieldName(subject); ok {
			return true
		}
		b, ok := subject.(*ast.BinaryExpr)
		if !ok || b.Op != token.AND {
			return false
		}
		for _, pair := range [][2]ast.Expr{{b.X, b.Y}, {b.Y, b.X}} {
			name, isField := fieldName(unparen(pair[0]))
			if !isField {
				continue
			}
			if listShape(unparen(pair[1])) {
				t.lengthTested[name] = true
				return true // decided by the list's length, which the key holds
			}
			if p, ok := constraintProbe(unparen(pair[1])); ok {
				t.addProbe(name, p)
				return true
			}
		}
		return false
	}
	name, isField := fieldName(subject)
	lit, isLit := unparen(other).(*ast.BasicLit)
	if !isField || !isLit {
		return false
	}
	p, ok := literalProbe(lit, token.EQL)
	if ok {
		t.addProbe(name, p)
	}
	return ok
}

func (t *taintAnalysis) addProbe(name string, p probe) {
	for _, q := range t.probes[name] {
		if q.op == p.op && q.isStr == p.isStr && q.str == p.str && q.num == p.num {
			return
		}
	}
	t.probes[name] = append(t.probes[name], p)
}

// fieldName is the name of a data field referenced by x: an identifier that is not hidden,
// a definition or a kind.
func fieldName(x ast.Expr) (string, bool) {
	id, ok := x.(*ast.Ident)
	if !ok || id.Name == "" || strings.HasPrefix(id.Name, "_") || strings.HasPrefix(id.Name, "#") || bareKind(id) {
		return "", false
	}
	switch id.Name {
	case "null", "true", "false", "top", "bottom":
		return "", false
	}
	return id.Name, true
}

// listShape reports a list constraint on the length alone: [_, _, ...] or [...].
func listShape(c ast.Expr) bool {
	l, ok := c.(*ast.ListLit)
	if !ok {
		return false
	}
	for i, e := range l.Elts {
		switch e := e.(type) {
		case *ast.Ident:
			if e.Name != "_" {
				return false
			}
		case *ast.Ellipsis:
			if i != len(l.Elts)-1 {
				return false
			}
			if id, isIdent := e.Type.(*ast.Ident); e.Type != nil && (!isIdent || id.Name != "_") {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// hiddenLabel reports a hidden field's label (_name).
func hiddenLabel(l ast.Label) bool {
	id, ok := l.(*ast.Ident)
	return ok && len(id.Name) > 1 && strings.HasPrefix(id.Name, "_") && !strings.HasPrefix(id.Name, "_#")
}

// constraintProbe reads C of `x & C`: a literal, or a unary constraint on one.
func constraintProbe(c ast.Expr) (probe, bool) {
	switch c := c.(type) {
	case *ast.BasicLit:
		return literalProbe(c, token.EQL)
	case *ast.UnaryExpr:
		lit, ok := c.X.(*ast.BasicLit)
		if !ok {
			return probe{}, false
		}
		switch c.Op {
		case token.NEQ, token.MAT, token.NMAT, token.LSS, token.LEQ, token.GTR, token.GEQ:
			return literalProbe(lit, c.Op)
		}
	}
	return probe{}, false
}

// literalProbe makes the probe `op lit` for a string or a decimal int literal.
func literalProbe(lit *ast.BasicLit, op token.Token) (probe, bool) {
	switch lit.Kind {
	case token.STRING:
		s, err := literal.Unquote(lit.Value)
		if err != nil {
			return probe{}, false
		}
		p := probe{op: op, isStr: true, str: s}
		switch op {
		case token.EQL, token.NEQ:
		case token.MAT, token.NMAT:
			if p.re, err = regexp.Compile(s); err != nil {
				return probe{}, false
			}
		default:
			return probe{}, false // string ordering is left to CUE
		}
		return p, true
	case token.INT:
		n, err := strconv.ParseInt(lit.Value, 10, 64)
		if err != nil || op == token.MAT || op == token.NMAT {
			return probe{}, false
		}
		return probe{op: op, num: n}, true
	}
	return probe{}, false
}

func unparen(x ast.Expr) ast.Expr {
	for {
		p, ok := x.(*ast.ParenExpr)
		if !ok {
			return x
		}
		x = p.X
	}
}
