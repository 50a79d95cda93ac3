package memo

import (
	"encoding/binary"
	"slices"

	"cuelang.org/go/cue"
)

// Lists checked item by item.
//
// CUE evaluates a document whole: a team file with 10,000 inline policies holds them all in
// one evaluation (≈ 36 KB and 0.6 ms each), and a memo key of the whole document is a miss
// whenever one item differs. So a document the memo has not seen is checked in parts: its
// skeleton (the document with its splittable lists emptied) and the items of those lists,
// each remembered under its own key. Only the items unlike any seen are evaluated, a bounded
// number at a time, inside the skeleton (so whatever an item's constraint reads of the
// document is there); their issues are moved to every item with the same key.
//
// Why that holds: a list is split only when
//   - its schema is a plain list of items ([...X], or several unified), under a struct with
//     no pattern constraint: each item is unified with X alone, whatever its index, its
//     siblings or the list's length;
//   - nothing else reads the list: its field name is never referenced, nor tested for
//     emptiness by a comprehension condition (taint.go), and the analysis found no construct
//     it does not follow (for example a `for` clause, which could range over the items);
//   - it is reached from the document's root through mappings only.
//
// Then the skeleton's issues do not depend on the items, and an item's issues depend only on
// the item and the skeleton, both in its key. Messages that name the item's place
// ("unknown key in policies[3]") are rebuilt by Config.Move for each item.

// list is a splittable list of a document.
type list struct {
	path  []any  // its data path
	items []any  // the document's items
	node  *snode // its schema node
}

// chunkItems bounds the items of one evaluation: the memory CUE holds at once.
const chunkItems = 128

// splittable reports whether the list at n may be split (see above).
func (n *snode) splittable() bool {
	if n == nil {
		return false
	}
	n.splitOnce.Do(func() {
		if n.name == "" || n.open || !n.an.abstract || n.an.tainted[n.name] || n.an.lengthTested[n.name] || len(n.an.probes[n.name]) > 0 {
			return
		}
		n.lock.Lock()
		plain := plainList(n.sch, 0)
		n.lock.Unlock()
		n.split = plain && n.elem() != nil
	})
	return n.split
}

// plainList reports a schema that is a list of items and nothing else: [...X], or a
// unification of such lists. No fixed elements, no length bound, no validator.
func plainList(v cue.Value, depth int) bool {
	if depth > 8 || v.IncompleteKind() != cue.ListKind {
		return false
	}
	op, args := v.Expr()
	switch op {
	case cue.AndOp:
		for _, a := range args {
			if !plainList(a, depth+1) {
				return false
			}
		}
		return len(args) > 0
	case cue.NoOp:
		// Len of [...X] is the open `>=0` of an int; with fixed elements or a default it is
		// a number or an error.
		l := v.Len()
		if l.Err() != nil || l.IsConcrete() {
			return false
		}
		anyLen := v.Context().CompileString("int & >=0")
		return l.Subsume(anyLen) == nil && anyLen.Subsume(l) == nil
	}
	return false
}

// item is one distinct item of a document's lists: the items with the same key share it.
type item[T any] struct {
	key    [32]byte
	n      int // its encoding's length
	result []T
	rep    any // the first item of the document with this key
	list   int // its list
}

// checkSplit checks doc in parts (see above); ok is false when it has no list to split.
func (m *Memo[T]) checkSplit(def int, doc any, evaluate func(doc any) []T) (res []T, ok bool) {
	skel := &listsMet{}
	skelKey, skelLen, ok := m.key(append(binary.AppendUvarint(nil, uint64(def)), 'K'), doc, m.roots[def], skel)
	lists := skel.found
	if !ok || len(lists) == 0 {
		return nil, false
	}
	skelRes, skelKnown := m.lookup(skelKey)

	// The distinct items of each list, and which of them to evaluate.
	groups := make([][]int32, len(lists)) // list → item → index in distinct
	var distinct []*item[T]
	byKey := map[[32]byte]int32{}
	var todo []int32
	for li, l := range lists {
		// An item's key holds the skeleton's and the list's path: its issues may depend on both.
		itemHead := append(binary.AppendUvarint(nil, uint64(def)), 'I')
		itemHead = append(itemHead, skelKey[:]...)
		for _, p := range l.path {
			itemHead = appendString(itemHead, p.(string))
		}
		el := l.node.elem()
		groups[li] = make([]int32, len(l.items))
		for i, x := range l.items {
			k, n, ok := m.key(itemHead, x, el, nil)
			if !ok {
				return nil, false
			}
			g, seen := byKey[k]
			if !seen {
				g = int32(len(distinct))
				byKey[k] = g
				it := &item[T]{key: k, n: n, rep: x, list: li}
				if res, hit := m.lookup(k); hit {
					it.result = res
				} else {
					todo = append(todo, g)
				}
				distinct = append(distinct, it)
			}
			groups[li][i] = g
		}
	}

	// Evaluate the unknown items a chunk at a time inside the skeleton; the first chunk also
	// gives the skeleton's issues when they are not remembered.
	for len(todo) > 0 || !skelKnown {
		chunk := todo[:min(len(todo), chunkItems)]
		todo = todo[len(chunk):]
		reps := make([][]any, len(lists))
		for li := range reps {
			reps[li] = []any{}
		}
		slot := map[[2]int]int32{} // (list, index in the chunk's document) → distinct item
		for _, g := range chunk {
			li := distinct[g].list
			slot[[2]int{li, len(reps[li])}] = g
			reps[li] = append(reps[li], distinct[g].rep)
		}
		reduced := doc
		for li, l := range lists {
			reduced = setAt(reduced, l.path, reps[li])
		}
		perItem := map[int32][]T{}
		var skelIssues []T
		for _, r := range evaluate(reduced) {
			if li, idx, in := m.inList(r, lists); in {
				if g, ok := slot[[2]int{li, idx}]; ok {
					perItem[g] = append(perItem[g], r)
					continue
				}
			}
			skelIssues = append(skelIssues, r)
		}
		if !skelKnown {
			skelRes, skelKnown = skelIssues, true
			m.store(skelKey, skelRes, skelLen)
		}
		for _, g := range chunk {
			it := distinct[g]
			it.result = perItem[g]
			m.store(it.key, it.result, it.n)
		}
	}

	// The skeleton's issues and every item's, moved to where the item is.
	out := slices.Clone(skelRes)
	for li, l := range lists {
		for i, g := range groups[li] {
			for _, r := range distinct[g].result {
				rest := m.path(r)[len(l.path)+1:]
				at := append(append(append(make([]any, 0, len(l.path)+1+len(rest)), l.path...), i), rest...)
				out = append(out, m.move(r, at))
			}
		}
	}
	return out, true
}

// inList says in which list (and at which index of it) the result r lies, if any.
func (m *Memo[T]) inList(r T, lists []list) (li, index int, ok bool) {
	p := m.path(r)
	for li, l := range lists {
		if len(p) <= len(l.path) || !slices.Equal(p[:len(l.path)], l.path) {
			continue
		}
		if i, isIndex := p[len(l.path)].(int); isIndex {
			return li, i, true
		}
	}
	return 0, 0, false
}

// setAt returns doc with the value at path (mappings only) replaced by v; doc itself is not
// modified: the mappings on the way are copied.
func setAt(doc any, path []any, v any) any {
	if len(path) == 0 {
		return v
	}
	m := doc.(map[string]any)
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[k] = x
	}
	k := path[0].(string)
	out[k] = setAt(m[k], path[1:], v)
	return out
}
