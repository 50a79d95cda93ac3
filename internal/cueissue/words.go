package cueissue

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"github.com/tollgate-dev/tollgate/internal/libmsg"
)

// The words of type and value messages, the same in both stages: "replicas: expected a whole
// number, got a string ("3")", "policy "x" is not one of "a", "b"", "at most 30".

// KindOf is the CUE kind of a plain value (as yamlsrc.ToAny makes them).
func KindOf(v any) cue.Kind {
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

// Mismatch reports whether data cannot be of any kind the schema sch accepts (a list or
// scalar where a mapping belongs, a string where a number belongs); nothing below such a value
// can be checked. An integer is a number.
func Mismatch(sch cue.Value, data any) bool {
	if !sch.Exists() {
		return false
	}
	want, got := sch.IncompleteKind(), KindOf(data)
	return !(want == cue.BottomKind || got == cue.BottomKind || want&got != 0 || got == cue.IntKind && want&cue.NumberKind != 0)
}

// ExpectedKinds is what the schema accepts at a path: from the schema itself, or else from
// CUE's "mismatched types" messages.
func ExpectedKinds(sch cue.Value, errs []RawErr) cue.Kind {
	if sch.Exists() {
		if k := sch.IncompleteKind(); k != cue.BottomKind && k != cue.TopKind {
			return k
		}
	}
	var k cue.Kind
	for _, e := range errs {
		if libmsg.CUEMismatchedTypes.In(e.Format) && len(e.Args) == 4 {
			for _, a := range e.Args[2:] {
				k |= kindByName[fmt.Sprint(a)]
			}
		}
	}
	return k
}

// kindByName reads the kinds CUE names in its messages.
var kindByName = map[string]cue.Kind{"string": cue.StringKind, "bool": cue.BoolKind, "int": cue.IntKind,
	"float": cue.NumberKind, "number": cue.NumberKind, "list": cue.ListKind, "struct": cue.StructKind,
	"null": cue.NullKind}

// KindWords says what a set of kinds is: "a whole number or a string".
func KindWords(k cue.Kind) string {
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

// ValueWords says what a value is: `a string ("3")`, "a number (2.5)", "a mapping".
func ValueWords(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("a string (%q)", v)
	case bool:
		return fmt.Sprintf("a boolean (%v)", v)
	case int, int64, *big.Int, float64:
		return fmt.Sprintf("a number (%v)", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

// TypeMessage is the message of a value of the wrong kind at path: "key: expected …, got …".
func TypeMessage(path []any, want cue.Kind, val any) string {
	return fmt.Sprintf("%s: expected %s, got %s", LastKey(path), KindWords(want), ValueWords(val))
}

// Show renders a value for a message: strings quoted, others as written.
func Show(v any) string {
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

// Alternatives are the literal strings of an enum, from CUE's "conflicting values" errors
// about val: quoted, sorted, val itself left out.
func Alternatives(errs []RawErr, val any) []string {
	self := Show(val)
	var out []string
	for _, e := range errs {
		if !libmsg.CUEConflictingValues.In(e.Format) || len(e.Args) != 2 {
			continue
		}
		for _, a := range e.Args {
			if s := fmt.Sprint(a); s != self && strings.HasPrefix(s, `"`) && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// BoundWords words a numeric bound as CUE writes it: ">=1" is "at least 1"; ok is false for
// what is not one (a pattern "=~…").
func BoundWords(b string) (words string, ok bool) {
	for _, op := range []struct{ op, words string }{{">=", "at least "}, {"<=", "at most "}, {"!=", "other than "}, {">", "more than "}, {"<", "less than "}} {
		if rest, ok := strings.CutPrefix(b, op.op); ok {
			return op.words + rest, true
		}
	}
	return "", false
}
