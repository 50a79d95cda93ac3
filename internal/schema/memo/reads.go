package memo

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
)

// A field's leaf is read from the schema alone, without data. That is only the constraint a
// document's value meets when the field's declaration reads nothing from the document: with
// `mode: *"voluntary" | "forced"` beside `webhook_url?: =~"^\(mode)"`, the schema alone says
// webhook_url must start with "voluntary", a document with mode: forced says "forced". So a
// field whose value reads anything but kinds, builtins, imported packages and definitions
// that read nothing themselves is tainted (kept verbatim), the references reaching through
// definitions (`#URL: =~"^https://\(project_key)"`, `url?: #URL`).

// predeclared are CUE's predeclared identifiers: kinds and builtin functions.
var predeclared = map[string]bool{
	"_": true, "bool": true, "bytes": true, "float": true, "float32": true, "float64": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true, "int128": true,
	"number": true, "rune": true, "string": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uint128": true, "null": true, "true": true, "false": true,
	"and": true, "or": true, "close": true, "div": true, "len": true, "mod": true, "quo": true,
	"rem": true, "error": true, "matchN": true, "matchIf": true,
}

// taintDataReaders taints the label of a field whose value reads data (see above).
func (t *taintAnalysis) taintDataReaders(f *ast.Field) {
	if !t.readsData(f.Value) {
		return
	}
	if name, _, err := ast.LabelName(f.Label); err == nil {
		t.tainted[name] = true
	} else {
		t.opaque = true
	}
}

// readsData reports whether the value x gives a field may depend on the document. Fields
// nested in a struct value are their own declarations; what a struct embeds is the value's.
func (t *taintAnalysis) readsData(x ast.Expr) bool {
	switch x := x.(type) {
	case nil, *ast.BasicLit, *ast.BottomLit:
		return false
	case *ast.Ident:
		return t.identReadsData(x.Name)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && t.packages[id.Name] && !t.declared[id.Name] {
			return false // time.Format, strings.MinRunes, ...
		}
		return true // a field of a definition or a struct: whatever reaches it, assume data
	case *ast.StructLit:
		for _, d := range x.Elts {
			if e, ok := d.(*ast.EmbedDecl); ok && t.readsData(e.Expr) {
				return true
			}
		}
		return false
	case *ast.ListLit:
		return slices.ContainsFunc(x.Elts, t.readsData)
	case *ast.Ellipsis:
		return t.readsData(x.Type)
	case *ast.BinaryExpr:
		return t.readsData(x.X) || t.readsData(x.Y)
	case *ast.UnaryExpr:
		return t.readsData(x.X)
	case *ast.ParenExpr:
		return t.readsData(x.X)
	case *ast.CallExpr:
		return t.readsData(x.Fun) || slices.ContainsFunc(x.Args, t.readsData)
	case *ast.Interpolation:
		return slices.ContainsFunc(x.Elts, t.readsData)
	}
	return true // index and slice expressions, comprehensions, ...: assume so
}

// identReadsData: a definition reads what its values read; a predeclared identifier or a
// package reads nothing, unless some field, let, alias or comprehension variable anywhere is
// declared with its name (`let time = mode` shadows the package); anything else (a field, a
// hidden field, a let) is data.
func (t *taintAnalysis) identReadsData(name string) bool {
	switch {
	case strings.HasPrefix(name, "#"):
		if r, ok := t.defReads[name]; ok {
			return r
		}
		t.defReads[name] = true // a definition that refers to itself: assume it reads data
		r := false
		for _, v := range t.defs[name] {
			r = r || t.readsData(v)
		}
		t.defReads[name] = r
		return r
	case t.declared[name]:
		return true
	case predeclared[name] || t.packages[name]:
		return false
	}
	return true
}

// importNames collects the names imported packages go by.
func (t *taintAnalysis) importNames(files []*ast.File) {
	for _, f := range files {
		for _, d := range f.Decls {
			imp, ok := d.(*ast.ImportDecl)
			if !ok {
				continue
			}
			for _, s := range imp.Specs {
				if s.Name != nil {
					t.packages[s.Name.Name] = true
					continue
				}
				if p, err := strconv.Unquote(s.Path.Value); err == nil {
					if i := strings.LastIndex(p, ":"); i >= 0 {
						t.packages[p[i+1:]] = true // "example.com/x:name"
					} else {
						t.packages[path.Base(p)] = true
					}
				}
			}
		}
	}
}

// declaredNames collects every name a field, let, alias or comprehension variable is
// declared with, in any file: such a name may shadow a builtin or a package.
func (t *taintAnalysis) declaredNames(files []*ast.File) {
	add := func(id *ast.Ident) {
		if id != nil {
			t.declared[id.Name] = true
		}
	}
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Field:
				if name, _, err := ast.LabelName(n.Label); err == nil {
					t.declared[name] = true
				}
				if a, ok := n.Label.(*ast.Alias); ok {
					add(a.Ident)
				}
			case *ast.Alias:
				add(n.Ident)
			case *ast.LetClause:
				add(n.Ident)
			case *ast.ForClause:
				add(n.Key)
				add(n.Value)
			}
			return true
		}, nil)
	}
}
