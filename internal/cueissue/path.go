package cueissue

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
)

// AppendPath is path with x after it, in a slice of its own.
func AppendPath(path []any, x any) []any { return append(slices.Clip(path), x) }

// Lookup returns the value at path in data and whether it exists (a null counts as existing).
func Lookup(data any, path []any) (any, bool) {
	cur := data
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[p]; !ok {
				return nil, false
			}
		case int:
			l, ok := cur.([]any)
			if !ok || p < 0 || p >= len(l) {
				return nil, false
			}
			cur = l[p]
		}
	}
	return cur, true
}

// LastKey is the last key of path ("value" when it has none): what a message calls the value.
func LastKey(path []any) string {
	for i := len(path) - 1; i >= 0; i-- {
		if s, ok := path[i].(string); ok {
			return s
		}
	}
	return "value"
}

// Where names a place in a document: "the top level", controls.macos_updates, policies[3].
func Where(path []any) string {
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

// WithoutNulls copies v without the null values of its mappings and lists their paths. Both
// formats decode `key:` with no value as if the key were absent, where CUE would see a type
// error; the keys are still checked against the schema (NullKeysAllowed, HasNullBelow).
func WithoutNulls(v any) (any, [][]any) {
	var nulls [][]any
	return withoutNulls(v, nil, &nulls), nulls
}

func withoutNulls(v any, path []any, nulls *[][]any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			if x == nil {
				*nulls = append(*nulls, AppendPath(path, k))
				continue
			}
			m[k] = withoutNulls(x, AppendPath(path, k), nulls)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = withoutNulls(x, AppendPath(path, i), nulls)
		}
		return l
	}
	return v
}

// HasNullBelow reports whether one of the null paths lies under path.
func HasNullBelow(nulls [][]any, path []any) bool {
	for _, n := range nulls {
		if len(n) > len(path) && ComparePaths(n[:len(path)], path) == 0 {
			return true
		}
	}
	return false
}

// NullKeysAllowed reports whether every key with a null value is a key the schema def knows
// (nulls are stripped before validation, so CUE cannot see an unknown one).
func NullKeysAllowed(def cue.Value, nulls [][]any) bool {
	for _, p := range nulls {
		parent := SchemaAt(def, p[:len(p)-1])
		if parent.Exists() && !parent.Allows(cue.Str(p[len(p)-1].(string))) {
			return false
		}
	}
	return true
}

// SchemaChild is the schema of field k (regular, optional or required) in the struct schema sch.
func SchemaChild(sch cue.Value, k string) cue.Value {
	n := sch.LookupPath(cue.MakePath(cue.Str(k)))
	if !n.Exists() {
		n = sch.LookupPath(cue.MakePath(cue.Str(k).Optional()))
	}
	if !n.Exists() {
		n = sch.LookupPath(cue.MakePath(cue.Str(k).Required()))
	}
	return n
}

// SchemaAt looks a data path up in the schema alone (list items by AnyIndex).
func SchemaAt(v cue.Value, path []any) cue.Value {
	for _, p := range path {
		if _, isIndex := p.(int); isIndex {
			v = v.LookupPath(cue.MakePath(cue.AnyIndex))
		} else {
			v = SchemaChild(v, fmt.Sprint(p))
		}
		if !v.Exists() {
			break
		}
	}
	return v
}

// AllowedKeys are the keys the struct schema sch declares, for a did-you-mean.
func AllowedKeys(sch cue.Value) []string {
	it, err := sch.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	var keys []string
	for it.Next() {
		if s := it.Selector(); s.IsString() {
			keys = append(keys, s.Unquoted())
		}
	}
	return keys
}

// DataPath converts a CUE error path (which starts at the definition the document was
// unified with) into a data path with int indices. CUE names list elements by number, so the
// data says whether a number is an index or a key. ok is false, with the path up to there,
// where a list's element is named by something other than an index.
func DataPath(data any, sels []string) (path []any, ok bool) {
	cur := data
	for _, s := range sels {
		if strings.HasPrefix(s, "#") && path == nil {
			continue
		}
		switch d := cur.(type) {
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 {
				return path, false
			}
			path = append(path, i)
			cur = nil
			if i < len(d) {
				cur = d[i]
			}
		case map[string]any:
			s = unquoteLabel(s)
			path = append(path, s)
			cur = d[s]
		default:
			path = append(path, unquoteLabel(s))
			cur = nil
		}
	}
	return path, true
}

// unquoteLabel turns a CUE path element such as "\"foo-bar\"" back into foo-bar.
func unquoteLabel(s string) string {
	if strings.HasPrefix(s, `"`) {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	return s
}
