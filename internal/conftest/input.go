package conftest

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Document is one input as conftest evaluates it: one YAML document of a file (one item of a
// file whose single document is a list, as conftest reads those), or one JSON value.
type Document struct {
	// File is the path conftest would name the file by (the `path` of a combined input, and
	// data.conftest.file); tollgate passes the repository-relative path with forward slashes.
	File string
	// Value is the document as conftest's parser produces it: nil, bool, float64 (or int64,
	// json.Number), string, []any, map[string]any; or an ast.Value.
	Value any
	// Locate maps a data path in the document to its place in the file (a missing path to its
	// deepest existing ancestor, nil to the document's first line). nil: results are placed
	// at the file's first line and no derivation is traced.
	Locate func(path []any) finding.Location
}

// input is one value the policies are evaluated on.
type input struct {
	value    ast.Value
	file     string // for data.conftest.file
	document int    // the document it is, -1 for a combined input
	// members maps element i of a combined input to its document.
	members []int
	// paths maps each object and array of value to its data path (built when a rule fires).
	paths map[ast.Value][]any
}

func single(i int, d Document) (*input, error) {
	v, err := ast.InterfaceToValue(d.Value)
	if err != nil {
		return nil, fmt.Errorf("%s: the document cannot be converted for Rego: %w", d.File, err)
	}
	return &input{value: v, file: d.File, document: i}, nil
}

// combined builds conftest's --combine input: [{path, contents}] sorted by path, documents of
// one file in file order. It goes through the same struct and JSON round trip as conftest's,
// so numbers read the same (1e6 is 1000000 here, 1e+06 in a single document).
func combined(docs []Document) (*input, error) {
	type configuration struct {
		Path     string `json:"path"`
		Contents any    `json:"contents"`
	}
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(docs[a].File, docs[b].File) })
	all := make([]configuration, len(order))
	for i, d := range order {
		all[i] = configuration{Path: docs[d].File, Contents: docs[d].Value}
	}
	v, err := ast.InterfaceToValue(all)
	if err != nil {
		return nil, fmt.Errorf("the combined input cannot be converted for Rego: %w", err)
	}
	return &input{value: v, file: "Combined", document: -1, members: order}, nil
}

// indexPaths maps every object and array of v to its path. Evaluation hands these same
// values around (a variable bound to input.spec.containers[1] holds that very object), so a
// value found here tells where in the document a rule's variable came from.
func indexPaths(v ast.Value) map[ast.Value][]any {
	out := map[ast.Value][]any{}
	var walk func(v ast.Value, path []any)
	walk = func(v ast.Value, path []any) {
		switch x := v.(type) {
		case ast.Object:
			out[v] = path
			x.Foreach(func(k, val *ast.Term) {
				if s, ok := k.Value.(ast.String); ok {
					walk(val.Value, append(slices.Clip(path), string(s)))
				}
			})
		case *ast.Array:
			out[v] = path
			for i := range x.Len() {
				walk(x.Elem(i).Value, append(slices.Clip(path), i))
			}
		}
	}
	walk(v, []any{})
	return out
}

// LoadData reads --data paths (files or directories) from fsys as conftest does: every
// .json, .yaml and .yml file below them, merged at the root of data by OPA's loader (a
// file's directory, relative to the path given, is its place in data).
func LoadData(fsys fs.FS, paths []string) (map[string]any, error) {
	if len(paths) == 0 {
		return map[string]any{}, nil
	}
	filter := func(_ string, info fs.FileInfo, _ int) bool {
		if info.IsDir() {
			return false
		}
		ext := filepath.Ext(info.Name())
		return !slices.ContainsFunc([]string{".yaml", ".yml", ".json"}, func(x string) bool { return strings.EqualFold(x, ext) })
	}
	res, err := loader.NewFileLoader().WithFS(fsys).Filtered(paths, filter)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return res.Documents, nil
}
