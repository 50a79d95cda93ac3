package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/tollgate-dev/tollgate/internal/oscatalog"
)

// osVersionStatus is `tollgate.os_version_status(platform, version)`: the OS catalog's verdict
// on a minimum_version, computed in Go so bundled and user rules share one implementation of
// "released", "unreleased" and "newer than a stale catalog". It returns an object:
// {kind, severity, message, version, latest, latest_in_major, release_date, listed, catalog_date}.
var osVersionStatus = &ast.Builtin{
	Name:        "tollgate.os_version_status",
	Description: "classifies an Apple OS version against tollgate's OS catalog",
	Decl: types.NewFunction(
		types.Args(types.Named("platform", types.S), types.Named("version", types.S)),
		types.Named("verdict", types.NewObject(nil, types.NewDynamicProperty(types.S, types.A))),
	),
}

// findKeys is `tollgate.find_keys(value, keys)`: every [path, v] such that v is the value of an
// object key named in the set keys, anywhere in value (at any depth, also inside a matched
// value). path is the array of keys and indices from value down to the key, as walk() gives it.
// It exists for speed: `walk(x, [p, v]); keys[p[count(p)-1]]` costs a few expressions per node
// of x in the evaluator, this one Go traversal a fraction of that. Objects are visited in
// key order and arrays in index order, so the result is deterministic.
var findKeys = &ast.Builtin{
	Name:        "tollgate.find_keys",
	Description: "finds every value stored under one of the given object keys, at any depth",
	Decl: types.NewFunction(
		types.Args(types.Named("value", types.A), types.Named("keys", types.NewSet(types.A))),
		types.Named("hits", types.NewArray(nil, types.NewArray([]types.Type{types.NewArray(nil, types.A), types.A}, nil))),
	),
}

// keyFinder is one tollgate.find_keys traversal: path is the path from the top down to the
// value being visited (copied into each hit, since it is reused), out the hits so far.
type keyFinder struct {
	keys ast.Set
	path []*ast.Term
	out  []*ast.Term
}

func (f *keyFinder) visit(v ast.Value) {
	switch x := v.(type) {
	case ast.Object:
		x.Foreach(func(k, val *ast.Term) {
			f.path = append(f.path, k)
			if f.keys.Contains(k) {
				f.out = append(f.out, ast.ArrayTerm(ast.ArrayTerm(slices.Clone(f.path)...), val))
			}
			f.visit(val.Value)
			f.path = f.path[:len(f.path)-1]
		})
	case *ast.Array:
		for i := range x.Len() {
			f.path = append(f.path, ast.InternedTerm(i))
			f.visit(x.Elem(i).Value)
			f.path = f.path[:len(f.path)-1]
		}
	case ast.Set:
		// walk() descends into a set with each element as the path segment; so does this.
		x.Sorted().Foreach(func(e *ast.Term) {
			f.path = append(f.path, e)
			f.visit(e.Value)
			f.path = f.path[:len(f.path)-1]
		})
	}
}

// findKeysIn returns the tollgate.find_keys hits of v.
func findKeysIn(v ast.Value, keys ast.Set) []*ast.Term {
	f := keyFinder{keys: keys, path: make([]*ast.Term, 0, 16)}
	f.visit(v)
	return f.out
}

// duplicateNames is `tollgate.duplicate_names(items, key)`: for a list of objects, every
// [j, i] such that items[j][key] is a string that, with leading and trailing white space
// removed (as trim_space does), is not empty and equals that of an earlier item, i being the
// first such item. Items that are not objects, or whose key is absent or not a string, are
// skipped; a value that is not an array gives []. It is the one-pass form of comparing each
// item's name with the names of the items before it, which costs as many expressions as
// there are pairs of items: the duplicate policy, query and report name rules run it on
// every team of a large repository.
var duplicateNames = &ast.Builtin{
	Name:        "tollgate.duplicate_names",
	Description: "finds the items of a list whose (trimmed) name repeats an earlier item's",
	Decl: types.NewFunction(
		types.Args(types.Named("items", types.A), types.Named("key", types.A)),
		types.Named("pairs", types.NewArray(nil, types.NewArray([]types.Type{types.N, types.N}, nil))),
	),
}

// duplicateNamesIn returns the tollgate.duplicate_names pairs of items.
func duplicateNamesIn(items ast.Value, key *ast.Term) []*ast.Term {
	arr, ok := items.(*ast.Array)
	if !ok {
		return nil
	}
	var out []*ast.Term
	first := map[string]int{}
	for j := range arr.Len() {
		obj, ok := arr.Elem(j).Value.(ast.Object)
		if !ok {
			continue
		}
		v := obj.Get(key)
		if v == nil {
			continue
		}
		s, ok := v.Value.(ast.String)
		if !ok {
			continue
		}
		name := strings.TrimSpace(string(s))
		if name == "" {
			continue
		}
		if i, seen := first[name]; seen {
			out = append(out, ast.ArrayTerm(ast.InternedTerm(j), ast.InternedTerm(i)))
		} else {
			first[name] = j
		}
	}
	return out
}

// groupBy is `tollgate.group_by(items, keys)`: the items of a list grouped by the values of the
// keys named in the array keys, as an object from each array of values [items[i][keys[0]], …]
// to the ascending indices i of the items that hold it. Items that are not objects, or lack one
// of the keys, are left out; a value that is not an array gives {}. Values are compared as
// Rego's == compares them. It exists for speed: a batch lists the same few profile files once
// per team that includes them, so a rule that looks at what a profile holds tests each group
// once and visits only the members of the groups it wants, where iterating every item costs a
// few expressions per item and team.
var groupBy = &ast.Builtin{
	Name:        "tollgate.group_by",
	Description: "groups the items of a list by the values of the given keys",
	Decl: types.NewFunction(
		types.Args(types.Named("items", types.A), types.Named("keys", types.NewArray(nil, types.A))),
		types.Named("groups", types.NewObject(nil, types.NewDynamicProperty(types.NewArray(nil, types.A), types.NewArray(nil, types.N)))),
	),
}

// duplicateGroups is `tollgate.duplicate_groups(items, keys)`: the groups of tollgate.group_by
// that hold two items or more, as an array of their (ascending) index arrays, ordered by their
// first index. It finds the items that share values in one pass, where a comprehension per item
// looking up the others costs expressions for every item of the list.
var duplicateGroups = &ast.Builtin{
	Name:        "tollgate.duplicate_groups",
	Description: "finds the items of a list that share the values of the given keys",
	Decl: types.NewFunction(
		types.Args(types.Named("items", types.A), types.Named("keys", types.NewArray(nil, types.A))),
		types.Named("groups", types.NewArray(nil, types.NewArray(nil, types.N))),
	),
}

// grouping is the items of a list grouped by the values of some keys (see groupItems).
type grouping struct {
	groups []itemGroup // in the order of their first items
	values []*ast.Term // each group's values, nk at its offset
	next   []int32     // per item, the next item of its group; -1: none
	nk     int
}

// itemGroup is the items sharing one array of values: a chain through grouping.next.
type itemGroup struct {
	hash        int
	first, last int32
	size        int32
}

// valuesOf are the values group g's items share.
func (gs *grouping) valuesOf(g *itemGroup, i int) []*ast.Term {
	return gs.values[i*gs.nk : (i+1)*gs.nk : (i+1)*gs.nk]
}

// indices are group g's item indices, ascending, as terms.
func (gs *grouping) indices(g *itemGroup) []*ast.Term {
	out := make([]*ast.Term, 0, g.size)
	for i := g.first; i >= 0; i = gs.next[i] {
		out = append(out, ast.InternedTerm(int(i)))
	}
	return out
}

// groupItems groups the objects of items by the values of keys, in the order of each group's
// first item. Most groups may have one item (duplicate_groups looks for the few that don't):
// it allocates a few slices for the whole list, none per item or group, and finds groups in an
// open-addressing table of group numbers rather than a map. A batch holds one profile object
// per team that lists a profile file, all sharing its payloads as one OPA value: comparing
// those by identity first keeps each item a few hash lookups, where comparing them element by
// element would walk every payload for every item.
func groupItems(items ast.Value, keys *ast.Array) *grouping {
	arr, ok := items.(*ast.Array)
	if !ok {
		return &grouping{}
	}
	n, nk := arr.Len(), keys.Len()
	size := 16
	for size < 2*n {
		size <<= 1
	}
	table := make([]int32, size) // 1 + a group's index; 0: free
	gs := &grouping{next: make([]int32, n), nk: nk}
	values := make([]*ast.Term, nk)
next:
	for i := range n {
		gs.next[i] = -1
		obj, ok := arr.Elem(i).Value.(ast.Object)
		if !ok {
			continue
		}
		h := 0
		for k := range nk {
			v := obj.Get(keys.Elem(k))
			if v == nil {
				continue next
			}
			values[k] = v
			h = h*31 + v.Hash()
		}
		slot := int(uint64(h)*0x9e3779b97f4a7c15>>32) & (size - 1)
		for ; table[slot] != 0; slot = (slot + 1) & (size - 1) {
			gi := int(table[slot] - 1)
			g := &gs.groups[gi]
			if g.hash == h && sameValues(gs.valuesOf(g, gi), values) {
				gs.next[g.last] = int32(i)
				g.last = int32(i)
				g.size++
				continue next
			}
		}
		gs.groups = append(gs.groups, itemGroup{hash: h, first: int32(i), last: int32(i), size: 1})
		gs.values = append(gs.values, values...)
		table[slot] = int32(len(gs.groups))
	}
	return gs
}

// sameValues: a and b are equal element by element, as Rego's == compares values.
func sameValues(a, b []*ast.Term) bool {
	for i := range a {
		if !sameValue(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

// sameValue is a.Compare(b) == 0, without walking a composite value that is the same one.
func sameValue(a, b ast.Value) bool {
	switch x := a.(type) {
	case *ast.Array:
		if y, ok := b.(*ast.Array); ok && x == y {
			return true
		}
	case ast.Object:
		if y, ok := b.(ast.Object); ok && x == y {
			return true
		}
	case ast.Set:
		if y, ok := b.(ast.Set); ok && x == y {
			return true
		}
	}
	return a.Compare(b) == 0
}

// keyList is the keys argument of group_by and duplicate_groups: an array.
func keyList(name string, t *ast.Term) (*ast.Array, error) {
	keys, ok := t.Value.(*ast.Array)
	if !ok {
		return nil, fmt.Errorf("%s: keys must be an array, got %s", name, ast.ValueName(t.Value))
	}
	return keys, nil
}

// dateDays is `tollgate.date_days(s)`: the number of days from 1970-01-01 to s, a real calendar
// date written YYYY-MM-DD (2025-02-30 is not one); undefined for anything else, so a rule
// body fails on a malformed date where time.parse_ns would raise an error. Dates compare and
// subtract as integers. It is written in Go because the same check in Rego (a regex, a split
// and a days-in-month table) makes the deadline checks the most expensive rules on a large
// repository.
var dateDays = &ast.Builtin{
	Name:        "tollgate.date_days",
	Description: "days since 1970-01-01 of a YYYY-MM-DD date; undefined when it is not one",
	Decl: types.NewFunction(
		types.Args(types.Named("date", types.A)),
		types.Named("days", types.N),
	),
}

// dateDaysOf parses a YYYY-MM-DD date strictly: four-digit year, two-digit month and day, a
// day that exists in that month.
func dateDaysOf(v ast.Value) (int64, bool) {
	s, ok := v.(ast.String)
	if !ok || len(s) != len("2006-01-02") || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	t, err := time.Parse(time.DateOnly, string(s))
	if err != nil {
		return 0, false
	}
	return t.Unix() / 86400, true
}

// function is one of tollgate's Rego functions: its declaration, for the compiler and the
// test runner, and its implementation, an option of the query.
type function struct {
	decl *ast.Builtin
	impl func(*rego.Rego)
}

// functions lists tollgate's Rego functions; cat nil means the embedded OS catalog.
func functions(cat *oscatalog.Catalog, now time.Time) []function {
	if cat == nil {
		cat = oscatalog.Embedded()
	}
	status := rego.Function2(&rego.Function{Name: osVersionStatus.Name, Decl: osVersionStatus.Decl, Memoize: true},
		func(_ rego.BuiltinContext, a, b *ast.Term) (*ast.Term, error) {
			platform, ok1 := a.Value.(ast.String)
			version, ok2 := b.Value.(ast.String)
			if !ok1 || !ok2 {
				return nil, nil // undefined for non-strings: the format rule reports those
			}
			v := cat.Status(string(platform), string(version), now)
			var release any
			if v.ReleaseDate != nil {
				release = v.ReleaseDate.Format(time.DateOnly)
			}
			val, err := ast.InterfaceToValue(map[string]any{
				"kind": string(v.Kind), "severity": v.Severity.String(), "message": v.Message,
				"version": v.Version, "latest": v.Latest, "latest_in_major": v.LatestInMajor,
				"release_date": release, "listed": v.Listed, "catalog_date": v.CatalogDate,
			})
			if err != nil {
				return nil, err
			}
			return ast.NewTerm(val), nil
		})
	find := rego.Function2(&rego.Function{Name: findKeys.Name, Decl: findKeys.Decl},
		func(_ rego.BuiltinContext, a, b *ast.Term) (*ast.Term, error) {
			keys, ok := b.Value.(ast.Set)
			if !ok {
				return nil, fmt.Errorf("%s: keys must be a set, got %s", findKeys.Name, ast.ValueName(b.Value))
			}
			return ast.ArrayTerm(findKeysIn(a.Value, keys)...), nil
		})
	dups := rego.Function2(&rego.Function{Name: duplicateNames.Name, Decl: duplicateNames.Decl},
		func(_ rego.BuiltinContext, a, b *ast.Term) (*ast.Term, error) {
			return ast.ArrayTerm(duplicateNamesIn(a.Value, b)...), nil
		})
	days := rego.Function1(&rego.Function{Name: dateDays.Name, Decl: dateDays.Decl},
		func(_ rego.BuiltinContext, a *ast.Term) (*ast.Term, error) {
			if d, ok := dateDaysOf(a.Value); ok {
				return ast.InternedTerm(int(d)), nil
			}
			return nil, nil
		})
	group := rego.Function2(&rego.Function{Name: groupBy.Name, Decl: groupBy.Decl},
		func(_ rego.BuiltinContext, a, b *ast.Term) (*ast.Term, error) {
			keys, err := keyList(groupBy.Name, b)
			if err != nil {
				return nil, err
			}
			gs := groupItems(a.Value, keys)
			pairs := make([][2]*ast.Term, 0, len(gs.groups))
			for i := range gs.groups {
				g := &gs.groups[i]
				pairs = append(pairs, [2]*ast.Term{ast.ArrayTerm(gs.valuesOf(g, i)...), ast.ArrayTerm(gs.indices(g)...)})
			}
			return ast.ObjectTerm(pairs...), nil
		})
	dupGroups := rego.Function2(&rego.Function{Name: duplicateGroups.Name, Decl: duplicateGroups.Decl},
		func(_ rego.BuiltinContext, a, b *ast.Term) (*ast.Term, error) {
			keys, err := keyList(duplicateGroups.Name, b)
			if err != nil {
				return nil, err
			}
			var out []*ast.Term
			gs := groupItems(a.Value, keys)
			for i := range gs.groups {
				if g := &gs.groups[i]; g.size > 1 {
					out = append(out, ast.ArrayTerm(gs.indices(g)...))
				}
			}
			return ast.ArrayTerm(out...), nil
		})
	return []function{{osVersionStatus, status}, {findKeys, find}, {duplicateNames, dups}, {dateDays, days},
		{groupBy, group}, {duplicateGroups, dupGroups}}
}

// builtins returns the declarations for the compiler and the implementations for queries.
func builtins(cat *oscatalog.Catalog, now time.Time) (map[string]*ast.Builtin, []func(*rego.Rego)) {
	decls := map[string]*ast.Builtin{}
	var impls []func(*rego.Rego)
	for _, f := range functions(cat, now) {
		decls[f.decl.Name] = f.decl
		impls = append(impls, f.impl)
	}
	return decls, impls
}
