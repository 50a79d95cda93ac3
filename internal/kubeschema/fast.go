package kubeschema

import (
	"strings"

	"cuelang.org/go/cue"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
)

// A fast path for valid documents. Unifying a manifest with its kind's definition costs a
// millisecond or more of CUE evaluation for a Deployment (its definition holds the whole pod
// spec), and most documents are valid. So each compiled schema also serves as a tree of plain
// nodes, built lazily from the CUE values (fields and whether each is required, closedness,
// pattern constraints, list elements), that a document is walked against in Go. A scalar is
// checked against its field's CUE constraint by CUE itself (an enum, a bound, a pattern, a
// date), and the verdicts are remembered per value. Anything the tree does not model (a
// disjunction of structs, a list with a validator) is handed to CUE whole.
//
// The fast path only answers "valid"; a document it doubts goes through the full CUE check,
// which finds and words the issues. So it can make a run faster but never change a finding,
// as long as it never calls an invalid document valid: TestFastPathAgrees checks that on the
// corpora and on thousands of mutations of them. It is not used for kinds with organisation
// schemas, which may hold any CUE.

type shape uint8

const (
	shapeAny    shape = iota // accepts anything (`_`, an open struct without fields)
	shapeStruct              // fields, closed or open or with a pattern for other keys
	shapeList                // [...elem]
	shapeLeaf                // a scalar constraint
	shapeCUE                 // anything else: unify the subtree with CUE
)

// maxVerdicts bounds the remembered verdicts of one leaf (names and images differ in every
// document; enum values and sizes repeat).
const maxVerdicts = 4096

type snode struct {
	sch   cue.Value
	kinds cue.Kind
	shape shape

	// shapeStruct, filled on first use
	filled   bool
	fields   map[string]*field
	required []string
	open     bool
	pattern  *snode

	elem *snode // shapeList

	pure     bool         // shapeLeaf: the constraint is only the kind
	verdicts map[any]bool // shapeLeaf: value → valid
}

type field struct {
	val  cue.Value
	node *snode // made on first use
}

// fastTree is the root of a compiled schema's tree. Like the compiled schema, it is used by
// one goroutine at a time.
type fastTree struct {
	ctx  *cue.Context
	root *snode
}

func newFastTree(ctx *cue.Context, def cue.Value) *fastTree {
	t := &fastTree{ctx: ctx}
	t.root = t.node(def)
	return t
}

func (t *fastTree) node(v cue.Value) *snode {
	n := &snode{sch: v, kinds: v.IncompleteKind()}
	op, _ := v.Expr()
	switch {
	case n.kinds == cue.TopKind && v.Subsume(t.ctx.CompileString("_")) == nil:
		n.shape = shapeAny
	case n.kinds == cue.StructKind:
		n.shape = shapeStruct
	case n.kinds == cue.ListKind && op == cue.NoOp:
		n.shape = shapeList
		if e := v.LookupPath(cue.MakePath(cue.AnyIndex)); e.Exists() && e.IncompleteKind() != cue.BottomKind {
			n.elem = t.node(e)
		} else {
			n.shape = shapeCUE
		}
	case n.kinds&(cue.StructKind|cue.ListKind) != 0 || n.kinds == cue.BottomKind:
		n.shape = shapeCUE
	default:
		n.shape = shapeLeaf
		n.pure = v.Subsume(t.ctx.CompileString(kindExpr(n.kinds))) == nil
	}
	return n
}

// kindExpr is the CUE type of a set of scalar kinds: "int | string".
func kindExpr(k cue.Kind) string {
	var parts []string
	if k&cue.NumberKind == cue.NumberKind {
		parts = append(parts, "number")
	} else if k&cue.IntKind != 0 {
		parts = append(parts, "int")
	} else if k&cue.FloatKind != 0 {
		parts = append(parts, "float")
	}
	for _, kw := range []struct {
		kind cue.Kind
		name string
	}{{cue.StringKind, "string"}, {cue.BoolKind, "bool"}, {cue.NullKind, "null"}, {cue.BytesKind, "bytes"}} {
		if k&kw.kind != 0 {
			parts = append(parts, kw.name)
		}
	}
	if len(parts) == 0 {
		return "_|_"
	}
	return strings.Join(parts, " | ")
}

// fill reads a struct node's fields from its CUE value.
func (t *fastTree) fill(n *snode) {
	n.filled = true
	n.fields = map[string]*field{}
	it, err := n.sch.Fields(cue.Optional(true))
	if err != nil {
		n.shape = shapeCUE
		return
	}
	for it.Next() {
		sel := it.Selector()
		if !sel.IsString() {
			continue
		}
		name := sel.Unquoted()
		if it.Value().IncompleteKind() == cue.BottomKind {
			n.shape = shapeCUE // a recursive definition seen from inside: CUE evaluates it whole
			return
		}
		n.fields[name] = &field{val: it.Value()}
		switch sel.ConstraintType() {
		case cue.RequiredConstraint:
			n.required = append(n.required, name)
		case 0: // a regular field
			if !it.Value().IsConcrete() {
				n.required = append(n.required, name) // a regular field must be made concrete
			}
		}
	}
	n.open = n.sch.Allows(cue.Str("\x00tollgate-probe"))
	if p := n.sch.LookupPath(cue.MakePath(cue.AnyString)); p.Exists() {
		if len(n.fields) > 0 || p.IncompleteKind() == cue.BottomKind {
			// A pattern also constrains the named fields, and a recursive one reads as bottom
			// from here: leave both to CUE.
			n.shape = shapeCUE
			return
		}
		n.pattern = t.node(p)
	}
}

// valid reports whether x (with null map values, as decoded) is certainly valid at n. false
// means "not certain": the full check decides.
func (t *fastTree) valid(n *snode, x any) bool {
	switch n.shape {
	case shapeAny:
		return true
	case shapeStruct:
		if !n.filled {
			t.fill(n)
			if n.shape != shapeStruct {
				return t.valid(n, x)
			}
		}
		m, ok := x.(map[string]any)
		if !ok {
			return false
		}
		for k, val := range m {
			var child *snode
			if f, known := n.fields[k]; known {
				if f.node == nil {
					f.node = t.node(f.val)
				}
				child = f.node
			} else if n.pattern != nil {
				child = n.pattern
			} else if !n.open {
				return false
			}
			if val == nil || child == nil {
				continue // null is absent to Kubernetes; an open struct takes any value
			}
			if !t.valid(child, val) {
				return false
			}
		}
		for _, r := range n.required {
			if m[r] == nil {
				return false
			}
		}
		return true
	case shapeList:
		l, ok := x.([]any)
		if !ok {
			return false
		}
		for _, item := range l {
			if item == nil || !t.valid(n.elem, item) {
				return false
			}
		}
		return true
	case shapeLeaf:
		k := cueissue.KindOf(x)
		if k&n.kinds == 0 && !(k == cue.IntKind && n.kinds&cue.NumberKind != 0) {
			return false
		}
		if n.pure {
			return true
		}
		key, comparable := verdictKey(x)
		if comparable {
			if ok, seen := n.verdicts[key]; seen {
				return ok
			}
		}
		ok := n.sch.Unify(t.ctx.Encode(x)).Validate(cue.Concrete(true)) == nil
		if comparable && len(n.verdicts) < maxVerdicts {
			if n.verdicts == nil {
				n.verdicts = map[any]bool{}
			}
			n.verdicts[key] = ok
		}
		return ok
	}
	data, nulls := cueissue.WithoutNulls(x)
	return len(nulls) == 0 && n.sch.Unify(t.ctx.Encode(data)).Validate(cue.Concrete(true)) == nil
}

// child is the node of key k in the struct node n, nil when n models no such child.
func (n *snode) child(t *fastTree, k string) *snode {
	if n == nil || n.shape != shapeStruct || !n.filled {
		return nil
	}
	if f, ok := n.fields[k]; ok {
		if f.node == nil {
			f.node = t.node(f.val)
		}
		return f.node
	}
	return n.pattern
}

// verdictKey is a map key for a scalar: its type matters (1 and "1" differ).
func verdictKey(x any) (any, bool) {
	switch x := x.(type) {
	case string, bool, int64, float64:
		return x, true
	case int:
		return int64(x), true
	}
	return nil, false
}
