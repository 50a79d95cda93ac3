package kubeschema

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"github.com/tollgate-dev/tollgate/internal/editdist"
)

// Small helpers: data paths, the schema at a path, and the words of messages.

func appendPath(p []any, x any) []any {
	return append(slices.Clip(p), x)
}

func comparePaths(a, b []any) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ai, aIdx := a[i].(int)
		bi, bIdx := b[i].(int)
		var c int
		switch {
		case aIdx && bIdx:
			c = ai - bi
		case aIdx != bIdx: // an index sorts before a key
			c = 1
			if aIdx {
				c = -1
			}
		default:
			c = strings.Compare(fmt.Sprint(a[i]), fmt.Sprint(b[i]))
		}
		if c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lookup finds path in data; present is false where it does not exist.
func lookup(data any, path []any) (v any, present bool) {
	v = data
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[p]; !ok {
				return nil, false
			}
		case int:
			l, ok := v.([]any)
			if !ok || p < 0 || p >= len(l) {
				return nil, false
			}
			v = l[p]
		}
	}
	return v, true
}

// schemaChild is the schema of field k (regular, optional or required) in the struct sch.
func schemaChild(sch cue.Value, k string) cue.Value {
	for _, sel := range []cue.Selector{cue.Str(k), cue.Str(k).Optional(), cue.Str(k).Required()} {
		if n := sch.LookupPath(cue.MakePath(sel)); n.Exists() {
			return n
		}
	}
	return cue.Value{}
}

// schemaAt looks a data path up in the schema alone (list items by AnyIndex).
func schemaAt(v cue.Value, path []any) cue.Value {
	for _, p := range path {
		if _, isIndex := p.(int); isIndex {
			v = v.LookupPath(cue.MakePath(cue.AnyIndex))
		} else {
			v = schemaChild(v, fmt.Sprint(p))
		}
		if !v.Exists() {
			break
		}
	}
	return v
}

func lastKey(path []any) string {
	for i := len(path) - 1; i >= 0; i-- {
		if s, ok := path[i].(string); ok {
			return s
		}
	}
	return "value"
}

// where names a place in a document: "the top level", spec.template.spec.containers[0].
func where(path []any) string {
	if len(path) == 0 {
		return "the top level"
	}
	var b strings.Builder
	for _, p := range path {
		if i, ok := p.(int); ok {
			fmt.Fprintf(&b, "[%d]", i)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		fmt.Fprint(&b, p)
	}
	return b.String()
}

func closest(s string, candidates []string) string { return editdist.Closest(s, candidates) }

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	slices.Sort(q)
	return strings.Join(q, ", ")
}

func kindOf(v any) cue.Kind {
	switch v.(type) {
	case nil:
		return cue.NullKind
	case string:
		return cue.StringKind
	case bool:
		return cue.BoolKind
	case int, int64, *big.Int:
		return cue.IntKind
	case float64:
		return cue.FloatKind
	case []any:
		return cue.ListKind
	case map[string]any:
		return cue.StructKind
	}
	return cue.BottomKind
}

func kindByName(s string) cue.Kind {
	return map[string]cue.Kind{"string": cue.StringKind, "bool": cue.BoolKind, "int": cue.IntKind,
		"float": cue.NumberKind, "number": cue.NumberKind, "list": cue.ListKind, "struct": cue.StructKind,
		"null": cue.NullKind}[s]
}

// kindWords says what a set of kinds is: "a whole number or a string".
func kindWords(k cue.Kind) string {
	var words []string
	for _, kw := range []struct {
		kind cue.Kind
		word string
	}{{cue.NumberKind, "a number"}, {cue.IntKind, "a whole number"}, {cue.FloatKind, "a number"},
		{cue.StringKind, "a string"}, {cue.BoolKind, "true or false"}, {cue.ListKind, "a list"}, {cue.StructKind, "a mapping"}} {
		if k&kw.kind == kw.kind {
			words = append(words, kw.word)
			k &^= kw.kind
		}
	}
	switch len(words) {
	case 0:
		return "null"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// valueWords says what a value is: `a string ("3")`, "a mapping".
func valueWords(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("a string (%q)", v)
	case bool:
		return fmt.Sprintf("a boolean (%v)", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("a number (%v)", v)
}

// show renders a value for a message: strings quoted, others as written.
func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case []any:
		return "(a list)"
	case map[string]any:
		return "(a mapping)"
	}
	return fmt.Sprint(v)
}
