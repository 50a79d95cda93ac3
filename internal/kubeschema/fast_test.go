package kubeschema

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
)

// TestFastPathAgrees checks the fast path (fast.go) against the full CUE check: on the
// corpora, on the benchmark's manifests and on thousands of mutations of both, the fast path
// must never call a document valid that CUE rejects, and must accept the valid originals (or
// it saves nothing).
func TestFastPathAgrees(t *testing.T) {
	_, files, byFile := corpusDocs(t)
	var originals []map[string]any
	for _, f := range files {
		originals = append(originals, byFile[f]...)
	}
	for _, d := range mixedDocsT(t, 8) {
		originals = append(originals, d.(map[string]any))
	}
	v := bundledValidator(t)
	rng := rand.New(rand.NewPCG(1, 2))
	mutants, fastValid, unsafe := 0, 0, 0
	for i, d := range originals {
		g := GVK{fmt.Sprint(d["apiVersion"]), fmt.Sprint(d["kind"])}
		kp, err := v.pool(g)
		if err != nil {
			t.Fatal(err)
		}
		if kp == nil {
			continue
		}
		c := kp.get()
		if c.fast == nil {
			t.Fatalf("%s has no fast path", g)
		}
		plain := *c
		plain.fast = nil // the full check as it is without a fast path
		if c.cueValid(d) && !c.fast.valid(c.fast.root, d) {
			t.Errorf("document %d (%s): valid, but the fast path doubts it", i, g)
		}
		var paths [][]any
		collectPaths(d, nil, &paths)
		n := 60
		if len(paths) > 1000 {
			n = 6 // the CRDs of the install manifests: each doubt costs a long CUE evaluation
		}
		for range n {
			m, what := mutate(rng, d)
			mutants++
			if c.fast.valid(c.fast.root, m) {
				fastValid++
				if !c.cueValid(m) {
					unsafe++
					if unsafe <= 10 {
						t.Errorf("document %d (%s) with %s: the fast path calls it valid; CUE does not", i, g, what)
					}
				}
			} else if mutants%4 == 0 {
				// The walk guided by the fast path finds what the unguided walk finds.
				got, want := c.fullCheck(m), plain.fullCheck(m)
				cueissue.Sort(got)
				cueissue.Sort(want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("document %d (%s) with %s: guided walk %v, unguided %v", i, g, what, got, want)
				}
			}
		}
		kp.put(c)
	}
	t.Logf("%d mutants, %d taken as valid by the fast path, %d of them wrongly", mutants, fastValid, unsafe)
	if mutants < 2500 {
		t.Errorf("only %d mutants", mutants)
	}
}

func mixedDocsT(t *testing.T, n int) []any {
	var out []any
	for _, s := range mixedManifests(n) {
		out = append(out, docs(t, []byte(s))...)
	}
	return out
}

// mutate returns a deep copy of d with one random change, and what it was.
func mutate(rng *rand.Rand, d map[string]any) (map[string]any, string) {
	c := deepCopy(d).(map[string]any)
	var paths [][]any
	collectPaths(c, nil, &paths)
	p := paths[rng.IntN(len(paths))]
	parent, last := at(c, p)
	var cur any
	switch pc := parent.(type) {
	case map[string]any:
		cur = pc[last.(string)]
	case []any:
		cur = pc[last.(int)]
	}
	set := func(v any) {
		switch pc := parent.(type) {
		case map[string]any:
			pc[last.(string)] = v
		case []any:
			pc[last.(int)] = v
		}
	}
	switch rng.IntN(8) {
	case 0: // misspell a key
		if m, ok := parent.(map[string]any); ok {
			k := last.(string)
			delete(m, k)
			m[k+"x"] = cur
			return c, fmt.Sprintf("key %v renamed", p)
		}
		set(map[string]any{"x": 1})
	case 1: // another kind of scalar
		switch cur.(type) {
		case string:
			set(int64(7))
		case int64, float64:
			set("7")
		case bool:
			set("true")
		default:
			set(true)
		}
	case 2:
		set("Zz not a valid value")
	case 3: // drop
		if m, ok := parent.(map[string]any); ok {
			delete(m, last.(string))
		} else {
			set(nil)
		}
	case 4:
		set(nil)
	case 5:
		if _, isMap := cur.(map[string]any); isMap {
			set([]any{int64(1)})
		} else {
			set(map[string]any{"a": "b"})
		}
	case 6:
		set(int64(99999999999))
	case 7:
		set(-1.5)
	}
	return c, fmt.Sprintf("a changed value at %v", p)
}

func collectPaths(x any, path []any, out *[][]any) {
	switch x := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			p := cueissue.AppendPath(path, k)
			*out = append(*out, p)
			collectPaths(x[k], p, out)
		}
	case []any:
		for i, v := range x {
			p := cueissue.AppendPath(path, i)
			*out = append(*out, p)
			collectPaths(v, p, out)
		}
	}
}

// at returns the container of the last element of p, and that element.
func at(root any, p []any) (any, any) {
	cur := root
	for _, s := range p[:len(p)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[s.(string)]
		case []any:
			cur = c[s.(int)]
		}
	}
	return cur, p[len(p)-1]
}

func deepCopy(x any) any {
	switch x := x.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, v := range x {
			m[k] = deepCopy(v)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, v := range x {
			l[i] = deepCopy(v)
		}
		return l
	}
	return x
}
