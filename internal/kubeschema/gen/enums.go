package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// The published OpenAPI spec carries no enums, but k8s.io/api marks the string types whose
// values the API server checks with +enum (or +k8s:enum), and openapi-gen turns them into
// enums. scanEnums does what openapi-gen's enum support does: it reads the Go source of
// k8s.io/api, collects each enum type's typed string constants in its package, and finds the
// struct fields of that type by their JSON names.

// fieldUse is one struct field whose type is an enum type.
type fieldUse struct {
	component string // OpenAPI name of the struct, io.k8s.api.core.v1.Container
	property  string // JSON name of the field
	shape     string // "" for the value itself, "list" for []T, "map" for map[string]T
	enum      string // pkgpath.TypeName of the enum type
}

type enumSet struct {
	values map[string][]string // pkgpath.TypeName → allowed values, sorted
	uses   []fieldUse
	inline map[string][]string // component → components inlined into it (json:",inline")
}

func scanEnums(apiDir string) (*enumSet, error) {
	es := &enumSet{values: map[string][]string{}, inline: map[string][]string{}}
	byDir := map[string][]string{}
	err := filepath.WalkDir(apiDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != apiDir && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") &&
			!strings.HasPrefix(name, "zz_generated") && !strings.HasSuffix(name, ".pb.go") {
			byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, dir := range sortedKeys(byDir) {
		rel, err := filepath.Rel(apiDir, dir)
		if err != nil {
			return nil, err
		}
		pkg := "k8s.io/api/" + filepath.ToSlash(rel)
		if err := es.scanPackage(pkg, byDir[dir]); err != nil {
			return nil, err
		}
	}
	if len(es.values) == 0 {
		return nil, fmt.Errorf("no +enum types in %s", apiDir)
	}
	return es, nil
}

func (es *enumSet) scanPackage(pkg string, files []string) error {
	fset := token.NewFileSet()
	var parsed []*ast.File
	enumTypes := map[string]bool{}
	slices.Sort(files)
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		parsed = append(parsed, af)
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				if id, ok := ts.Type.(*ast.Ident); ok && id.Name == "string" && isEnum(doc) {
					enumTypes[ts.Name.Name] = true
				}
			}
		}
	}
	values := map[string][]string{}
	for _, af := range parsed {
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok || !enumTypes[id.Name] || len(vs.Values) != len(vs.Names) {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					if s, err := strconv.Unquote(lit.Value); err == nil && !slices.Contains(values[id.Name], s) {
						values[id.Name] = append(values[id.Name], s)
					}
				}
			}
		}
	}
	for t, vals := range values {
		slices.Sort(vals)
		es.values[pkg+"."+t] = vals
	}
	component := "io.k8s.api." + strings.ReplaceAll(strings.TrimPrefix(pkg, "k8s.io/api/"), "/", ".")
	for _, af := range parsed {
		imports := importsOf(af)
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				es.scanStruct(component+"."+ts.Name.Name, pkg, imports, st)
			}
		}
	}
	return nil
}

func (es *enumSet) scanStruct(comp, pkg string, imports map[string]string, st *ast.StructType) {
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			continue
		}
		jsonTag, ok := reflect.StructTag(tag).Lookup("json")
		if !ok {
			continue
		}
		name, opts, _ := strings.Cut(jsonTag, ",")
		typ, shape := f.Type, ""
		if p, ok := typ.(*ast.StarExpr); ok {
			typ = p.X
		}
		switch t := typ.(type) {
		case *ast.ArrayType:
			typ, shape = t.Elt, "list"
		case *ast.MapType:
			typ, shape = t.Value, "map"
		}
		ref := typeRef(typ, pkg, imports)
		if ref == "" {
			continue
		}
		if name == "" && strings.Contains(","+opts+",", ",inline,") {
			if strings.HasPrefix(ref, "k8s.io/api/") {
				es.inline[comp] = append(es.inline[comp], componentName(ref))
			}
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		es.uses = append(es.uses, fieldUse{component: comp, property: name, shape: shape, enum: ref})
	}
}

// typeRef is pkgpath.Name for a named type expression, "" for anything else.
func typeRef(e ast.Expr, pkg string, imports map[string]string) string {
	switch t := e.(type) {
	case *ast.Ident:
		if ast.IsExported(t.Name) {
			return pkg + "." + t.Name
		}
	case *ast.SelectorExpr:
		if x, ok := t.X.(*ast.Ident); ok {
			if path, ok := imports[x.Name]; ok {
				return path + "." + t.Sel.Name
			}
		}
	}
	return ""
}

func importsOf(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, is := range f.Imports {
		path, _ := strconv.Unquote(is.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if is.Name != nil {
			name = is.Name.Name
		}
		out[name] = path
	}
	return out
}

// componentName turns k8s.io/api/core/v1.PodSpec into io.k8s.api.core.v1.PodSpec.
func componentName(ref string) string {
	i := strings.LastIndex(ref, ".")
	return "io.k8s.api." + strings.ReplaceAll(strings.TrimPrefix(ref[:i], "k8s.io/api/"), "/", ".") + ref[i:]
}

func isEnum(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		t := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
		if t == "+enum" || t == "+k8s:enum" {
			return true
		}
	}
	return false
}

// apply adds the enums to the components that use an enum type, following inlined structs,
// and returns "component.property" for each field it found in the spec.
func (es *enumSet) apply(components map[string]any) map[string]bool {
	done := map[string]bool{}
	for _, u := range es.uses {
		vals, ok := es.values[u.enum]
		if !ok {
			continue
		}
		for _, comp := range es.inlinedInto(u.component) {
			c, ok := components[comp].(map[string]any)
			if !ok {
				continue
			}
			props, _ := c["properties"].(map[string]any)
			p, ok := props[u.property].(map[string]any)
			if !ok {
				continue
			}
			target := p
			switch u.shape {
			case "list":
				target, _ = p["items"].(map[string]any)
			case "map":
				target, _ = p["additionalProperties"].(map[string]any)
			}
			if target == nil || target["type"] != "string" {
				continue
			}
			enum := make([]any, len(vals))
			for i, v := range vals {
				enum[i] = v
			}
			target["enum"] = enum
			done[u.component+"."+u.property] = true
		}
	}
	return done
}

// inlinedInto is comp and every component that inlines it, directly or not.
func (es *enumSet) inlinedInto(comp string) []string {
	out := []string{comp}
	for i := 0; i < len(out); i++ {
		for _, parent := range sortedKeys(es.inline) {
			if slices.Contains(es.inline[parent], out[i]) && !slices.Contains(out, parent) {
				out = append(out, parent)
			}
		}
	}
	return out
}

// unused lists the enum fields of structs that are in the spec but whose field was not
// patched: a sign that the Go source and the spec come from different releases.
func (es *enumSet) unused(patched map[string]bool, seen map[string]bool) []string {
	var out []string
	for _, u := range es.uses {
		if _, isEnum := es.values[u.enum]; !isEnum || !seen[u.component] {
			continue
		}
		if k := u.component + "." + u.property; !patched[k] && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
