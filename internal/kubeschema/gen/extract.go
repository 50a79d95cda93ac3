package gen

import (
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/token"
	"cuelang.org/go/encoding/jsonschema"
)

// schemaKeysOf lists, for a JSON Schema keyword, how its value holds subschemas, so the walks
// below visit schemas only (a property may well be named "description").
var (
	mapOfSchemas  = []string{"properties", "patternProperties", "definitions", "$defs"}
	oneSchema     = []string{"items", "additionalProperties", "not", "additionalItems"}
	listOfSchemas = []string{"allOf", "anyOf", "oneOf"}
)

// dropped are schema keywords that change nothing a manifest is checked for and would only
// make the generated CUE larger: prose, examples, and hints for server-side apply.
var dropped = []string{"description", "example", "externalDocs", "title",
	"x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-map-type",
	"x-kubernetes-patch-merge-key", "x-kubernetes-patch-strategy", "x-kubernetes-validations"}

// walkSchema calls fn on s and on every subschema below it, depth first.
func walkSchema(s any, fn func(map[string]any)) {
	m, ok := s.(map[string]any)
	if !ok {
		return
	}
	fn(m)
	for _, k := range mapOfSchemas {
		if sub, ok := m[k].(map[string]any); ok {
			for _, name := range sortedKeys(sub) {
				walkSchema(sub[name], fn)
			}
		}
	}
	for _, k := range oneSchema {
		walkSchema(m[k], fn)
	}
	for _, k := range listOfSchemas {
		if l, ok := m[k].([]any); ok {
			for _, sub := range l {
				walkSchema(sub, fn)
			}
		}
	}
}

// strip removes the keywords in dropped from every schema under s, and the anyOf/oneOf that
// CRDs put beside x-kubernetes-int-or-string (it says the same).
func strip(s any) {
	walkSchema(s, func(m map[string]any) {
		for _, k := range dropped {
			delete(m, k)
		}
		if m["x-kubernetes-int-or-string"] == true {
			for _, k := range []string{"anyOf", "oneOf"} {
				if onlyIntOrString(m[k]) {
					delete(m, k)
				}
			}
		}
	})
}

// openPreserved writes x-kubernetes-preserve-unknown-fields on an object schema with no
// properties as additionalProperties: true, which CUE's importer reads in Kubernetes API mode
// too (it honours the extension only in CRD mode). As in the API server, the extension reaches
// down through items and additionalProperties until a schema declares properties.
func openPreserved(s any, inherited bool) {
	m, ok := s.(map[string]any)
	if !ok {
		return
	}
	preserve := inherited || m["x-kubernetes-preserve-unknown-fields"] == true
	_, hasProps := m["properties"]
	_, hasAdditional := m["additionalProperties"]
	if preserve && !hasProps && !hasAdditional && m["type"] == "object" {
		m["additionalProperties"] = true
	}
	if hasProps {
		preserve = false
	}
	for _, k := range mapOfSchemas {
		if sub, ok := m[k].(map[string]any); ok {
			for _, name := range sortedKeys(sub) {
				openPreserved(sub[name], false)
			}
		}
	}
	for _, k := range oneSchema {
		openPreserved(m[k], preserve)
	}
	for _, k := range listOfSchemas {
		if l, ok := m[k].([]any); ok {
			for _, sub := range l {
				openPreserved(sub, preserve)
			}
		}
	}
}

// onlyIntOrString reports whether alts is a list of {type: integer} and {type: string}.
func onlyIntOrString(alts any) bool {
	l, ok := alts.([]any)
	if !ok || len(l) == 0 {
		return false
	}
	for _, a := range l {
		m, ok := a.(map[string]any)
		if !ok || len(m) != 1 || (m["type"] != "integer" && m["type"] != "string") {
			return false
		}
	}
	return true
}

// refsOf lists the component names that schemas under s refer to with $ref.
func refsOf(s any) []string {
	var out []string
	walkSchema(s, func(m map[string]any) {
		if r, ok := m["$ref"].(string); ok {
			out = append(out, strings.TrimPrefix(r, componentPrefix))
		}
	})
	return out
}

const componentPrefix = "#/components/schemas/"

// closure is every component reachable from root (root included), sorted.
func closure(components map[string]any, root string) ([]string, error) {
	seen := map[string]bool{}
	var visit func(string) error
	visit = func(name string) error {
		if seen[name] {
			return nil
		}
		s, ok := components[name]
		if !ok {
			return fmt.Errorf("schema %s refers to %s, which the spec does not define", root, name)
		}
		seen[name] = true
		for _, r := range refsOf(s) {
			if err := visit(r); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(root); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// extractFile converts the OpenAPI components named (a closed set: every $ref among them
// resolves inside it) into one CUE file. defName gives each component's definition name.
// The schemas are read as Kubernetes publishes them (CUE's VersionKubernetesAPI): objects are
// closed unless they allow more (additionalProperties, x-kubernetes-preserve-unknown-fields),
// required properties are required fields, x-kubernetes-int-or-string is int | string.
func extractFile(components map[string]any, names []string, defName map[string]string, header string) ([]byte, error) {
	ctx := cuecontext.New()
	sub := make(map[string]any, len(names))
	for _, n := range names {
		sub[n] = components[n]
	}
	doc := map[string]any{"components": map[string]any{"schemas": sub}}
	f, err := jsonschema.Extract(ctx.Encode(doc), &jsonschema.Config{
		Root:           "#/components/schemas",
		DefaultVersion: jsonschema.VersionKubernetesAPI,
		StrictKeywords: true,
		MapRef: func(loc jsonschema.SchemaLoc) (string, cue.Path, error) {
			if !loc.IsLocal {
				return "", cue.Path{}, fmt.Errorf("reference outside the spec: %v", loc)
			}
			sels := loc.Path.Selectors()
			if len(sels) != 3 {
				return "", cue.Path{}, fmt.Errorf("unexpected schema location %v", loc.Path)
			}
			name := sels[2].Unquoted()
			def, ok := defName[name]
			if !ok {
				return "", cue.Path{}, fmt.Errorf("no definition name for %s", name)
			}
			return "", cue.MakePath(cue.Def(def)), nil
		},
	})
	if err != nil {
		return nil, err
	}
	disjoin(f)
	return render(f, header)
}

// disjoin rewrites matchN(n, [a, b, ...]) as a | b | ... when the alternatives are of
// different kinds (at most one can match, so "exactly one" and "at least one" are the
// disjunction). CUE then reports a wrong value as a type error ("expected a whole number or a
// string") rather than as an unsatisfied matchN.
func disjoin(f *ast.File) {
	astutil.Apply(f, func(c astutil.Cursor) bool {
		call, ok := c.Node().(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "matchN" {
			return true
		}
		list, ok := call.Args[1].(*ast.ListLit)
		if !ok || len(list.Elts) < 2 {
			return true
		}
		seen := map[string]bool{}
		for _, e := range list.Elts {
			k := basicKind(e)
			if k == "" || seen[k] {
				return true
			}
			seen[k] = true
		}
		c.Replace(ast.NewBinExpr(token.OR, list.Elts...))
		return true
	}, nil)
}

// basicKind names the kind of a simple constraint: a type name or a string pattern.
func basicKind(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		switch e.Name {
		case "int", "number", "float":
			return "number"
		case "string", "bool", "null":
			return e.Name
		}
	case *ast.UnaryExpr:
		if e.Op == token.MAT || e.Op == token.NMAT {
			return "string"
		}
	}
	return ""
}

// render formats f with header as its leading comment, and checks that it compiles.
func render(f *ast.File, header string) ([]byte, error) {
	var lines []*ast.Comment
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		lines = append(lines, &ast.Comment{Text: strings.TrimRight("// "+l, " ")})
	}
	f.Decls = append([]ast.Decl{&ast.CommentGroup{List: lines}}, f.Decls...)
	b, err := format.Node(f, format.Simplify())
	if err != nil {
		return nil, err
	}
	if v := cuecontext.New().CompileBytes(b); v.Err() != nil {
		return nil, fmt.Errorf("generated CUE does not compile: %v", v.Err())
	}
	return b, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
