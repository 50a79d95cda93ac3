// Package memo remembers the results of validating documents against CUE schemas, so that a
// document like one already checked costs a key instead of a CUE evaluation.
//
// CUE's evaluator costs ~1–2 ms for a 2 KB team file, mostly spent re-evaluating the closed
// definitions for every document. Repositories are repetitive: team files share their
// sections, and differ mostly in free-text values (names, queries, descriptions, secrets)
// that the schema checks only for their type or against a regular expression. So Check
// remembers a result under a key: a canonical encoding of the document (nulls included) in
// which such a value is replaced by a token when Go has checked it against the schema's
// constraint for that path. Two documents with the same key get the same result.
//
// Why that holds: a value is replaced only when
//   - its constraint, read from the compiled schema (bundled and organisation schemas
//     unified), is made only of a kind (string, bool, int), regular expressions (=~, !~),
//     integer bounds, time.Format layouts and disjunctions of those or of string literals,
//     all of which Go decides exactly (CUE uses Go's regexp and time.ParseInLocation), and
//     the value satisfies it (so no issue can be at that path: leaf.go); and
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
//     dynamic label and no `for` clause (analysis of the CUE source: taint.go).
//
// Everything else (keys, list lengths, nulls, every other value) is in the key verbatim, and
// issue messages are built only from those. A schema construct the analysis does not follow
// switches the replacement off: the key is then the exact document (still a hit for
// identical documents, such as a package file included by many teams).
//
// A document the memo has not seen is checked in parts when it has lists of items (a team's
// policies, reports, profiles, ...): each item like one seen before costs its key, so one
// file with 100,000 inline policies costs a few evaluations instead of one of gigabytes
// (split.go).
//
// The package knows nothing of what a result holds: the caller's evaluate function produces
// it, and Config says how to measure it.
package memo

import (
	"encoding/binary"
	"io/fs"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
)

// Config is what New needs to know about the schemas and the results.
type Config[T any] struct {
	// Defs are the compiled definitions documents are checked against (bundled and
	// organisation constraints unified), numbered as Check's def argument.
	Defs []cue.Value
	// Sources are the CUE files of every schema unified into Defs, for the analysis.
	Sources []Source
	// Lock serialises every use of the schema values in Defs, shared with the caller's
	// evaluations: cue.Value.LookupPath finalises the vertex it starts from, which is not
	// safe from two goroutines at once.
	Lock *sync.Mutex
	// Size is the rough number of bytes one result holds, to bound the memory remembered.
	Size func(T) int
	// Path is the data path a result is about, and Move a copy of it about another path:
	// the results of a list item are remembered once and moved to every item like it.
	Path func(T) []any
	Move func(t T, path []any) T
}

// Source is one CUE file.
type Source struct {
	Name string
	Text []byte
}

// Memo remembers results by document key. It is safe for concurrent use.
type Memo[T any] struct {
	an    *analysis
	roots []*snode
	lock  *sync.Mutex
	size  func(T) int
	path  func(T) []any
	move  func(T, []any) T

	mu      sync.RWMutex
	results map[[32]byte][]T
	bytes   int // rough size of results, to bound memory
}

// analysis is what the source analysis found, shared by a Memo and its Empty copies.
type analysis struct {
	abstract bool               // values may be replaced by tokens (see the package comment)
	tainted  map[string]bool    // field names whose value may matter beyond its own constraint
	probes   map[string][]probe // tests of values by comprehension conditions (probe.go)
	// lengthTested are names of lists a comprehension condition tests for emptiness.
	lengthTested map[string]bool
}

// limit bounds the memory held by remembered results (results and keys, roughly).
const limit = 32 << 20

// New analyses the schemas. It fails only when a source does not parse.
func New[T any](c Config[T]) (*Memo[T], error) {
	files, err := parseCUE(c.Sources)
	if err != nil {
		return nil, err
	}
	ta := newTaintAnalysis()
	ta.run(files)
	m := &Memo[T]{
		an:      &analysis{abstract: !ta.opaque, tainted: ta.tainted, probes: ta.probes, lengthTested: ta.lengthTested},
		lock:    c.Lock,
		size:    c.Size,
		path:    c.Path,
		move:    c.Move,
		results: map[[32]byte][]T{},
	}
	for _, d := range c.Defs {
		m.roots = append(m.roots, &snode{sch: d, an: m.an, lock: c.Lock})
	}
	return m, nil
}

// ReadSources reads the named files of fsys as Sources.
func ReadSources(fsys fs.FS, names []string) ([]Source, error) {
	var out []Source
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, Source{Name: n, Text: b})
	}
	return out, nil
}

// Empty returns a memo with the same analysis and schema nodes and nothing remembered.
func (m *Memo[T]) Empty() *Memo[T] {
	return &Memo[T]{an: m.an, roots: m.roots, lock: m.lock, size: m.size, path: m.path, move: m.move, results: map[[32]byte][]T{}}
}

// Entries is the number of results remembered.
func (m *Memo[T]) Entries() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.results)
}

// Check returns the result of doc checked against Defs[def]: the one remembered for a
// document with the same key, or else evaluate(doc), then remembered. A document with long
// lists may be checked in parts (split.go): evaluate then gets documents made of parts of
// doc. The result may be shared with other callers: it must not be modified.
func (m *Memo[T]) Check(def int, doc any, evaluate func(doc any) []T) []T {
	var head [binary.MaxVarintLen64]byte
	key, n, keyed := m.key(binary.AppendUvarint(head[:0], uint64(def)), doc, m.roots[def], nil)
	if !keyed {
		return evaluate(doc)
	}
	if res, hit := m.lookup(key); hit {
		return res
	}
	res, split := m.checkSplit(def, doc, evaluate)
	if !split {
		res = evaluate(doc)
	}
	if size := m.sizeOf(res, n); size <= limit/256 {
		m.store(key, res, n) // the whole document's too, unless it is large: a hit costs one key
	}
	return res
}

// lookup returns the remembered result for key; ok is false when there is none.
func (m *Memo[T]) lookup(key [32]byte) (res []T, ok bool) {
	m.mu.RLock()
	res, ok = m.results[key]
	m.mu.RUnlock()
	return res, ok
}

func (m *Memo[T]) store(key [32]byte, res []T, keyLen int) {
	size := m.sizeOf(res, keyLen)
	m.mu.Lock()
	if m.bytes+size > limit {
		clear(m.results) // forget everything: simple, and a repository rarely gets here
		m.bytes = 0
	}
	if _, dup := m.results[key]; !dup {
		m.results[key] = res
		m.bytes += size
	}
	m.mu.Unlock()
}

// sizeOf is roughly the memory res takes, remembered under a key of keyLen bytes.
func (m *Memo[T]) sizeOf(res []T, keyLen int) int {
	size := 64 + keyLen/8 // the key itself is a hash; documents of similar size follow
	for _, r := range res {
		size += m.size(r)
	}
	return size
}

// parseCUE parses the sources for the analysis.
func parseCUE(sources []Source) ([]*ast.File, error) {
	var files []*ast.File
	for _, s := range sources {
		f, err := parser.ParseFile(s.Name, s.Text)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
