package memo

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/big"
	"slices"
	"sync"

	"cuelang.org/go/cue"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
)

var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// key hashes head and the encoding of doc, whose schema is node; with lists, the encoding of
// its skeleton (split.go). ok is false for a value of a type the encoding does not know.
func (m *Memo[T]) key(head []byte, doc any, node *snode, lists *listsMet) (key [32]byte, n int, ok bool) {
	bp := keyBufs.Get().(*[]byte)
	b := append((*bp)[:0], head...)
	b, ok = m.an.encode(b, doc, node, lists)
	if ok {
		key = sha256.Sum256(b)
	}
	n = len(b)
	*bp = b
	keyBufs.Put(bp)
	return key, n, ok
}

// listsMet records the splittable lists of a document while its skeleton is encoded
// (split.go): a marker stands for each such list.
type listsMet struct {
	path  []any // where the encoding is
	found []list
}

// encode appends the canonical encoding of x, whose schema is node (nil: unknown). Nothing
// inside a list is recorded in lists.
func (m *analysis) encode(b []byte, x any, node *snode, lists *listsMet) ([]byte, bool) {
	switch x := x.(type) {
	case nil:
		return append(b, 'z'), true
	case map[string]any:
		b = append(b, 'M')
		b = binary.AppendUvarint(b, uint64(len(x)))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b = appendString(b, k)
			child := node.child(k)
			var ok bool
			if lists == nil {
				b, ok = m.encode(b, x[k], child, nil)
			} else if items, isList := x[k].([]any); isList && child.splittable() {
				lists.found = append(lists.found, list{path: append(slices.Clone(lists.path), k), items: items, node: child})
				b, ok = append(b, 'X'), true
			} else {
				lists.path = append(lists.path, k)
				b, ok = m.encode(b, x[k], child, lists)
				lists.path = lists.path[:len(lists.path)-1]
			}
			if !ok {
				return b, false
			}
		}
		return b, true
	case []any:
		b = append(b, 'L')
		b = binary.AppendUvarint(b, uint64(len(x)))
		el := node.elem()
		for _, e := range x {
			var ok bool
			if b, ok = m.encode(b, e, el, nil); !ok {
				return b, false
			}
		}
		return b, true
	case string:
		if m.abstract {
			if l := node.leafCheck(); l.string(x) {
				if t, ok := l.appendProbes(append(b, 'S'), x); ok {
					return t, true
				}
			}
		}
		return appendString(append(b, 's'), x), true
	case bool:
		if m.abstract {
			if l := node.leafCheck(); l.bool() && len(l.probes) == 0 {
				return append(b, 'B'), true
			}
		}
		if x {
			return append(b, 't'), true
		}
		return append(b, 'f'), true
	case int64:
		if m.abstract {
			if l := node.leafCheck(); l.int(x) {
				if t, ok := l.appendProbes(append(b, 'I'), x); ok {
					return t, true
				}
			}
		}
		return binary.AppendVarint(append(b, 'i'), x), true
	case float64:
		return binary.BigEndian.AppendUint64(append(b, 'F'), math.Float64bits(x)), true
	case *big.Int:
		return appendString(append(b, 'N'), x.String()), true
	}
	return b, false
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// snode is the schema at one data path (list items share one), built lazily and shared by
// all goroutines. A nil *snode is an unknown schema: values below it are kept verbatim.
type snode struct {
	sch  cue.Value
	name string      // the field name (list items: the list's)
	an   *analysis   // what the analysis says of field names
	lock *sync.Mutex // Config.Lock

	kids     sync.Map // string → *snode
	elemOnce sync.Once
	elemNode *snode
	leafOnce sync.Once
	leaf     leaf
	// open: the parent struct has a pattern constraint or `...`, which may constrain this
	// field beyond its own declaration. (CUE's lookup of the field holds a pattern's
	// constraint already; a list under such a struct is not split all the same.)
	open      bool
	splitOnce sync.Once
	split     bool
}

// Nodes are built under Config.Lock, once each: the memo's hits, most documents, then need
// no CUE and run in parallel.

func (n *snode) child(k string) *snode {
	if n == nil {
		return nil
	}
	if c, ok := n.kids.Load(k); ok {
		return c.(*snode)
	}
	n.lock.Lock()
	defer n.lock.Unlock()
	if c, ok := n.kids.Load(k); ok {
		return c.(*snode)
	}
	var c *snode
	if n.sch.IncompleteKind()&cue.StructKind != 0 {
		if s := cueissue.SchemaChild(n.sch, k); s.Exists() {
			c = &snode{sch: s, name: k, an: n.an, lock: n.lock,
				open: n.sch.LookupPath(cue.MakePath(cue.AnyString)).Exists()}
		}
	}
	got, _ := n.kids.LoadOrStore(k, c)
	return got.(*snode)
}

func (n *snode) elem() *snode {
	if n == nil {
		return nil
	}
	n.elemOnce.Do(func() {
		n.lock.Lock()
		defer n.lock.Unlock()
		if n.sch.IncompleteKind()&cue.ListKind == 0 {
			return
		}
		if s := n.sch.LookupPath(cue.MakePath(cue.AnyIndex)); s.Exists() {
			n.elemNode = &snode{sch: s, name: n.name, an: n.an, lock: n.lock}
		}
	})
	return n.elemNode
}

func (n *snode) leafCheck() *leaf {
	if n == nil {
		return &leaf{}
	}
	n.leafOnce.Do(func() {
		n.lock.Lock()
		defer n.lock.Unlock()
		if n.name != "" && !n.an.tainted[n.name] {
			n.leaf = classify(n.sch)
			n.leaf.probes = n.an.probes[n.name]
		}
	})
	return &n.leaf
}
