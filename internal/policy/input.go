package policy

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tollgate-dev/tollgate/internal/model"
)

// Facts are the parts of the input every evaluation of a run shares (input.era, input.global,
// input.repo and, with lint --base, input.change), converted to OPA values once, and the
// values many inputs hold (model.Shared), converted once when first met.
type Facts struct {
	era, global, repo, change *ast.Term
	profiles                  model.ProfileCache
	converter
}

// converter converts plain values to OPA values, each model.Shared once, and each value that
// sharedID recognises (the items of included files) once.
type converter struct {
	shared   sync.Map // *model.Shared, or a sharedID identity → ast.Value
	sharedID func(any) (any, bool)
	// keys holds mapping keys converted once: the same few hundred keys (name, path, entry,
	// file...) recur in every team's input, and each conversion was an allocation. Bounded,
	// for YAML whose keys are data (maxKeys).
	keys  sync.Map // string → ast.Value
	nkeys atomic.Int64
	// strings does the same for short string values: file paths, roles, platforms and the
	// other texts every team's records repeat (the strings unique to a team fill it too, up
	// to its bound, which the first batches reach).
	strings  sync.Map // string → ast.Value
	nstrings atomic.Int64
}

// maxKeys bounds converter.keys and converter.strings: past it, further keys (strings) are
// converted each time.
const maxKeys = 4096

// maxCachedString is the longest string value converter.strings keeps.
const maxCachedString = 256

// key converts a mapping key to a term, which objects share (as OPA's interned terms are).
func (f *converter) key(k string) *ast.Term {
	return cached(&f.keys, &f.nkeys, k, func(s string) *ast.Term { return ast.StringTerm(s) })
}

// cached converts s with conv, through cache while it holds fewer than maxKeys strings.
func cached[T any](cache *sync.Map, n *atomic.Int64, s string, conv func(string) T) T {
	if v, ok := cache.Load(s); ok {
		return v.(T)
	}
	v := conv(s)
	if n.Load() < maxKeys {
		if got, loaded := cache.LoadOrStore(s, v); loaded {
			return got.(T)
		}
		n.Add(1)
	}
	return v
}

func stringValue(s string) ast.Value { return ast.String(s) }

// smallObject is the most entries an object's key-value list is kept on the stack for.
const smallObject = 16

// ShareValues tells the conversion which maps and lists many inputs hold (the items of
// included files, load.Repo.SharedValue): each is converted once for the run, not once for
// every team that includes it.
func (f *Facts) ShareValues(id func(any) (any, bool)) { f.sharedID = id }

// NewFacts converts the facts of a run; change is input.change, or nil.
func (e *Engine) NewFacts(m *model.Facts, change any) (*Facts, error) {
	f := &Facts{era: ast.StringTerm(m.Era), global: ast.NullTerm()}
	if m.Global != nil {
		v, err := f.value(m.Global)
		if err != nil {
			return nil, inputError(err)
		}
		f.global = ast.NewTerm(v)
	}
	v, err := f.value(m.Repo)
	if err != nil {
		return nil, inputError(err)
	}
	f.repo = ast.NewTerm(v)
	if change != nil {
		v, err := f.value(change)
		if err != nil {
			return nil, inputError(err)
		}
		f.change = ast.NewTerm(v)
	}
	return f, nil
}

func inputError(err error) error { return fmt.Errorf("building policy input: %w", err) }

// input is the Rego input of one part of the repository, converted from in (model.Input).
func (f *Facts) input(in map[string]any) (ast.Value, error) {
	v, err := f.value(in)
	if err != nil {
		return nil, inputError(err)
	}
	obj := v.(ast.Object)
	obj.Insert(ast.InternedTerm("era"), f.era)
	obj.Insert(ast.InternedTerm("global"), f.global)
	obj.Insert(ast.InternedTerm("repo"), f.repo)
	if f.change != nil {
		obj.Insert(ast.InternedTerm("change"), f.change)
	}
	return obj, nil
}

// value converts a plain value (model.Plain) as ast.InterfaceToValue does, and a
// model.Shared once for the run.
func (f *converter) value(x any) (ast.Value, error) {
	if f.sharedID != nil {
		if id, ok := f.sharedID(x); ok {
			return f.once(id, x)
		}
	}
	return f.convert(x)
}

// convert converts x itself (value checks first whether it is shared).
func (f *converter) convert(x any) (ast.Value, error) {
	switch x := x.(type) {
	case map[string]any:
		terms := make([]ast.Term, len(x))   // one allocation for the object's values
		var small [smallObject][2]*ast.Term // NewObject copies the list: no allocation for it
		kvs := small[:0]
		i := 0
		for k, e := range x {
			v, err := f.value(e)
			if err != nil {
				return nil, err
			}
			terms[i].Value = v
			kvs = append(kvs, [2]*ast.Term{f.key(k), &terms[i]})
			i++
		}
		return ast.NewObject(kvs...), nil
	case []any:
		terms := make([]ast.Term, len(x))
		ts := make([]*ast.Term, len(x))
		for i, e := range x {
			v, err := f.value(e)
			if err != nil {
				return nil, err
			}
			terms[i].Value = v
			ts[i] = &terms[i]
		}
		return ast.NewArray(ts...), nil
	case *model.Shared:
		return f.once(x, x.Value)
	case *model.RefRecord:
		return f.refRecord(x)
	case *model.ProfileRecord:
		return f.profileRecord(x)
	case *model.UseRecord:
		path, err := f.value(x.Path)
		if err != nil {
			return nil, err
		}
		return record(useKeys, f.str(x.Entry), path), nil
	case string:
		return f.str(x), nil
	}
	return ast.InterfaceToValue(x)
}

// The keys of the model's records (model/records.go), in the order record is given values.
var (
	refKeys     = keyTerms("entry", "path", "role", "target", "exists")
	profileKeys = keyTerms("file", "entry", "ref", "format", "name", "identifier", "signed",
		"payloads", "problems", "keys", "platform", "apple_platforms")
	useKeys = keyTerms("entry", "path")
)

func keyTerms(keys ...string) []*ast.Term {
	ts := make([]*ast.Term, len(keys))
	for i, k := range keys {
		ts[i] = ast.StringTerm(k)
	}
	return ts
}

// record is the object of keys[i]: vals[i].
func record(keys []*ast.Term, vals ...ast.Value) ast.Object {
	terms := make([]ast.Term, len(vals))
	var small [smallObject][2]*ast.Term
	kvs := small[:0]
	for i, v := range vals {
		terms[i].Value = v
		kvs = append(kvs, [2]*ast.Term{keys[i], &terms[i]})
	}
	return ast.NewObject(kvs...)
}

// str converts a string value.
func (f *converter) str(s string) ast.Value {
	if len(s) <= maxCachedString {
		return cached(&f.strings, &f.nstrings, s, stringValue)
	}
	return ast.String(s)
}

func (f *converter) refRecord(r *model.RefRecord) (ast.Value, error) {
	path, err := f.value(r.Path)
	if err != nil {
		return nil, err
	}
	return record(refKeys, f.str(r.Entry), path, f.str(r.Role), f.str(r.Target), ast.Boolean(r.Exists)), nil
}

func (f *converter) profileRecord(r *model.ProfileRecord) (ast.Value, error) {
	var shared [5]ast.Value // ref, payloads, problems, keys, apple_platforms
	for i, x := range [...]any{r.Ref, r.Payloads, r.Problems, r.Keys, r.ApplePlatforms} {
		v, err := f.value(x)
		if err != nil {
			return nil, err
		}
		shared[i] = v
	}
	return record(profileKeys, f.str(r.File), f.str(r.Entry), shared[0], f.str(r.Format), f.str(r.Name),
		f.str(r.Identifier), ast.Boolean(r.Signed), shared[1], shared[2], shared[3], f.str(r.Platform),
		shared[4]), nil
}

// once converts x, a value many inputs hold, the first time it is met under key.
func (f *converter) once(key, x any) (ast.Value, error) {
	if v, ok := f.shared.Load(key); ok {
		return v.(ast.Value), nil
	}
	v, err := f.convert(x)
	if err != nil {
		return nil, err
	}
	// OPA values are safe to read from concurrent evaluations; two workers converting
	// the same value at once keep the first.
	got, _ := f.shared.LoadOrStore(key, v)
	return got.(ast.Value), nil
}

// conftestValue is a whole document as plain conftest policies see it, converted lazily: it is
// the input itself, not a member of an array, so what a policy does not read is never
// converted. Values must be plain (model.Plain): the lazy conversion cannot report an error,
// and a lazy object must stay with one evaluation at a time (it caches what it converts).
func conftestValue(doc any) (ast.Value, error) {
	if m, ok := doc.(map[string]any); ok {
		return ast.LazyObject(m), nil
	}
	return ast.InterfaceToValue(doc)
}
