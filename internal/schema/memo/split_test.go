package memo

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
)

// problem is a CUE error of a document: the result the memo remembers in these tests.
type problem struct {
	Path []any
	Msg  string
}

// cueProblems evaluates doc against def: the reference every memo result must equal.
func cueProblems(def cue.Value) func(doc any) []problem {
	return func(doc any) []problem {
		err := def.Unify(def.Context().Encode(doc)).Validate(cue.Concrete(true))
		var out []problem
		for _, e := range cueerrors.Errors(err) {
			var path []any
			for _, s := range e.Path() {
				if strings.HasPrefix(s, "#") {
					continue
				}
				if i, err := strconv.Atoi(s); err == nil {
					path = append(path, i)
				} else {
					path = append(path, s)
				}
			}
			format, args := e.Msg()
			out = append(out, problem{path, fmt.Sprintf(format, args...)})
		}
		return sortProblems(out)
	}
}

func sortProblems(ps []problem) []problem {
	slices.SortFunc(ps, func(a, b problem) int {
		return cmp.Or(cmp.Compare(fmt.Sprint(a.Path), fmt.Sprint(b.Path)), cmp.Compare(a.Msg, b.Msg))
	})
	return slices.CompactFunc(ps, func(a, b problem) bool { return reflect.DeepEqual(a, b) })
}

// items builds a list of n items with item.
func items(n int, item func(i int) any) []any {
	out := make([]any, 0, n)
	for i := range n {
		out = append(out, item(i))
	}
	return out
}

// TestSplitAgrees checks documents with lists against CUE alone, through one memo per
// schema, in an order that makes documents meet in it: the schemas are the constructs that
// allow a list to be checked item by item, and the ones that must not.
func TestSplitAgrees(t *testing.T) {
	named := func(i int) any { return map[string]any{"a": fmt.Sprintf("item %d", i)} }
	mixed := func(i int) any {
		switch {
		case i%7 == 3:
			return map[string]any{"b": int64(i)} // a missing
		case i%11 == 5:
			return map[string]any{"a": fmt.Sprintf("item %d", i), "c": true} // an unknown key
		case i%13 == 6:
			return map[string]any{"a": int64(i)} // a wrong type
		}
		return named(i)
	}
	cases := []struct {
		name   string
		schema string
		split  bool
		docs   []map[string]any
	}{
		{"plain list", `#D: {n?: string, items?: [...{a!: string, b?: int}]}`, true, []map[string]any{
			{"items": items(300, mixed)}, {"items": items(40, mixed)}, {"n": "x", "items": items(299, mixed)},
			{"items": items(5, named)}, {"items": []any{}}, {"items": items(300, mixed), "x": 1},
		}},
		{"emptiness tested", `#D: {items?: [...{a?: string}], _n: (items & [_, ...]) != _|_, if _n {must!: string}}`, false, []map[string]any{
			{"items": []any{}}, {"items": items(3, named)}, {"items": items(3, named), "must": "x"},
		}},
		{"referenced", `#D: {items?: [...{a?: string}], total!: len(items)}`, false, []map[string]any{
			{"items": items(2, named), "total": int64(2)}, {"items": items(3, named), "total": int64(2)},
		}},
		{"length bound", "import \"list\"\n#D: {items?: [...{a?: string}] & list.MaxItems(2)}", false, []map[string]any{
			{"items": items(2, named)}, {"items": items(3, named)},
		}},
		// The field's compiled schema holds the pattern's constraint: plainList sees it.
		{"pattern beside", "import \"list\"\n#D: {items?: [...{a?: string}], [=~\"^it\"]: list.MaxItems(2)}", false, []map[string]any{
			{"items": items(2, named)}, {"items": items(3, named)},
		}},
		{"fixed first item", `#D: {items?: [{a!: string}, ...{b?: int}]}`, false, []map[string]any{
			{"items": []any{map[string]any{"a": "x"}, map[string]any{"b": int64(1)}}},
			{"items": []any{map[string]any{"b": int64(1)}, map[string]any{"a": "x"}}},
		}},
		{"items read the document", `#D: {prefix!: string, items?: [...{a!: =~"^\(prefix)"}]}`, true, []map[string]any{
			{"prefix": "item 1", "items": items(30, named)}, {"prefix": "item 2", "items": items(30, named)},
			{"prefix": "item", "items": items(30, named)},
		}},
		{"two lists unified", "#D: {items?: [...{a?: string}]}\n#D: {items?: [...{a?: =~\"0$\"}]}", true, []map[string]any{
			{"items": items(30, named)}, {"items": items(3, named)},
		}},
		{"a for clause", `#D: {items?: [...{a?: string}], for x in items {(x.a): _}}`, false, []map[string]any{
			{"items": items(3, named)},
		}},
		// An alias the analysis does not follow reads the list under another name.
		{"an alias", `#D: {L=items?: [...{a?: string}], total!: len(L)}`, false, []map[string]any{
			{"items": items(2, named), "total": int64(2)}, {"items": items(3, named), "total": int64(2)},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := cuecontext.New()
			root := ctx.CompileString(c.schema)
			if err := root.Err(); err != nil {
				t.Fatal(err)
			}
			def := root.LookupPath(cue.ParsePath("#D"))
			m, err := New(Config[problem]{
				Defs: []cue.Value{def}, Sources: []Source{{Name: "d.cue", Text: []byte(c.schema)}}, Lock: &sync.Mutex{},
				Size: func(p problem) int { return len(p.Msg) },
				Path: func(p problem) []any { return p.Path },
				Move: func(p problem, path []any) problem { p.Path = path; return p },
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.roots[0].child("items").splittable(); got != c.split {
				t.Errorf("items splittable: %v, want %v", got, c.split)
			}
			evaluate := cueProblems(def)
			problems := 0
			for round := range 2 {
				for i, doc := range c.docs {
					want := evaluate(doc)
					problems += len(want)
					if got := sortProblems(slices.Clone(m.Check(0, doc, evaluate))); !reflect.DeepEqual(got, want) {
						t.Errorf("round %d, document %d: the memo gives\n%v\nCUE alone\n%v", round, i, got, want)
					}
				}
			}
			if problems == 0 {
				t.Error("no document has a problem: the case tests nothing")
			}
		})
	}
}
