package schema

import (
	"crypto/sha256"
	"encoding/binary"
	"io/fs"
	"math"
	"math/big"
	"os"
	"slices"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	bundled "github.com/tollgate-dev/tollgate/cue"
)

// Memoisation of results.
//
// CUE's evaluator costs ~1–2 ms for a 2 KB team file, mostly spent re-evaluating the closed
// definitions for every document. Repositories are repetitive: team files share their
// sections, and differ mostly in free-text values (names, queries, descriptions, secrets)
// that the schema checks only for their type or against a regular expression. So check
// remembers its result under a key: a canonical encoding of the document (nulls included)
// in which such a value is replaced by a token when Go has checked it against the schema's
// constraint for that path. Two documents with the same key get the same issues.
//
// Why that holds: a value is replaced only when
//   - its constraint, read from the compiled schema (bundled and organisation schemas
//     unified), is made only of a kind (string, bool, int), regular expressions (=~, !~),
//     integer bounds, time.Format layouts and disjunctions of those or of string literals,
//     all of which Go decides exactly (CUE uses Go's regexp and time.ParseInLocation), and
//     the value satisfies it (so no issue can be at that path); and
//   - its own declaration reads nothing from the document (no other field, directly or
//     through a definition: see reads.go), so the constraint read without data is the one
//     the value meets;
//   - no other part of the schemas can depend on the value beyond what the key records: its
//     field name is never referenced in an expression, nor in a comprehension condition
//     except to test its presence or compare it with a constant (the results of those
//     comparisons follow the token: see probe.go), is not declared with
//     anything but a plain kind inside a comprehension (or inside a definition used there, a
//     conditional constraint the lookup could not see), and the schemas use no builtin that
//     looks at values inside a list or struct (list.UniqueItems, matchN, ...), no alias, no
//     dynamic label and no `for` clause (analysis of the CUE source: see taintAnalysis).
//
// Everything else (keys, list lengths, nulls, every other value) is in the key verbatim,
// and issue messages are built only from those. A schema construct the analysis does not
// follow switches the replacement off: the key is then the exact document (still a hit for
// identical documents, such as a package file included by many teams).
type memo struct {
	abstract bool               // values may be replaced by tokens (see above)
	tainted  map[string]bool    // field names whose value may matter beyond its own constraint
	probes   map[string][]probe // tests of values by comprehension conditions (probe.go)
	roots    [2][4]*snode

	mu      sync.RWMutex
	results map[[32]byte][]Issue
	bytes   int // rough size of results, to bound memory
}

// memoLimit bounds the memory held by remembered results (issues and keys, roughly).
const memoLimit = 32 << 20

func newMemo(v *Validator, userFiles []string) (*memo, error) {
	m := &memo{results: map[[32]byte][]Issue{}}
	ta := newTaintAnalysis()
	var files []*ast.File
	names, err := fs.Glob(bundled.FS, "*.cue")
	if err != nil {
		return nil, err
	}
	bundledFiles, err := parseCUE(names, func(n string) ([]byte, error) { return fs.ReadFile(bundled.FS, n) })
	if err != nil {
		return nil, err
	}
	orgFiles, err := parseCUE(userFiles, os.ReadFile)
	if err != nil {
		return nil, err
	}
	files = append(append(files, bundledFiles...), orgFiles...)
	ta.run(files)
	m.abstract = !ta.opaque
	m.tainted = ta.tainted
	m.probes = ta.probes
	for era := range v.defs {
		for kind := range v.defs[era] {
			m.roots[era][kind] = &snode{sch: v.defs[era][kind]}
		}
	}
	return m, nil
}

// fresh returns a memo with the same analysis and no results (benchmarks).
func (m *memo) fresh() *memo {
	return &memo{abstract: m.abstract, tainted: m.tainted, probes: m.probes, roots: m.roots, results: map[[32]byte][]Issue{}}
}

// lookup returns the remembered issues for key; ok is false when there are none.
func (m *memo) lookup(key [32]byte) (issues []Issue, ok bool) {
	m.mu.RLock()
	issues, ok = m.results[key]
	m.mu.RUnlock()
	return issues, ok
}

func (m *memo) store(key [32]byte, issues []Issue, keyLen int) {
	size := 64 + keyLen/8 // the key itself is a hash; documents of similar size follow
	for _, is := range issues {
		size += 128 + len(is.Message) + len(is.Hint) + 16*len(is.Path)
	}
	m.mu.Lock()
	if m.bytes+size > memoLimit {
		clear(m.results) // forget everything: simple, and a repository rarely gets here
		m.bytes = 0
	}
	if _, dup := m.results[key]; !dup {
		m.results[key] = issues
		m.bytes += size
	}
	m.mu.Unlock()
}

// ---- keys

var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// key computes the memo key of doc checked against the definition of (era, kind). ok is
// false for a value of a type it does not know.
func (m *memo) key(era Era, kind Kind, doc any) (key [32]byte, n int, ok bool) {
	bp := keyBufs.Get().(*[]byte)
	b := append((*bp)[:0], byte(era), byte(kind))
	b, ok = m.encode(b, doc, m.roots[era][kind])
	if ok {
		key = sha256.Sum256(b)
	}
	n = len(b)
	*bp = b
	keyBufs.Put(bp)
	return key, n, ok
}

// encode appends the canonical encoding of x, whose schema is node (nil: unknown).
func (m *memo) encode(b []byte, x any, node *snode) ([]byte, bool) {
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
			var ok bool
			if b, ok = m.encode(b, x[k], node.child(k)); !ok {
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
			if b, ok = m.encode(b, e, el); !ok {
				return b, false
			}
		}
		return b, true
	case string:
		if m.abstract {
			if l := node.leafCheck(m); l.string(x) {
				if t, ok := l.appendProbes(append(b, 'S'), x); ok {
					return t, true
				}
			}
		}
		return appendString(append(b, 's'), x), true
	case bool:
		if m.abstract {
			if l := node.leafCheck(m); l.bool() && len(l.probes) == 0 {
				return append(b, 'B'), true
			}
		}
		if x {
			return append(b, 't'), true
		}
		return append(b, 'f'), true
	case int64:
		if m.abstract {
			if l := node.leafCheck(m); l.int(x) {
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

// ---- schema nodes

// snode is the schema at one data path (list items share one), built lazily and shared by
// all goroutines. A nil *snode is an unknown schema: values below it are kept verbatim.
type snode struct {
	sch  cue.Value
	name string // the field name (list items: the list's)

	kids     sync.Map // string → *snode
	elemOnce sync.Once
	elemNode *snode
	leafOnce sync.Once
	leaf     leaf
}

// schemaMu serialises every use of the shared schema values: building snodes (once per node)
// and full evaluations (memo misses). cue.Value.LookupPath finalises the vertex it starts from,
// which is not safe from two goroutines at once (the race detector caught it with teams checked
// in parallel batches); the memo's hits, most documents, need no CUE and run in parallel.
var schemaMu sync.Mutex

func (n *snode) child(k string) *snode {
	if n == nil {
		return nil
	}
	if c, ok := n.kids.Load(k); ok {
		return c.(*snode)
	}
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if c, ok := n.kids.Load(k); ok {
		return c.(*snode)
	}
	var c *snode
	if n.sch.IncompleteKind()&cue.StructKind != 0 {
		if s := schemaChild(n.sch, k); s.Exists() {
			c = &snode{sch: s, name: k}
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
		schemaMu.Lock()
		defer schemaMu.Unlock()
		if n.sch.IncompleteKind()&cue.ListKind == 0 {
			return
		}
		if s := n.sch.LookupPath(cue.MakePath(cue.AnyIndex)); s.Exists() {
			n.elemNode = &snode{sch: s, name: n.name}
		}
	})
	return n.elemNode
}

func (n *snode) leafCheck(m *memo) *leaf {
	if n == nil {
		return &leaf{}
	}
	n.leafOnce.Do(func() {
		schemaMu.Lock()
		defer schemaMu.Unlock()
		if n.name != "" && !m.tainted[n.name] {
			n.leaf = classify(n.sch)
			n.leaf.probes = m.probes[n.name]
		}
	})
	return &n.leaf
}

// ---- source analysis

// taintAnalysis finds the field names whose values may matter beyond their own constraint
// (see memo), from the CUE source of all schemas. Names are taken without regard to where
// they occur: a name tainted anywhere is kept verbatim everywhere.
type taintAnalysis struct {
	tainted map[string]bool
	probes  map[string][]probe    // names only tested by comprehension conditions: the tests
	defs    map[string][]ast.Expr // definition name → values (for comprehension bodies)
	opaque  bool                  // a construct this analysis does not follow
	// packages are the names imported packages go by; defReads says whether a definition
	// reads data (reads.go).
	packages map[string]bool
	defReads map[string]bool
	declared map[string]bool // names declared anywhere (reads.go)
	visited  map[string]bool
}

// valueBuiltins look at no value inside a list or struct beyond counting.
var valueBuiltins = map[string]bool{
	"error": true, "close": true, "len": true,
	"strings.MaxRunes": true, "strings.MinRunes": true, "time.Format": true,
	"list.MinItems": true, "list.MaxItems": true, "struct.MinFields": true, "struct.MaxFields": true,
}

func newTaintAnalysis() *taintAnalysis {
	return &taintAnalysis{tainted: map[string]bool{}, probes: map[string][]probe{}, defs: map[string][]ast.Expr{},
		packages: map[string]bool{}, defReads: map[string]bool{}, declared: map[string]bool{}}
}

func (t *taintAnalysis) run(files []*ast.File) {
	t.importNames(files)
	t.declaredNames(files)
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			if fl, ok := n.(*ast.Field); ok {
				if name, _, err := ast.LabelName(fl.Label); err == nil && strings.HasPrefix(name, "#") {
					t.defs[name] = append(t.defs[name], fl.Value)
				}
			}
			return true
		}, nil)
	}
	for _, f := range files {
		for _, d := range f.Decls {
			t.decl(d, false)
		}
	}
}

func (t *taintAnalysis) decl(d ast.Decl, cond bool) {
	switch d := d.(type) {
	case *ast.Field:
		t.label(d.Label, d.Value, cond)
		t.taintDataReaders(d)
		if !cond && hiddenLabel(d.Label) {
			// A hidden field is no data: its value only feeds conditions, and is read like one
			// (`_any: (labels_include_any & [_, ...]) != _|_`).
			t.condition(d.Value)
			return
		}
		t.expr(d.Value, cond)
	case *ast.EmbedDecl:
		t.expr(d.Expr, cond)
	case *ast.Comprehension:
		t.comprehension(d)
	case *ast.LetClause:
		t.expr(d.Expr, cond)
	case *ast.Attribute, *ast.CommentGroup, *ast.ImportDecl, *ast.Package:
	case *ast.Ellipsis:
		t.expr(d.Type, cond)
	default:
		t.opaque = true
	}
}

// label records a field declared in a comprehension body (cond) with more than a kind.
func (t *taintAnalysis) label(l ast.Label, value ast.Expr, cond bool) {
	switch l := l.(type) {
	case *ast.Ident:
		if cond && !bareKind(value) {
			t.tainted[l.Name] = true
		}
	case *ast.BasicLit:
		if cond && !bareKind(value) {
			name, _, err := ast.LabelName(l)
			if err != nil {
				t.opaque = true
				return
			}
			t.tainted[name] = true
		}
	default: // dynamic labels, pattern constraints, aliases
		if cond {
			t.opaque = true
		}
		if _, isAlias := l.(*ast.Alias); isAlias {
			t.opaque = true
			return
		}
		t.expr(l.(ast.Expr), cond)
	}
}

func bareKind(x ast.Expr) bool {
	id, ok := x.(*ast.Ident)
	if !ok {
		return false
	}
	switch id.Name {
	case "string", "int", "bool", "number", "_":
		return true
	}
	return false
}

func (t *taintAnalysis) comprehension(c *ast.Comprehension) {
	for _, cl := range c.Clauses {
		switch cl := cl.(type) {
		case *ast.IfClause:
			t.condition(cl.Condition)
		case *ast.ForClause:
			// Its variables hold values of the document under names this analysis cannot
			// follow (`for k, v in features if v == true`): no value may be replaced.
			t.opaque = true
			t.expr(cl.Source, false)
		case *ast.LetClause:
			t.expr(cl.Expr, false)
		default:
			t.opaque = true
		}
	}
	t.expr(c.Value, true)
}

// expr taints every name referenced in x; with cond, x is (part of) a comprehension body.
func (t *taintAnalysis) expr(x ast.Expr, cond bool) {
	switch x := x.(type) {
	case nil:
	case *ast.Ident:
		t.tainted[x.Name] = true
		if cond && strings.HasPrefix(x.Name, "#") {
			t.conditionalDef(x.Name)
		}
	case *ast.BasicLit, *ast.BottomLit:
	case *ast.StructLit:
		for _, d := range x.Elts {
			t.decl(d, cond)
		}
	case *ast.ListLit:
		for _, e := range x.Elts {
			t.expr(e, cond)
		}
	case *ast.Ellipsis:
		t.expr(x.Type, cond)
	case *ast.BinaryExpr:
		// The arms of a disjunction apply depending on the data, like a comprehension body.
		or := cond || x.Op == token.OR
		t.expr(x.X, or)
		t.expr(x.Y, or)
	case *ast.UnaryExpr:
		t.expr(x.X, cond)
	case *ast.ParenExpr:
		t.expr(x.X, cond)
	case *ast.SelectorExpr:
		t.expr(x.X, cond)
		if name, _, err := ast.LabelName(x.Sel); err == nil {
			t.tainted[name] = true
			if cond && strings.HasPrefix(name, "#") {
				t.conditionalDef(name)
			}
		}
	case *ast.IndexExpr:
		t.expr(x.X, cond)
		t.expr(x.Index, cond)
	case *ast.SliceExpr:
		t.expr(x.X, cond)
		t.expr(x.Low, cond)
		t.expr(x.High, cond)
	case *ast.CallExpr:
		if !valueBuiltins[callName(x.Fun)] {
			t.opaque = true
		}
		t.expr(x.Fun, cond)
		for _, a := range x.Args {
			t.expr(a, cond)
		}
	case *ast.Interpolation:
		for _, e := range x.Elts {
			t.expr(e, cond)
		}
	case *ast.Comprehension:
		t.comprehension(x)
	default:
		t.opaque = true
	}
}

// conditionalDef treats the definition name, used in a comprehension body, as a body too.
func (t *taintAnalysis) conditionalDef(name string) {
	if t.visited == nil {
		t.visited = map[string]bool{}
	}
	if t.visited[name] {
		return
	}
	t.visited[name] = true
	for _, v := range t.defs[name] {
		t.expr(v, true)
	}
}

func callName(f ast.Expr) string {
	switch f := f.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if pkg, ok := f.X.(*ast.Ident); ok {
			name, _, _ := ast.LabelName(f.Sel)
			return pkg.Name + "." + name
		}
	}
	return ""
}

// parseCUE parses the named CUE files, read with read, for the taint analysis.
func parseCUE(names []string, read func(string) ([]byte, error)) ([]*ast.File, error) {
	var files []*ast.File
	for _, n := range names {
		src, err := read(n)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(n, src)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
