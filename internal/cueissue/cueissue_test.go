package cueissue

import (
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue/token"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
)

func TestSortAndComparePaths(t *testing.T) {
	is := []Issue{
		{Path: []any{"b"}, RuleID: "r", Message: "m"},
		{Path: []any{"a", 10}, RuleID: "r", Message: "m"},
		{Path: []any{"a", 2, "x"}, RuleID: "r", Message: "m"},
		{Path: []any{"a", 2}, RuleID: "s", Message: "m"},
		{Path: []any{"a", 2}, RuleID: "r", Message: "n"},
		{Path: []any{"a", 2}, RuleID: "r", Message: "m"},
		{Path: nil, RuleID: "z", Message: "m"},
	}
	Sort(is)
	var got []string
	for _, i := range is {
		got = append(got, Where(i.Path)+" "+i.RuleID+" "+i.Message)
	}
	want := []string{"the top level z m", "a[2] r m", "a[2] r n", "a[2] s m", "a[2].x r m", "a[10] r m", "b r m"}
	if !slices.Equal(got, want) {
		t.Errorf("Sort:\n got %q\nwant %q", got, want)
	}
	if c := ComparePaths([]any{0}, []any{"a"}); c >= 0 {
		t.Errorf("an index sorts before a key: got %d", c)
	}
}

func TestWhereAndLastKey(t *testing.T) {
	for _, c := range []struct {
		path       []any
		where, key string
	}{
		{nil, "the top level", "value"},
		{[]any{"controls", "macos_updates"}, "controls.macos_updates", "macos_updates"},
		{[]any{"policies", 3, "name"}, "policies[3].name", "name"},
		{[]any{"spec", "args", 0}, "spec.args[0]", "args"},
	} {
		if got := Where(c.path); got != c.where {
			t.Errorf("Where(%v) = %q, want %q", c.path, got, c.where)
		}
		if got := LastKey(c.path); got != c.key {
			t.Errorf("LastKey(%v) = %q, want %q", c.path, got, c.key)
		}
	}
	p := &Place{Head: "unknown key \"x\" in ", Tail: "; tail"}
	is := Issue{Path: []any{"policies", 0, "x"}, Place: p}
	is.Message = p.Message(is.Path)
	moved := is.Moved([]any{"policies", 4, "x"})
	if moved.Message != `unknown key "x" in policies[4]; tail` || is.Message != `unknown key "x" in policies[0]; tail` {
		t.Errorf("Moved: %q (from %q)", moved.Message, is.Message)
	}
	if plain := (Issue{Path: []any{"a"}, Message: "m"}).Moved([]any{"b"}); plain.Message != "m" || Where(plain.Path) != "b" {
		t.Errorf("Moved without a place: %+v", plain)
	}
}

func TestWithoutNulls(t *testing.T) {
	doc := map[string]any{"a": nil, "b": []any{map[string]any{"c": nil, "d": int64(1)}}, "e": "x"}
	data, nulls := WithoutNulls(doc)
	want := map[string]any{"b": []any{map[string]any{"d": int64(1)}}, "e": "x"}
	if !reflect.DeepEqual(data, want) {
		t.Errorf("data = %#v, want %#v", data, want)
	}
	slices.SortFunc(nulls, ComparePaths)
	if !reflect.DeepEqual(nulls, [][]any{{"a"}, {"b", 0, "c"}}) {
		t.Errorf("nulls = %v", nulls)
	}
	if _, ok := doc["a"]; !ok || len(doc["b"].([]any)[0].(map[string]any)) != 2 {
		t.Error("WithoutNulls modified its argument")
	}
	if !HasNullBelow(nulls, []any{"b"}) || !HasNullBelow(nulls, nil) || HasNullBelow(nulls, []any{"e"}) || HasNullBelow(nulls, []any{"a"}) {
		t.Error("HasNullBelow")
	}
	if v, ok := Lookup(doc, []any{"a"}); !ok || v != nil {
		t.Error("a null counts as present")
	}
	if v, ok := Lookup(doc, []any{"b", 0, "d"}); !ok || v != int64(1) {
		t.Errorf("Lookup b[0].d = %v, %v", v, ok)
	}
	for _, p := range [][]any{{"b", 1}, {"b", -1}, {"e", "x"}, {"z"}} {
		if _, ok := Lookup(doc, p); ok {
			t.Errorf("Lookup(%v) found something", p)
		}
	}
}

func TestDataPath(t *testing.T) {
	data := map[string]any{"spec": map[string]any{"ports": []any{map[string]any{"name": "x"}}, "a-b": "y"}}
	for _, c := range []struct {
		sels []string
		want []any
		ok   bool
	}{
		{[]string{"#Deployment", "spec", "ports", "0", "name"}, []any{"spec", "ports", 0, "name"}, true},
		{[]string{"spec", `"a-b"`}, []any{"spec", "a-b"}, true},
		{[]string{"spec", "ports", "name"}, []any{"spec", "ports"}, false},
		{[]string{"spec", "ports", "3", "x"}, []any{"spec", "ports", 3, "x"}, true},
	} {
		got, ok := DataPath(data, c.sels)
		if !reflect.DeepEqual(got, c.want) || ok != c.ok {
			t.Errorf("DataPath(%q) = %v, %v; want %v, %v", c.sels, got, ok, c.want, c.ok)
		}
	}
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		k    cue.Kind
		want string
	}{
		{cue.IntKind, "a whole number"}, {cue.NumberKind, "a number"}, {cue.IntKind | cue.StringKind, "a whole number or a string"},
		{cue.StringKind | cue.BoolKind | cue.ListKind, "a string, true or false or a list"}, {cue.NullKind, "null"},
	} {
		if got := KindWords(c.k); got != c.want {
			t.Errorf("KindWords(%v) = %q, want %q", c.k, got, c.want)
		}
	}
	for _, c := range []struct {
		v          any
		words, shw string
		kind       cue.Kind
	}{
		{nil, "null", "<nil>", cue.NullKind},
		{"3", `a string ("3")`, `"3"`, cue.StringKind},
		{true, "a boolean (true)", "true", cue.BoolKind},
		{int64(3), "a number (3)", "3", cue.IntKind},
		{big.NewInt(7), "a number (7)", "7", cue.IntKind},
		{2.5, "a number (2.5)", "2.5", cue.FloatKind},
		{[]any{}, "a list", "(a list)", cue.ListKind},
		{map[string]any{}, "a mapping", "(a mapping)", cue.StructKind},
	} {
		if got := ValueWords(c.v); got != c.words {
			t.Errorf("ValueWords(%#v) = %q, want %q", c.v, got, c.words)
		}
		if got := Show(c.v); got != c.shw {
			t.Errorf("Show(%#v) = %q, want %q", c.v, got, c.shw)
		}
		if got := KindOf(c.v); got != c.kind {
			t.Errorf("KindOf(%#v) = %v, want %v", c.v, got, c.kind)
		}
	}
	if got := TypeMessage([]any{"spec", "replicas"}, cue.IntKind, "3"); got != `replicas: expected a whole number, got a string ("3")` {
		t.Errorf("TypeMessage = %q", got)
	}
	for b, want := range map[string]string{">=1": "at least 1", "<=30": "at most 30", ">0": "more than 0", "<5": "less than 5", `!=""`: `other than ""`} {
		if got, ok := BoundWords(b); !ok || got != want {
			t.Errorf("BoundWords(%q) = %q, %v; want %q", b, got, ok, want)
		}
	}
	if _, ok := BoundWords(`=~"^a"`); ok {
		t.Error("a pattern is no bound")
	}
}

// cueErrs validates data against the CUE schema src and gathers the errors as the stages do.
func cueErrs(t *testing.T, src string, data any) (cue.Value, *Gathered) {
	t.Helper()
	ctx := cuecontext.New()
	sch := ctx.CompileString(src, cue.Filename("org.cue"))
	if err := sch.Err(); err != nil {
		t.Fatal(err)
	}
	u := sch.Unify(ctx.Encode(data))
	g := &Gathered{}
	for _, e := range cueerrors.Errors(u.Validate(cue.Concrete(true))) {
		format, args := e.Msg()
		p, _ := DataPath(data, e.Path())
		g.Add(p, RawErr{Format: format, Args: args, Custom: FromUser(e, map[string]bool{"org.cue": true})})
	}
	return sch, g
}

func TestGatheredFromCUE(t *testing.T) {
	src := `colour: "red" | "blue", size: int & >=1 & <=30, name!: string, kind?: string`
	data := map[string]any{"colour": "green", "size": int64(40), "kind": int64(3)}
	sch, g := cueErrs(t, src, data)
	g.RequiredKeys(sch.Unify(cuecontext.New().Encode(data)), data, nil)
	g.Add([]any{"size"}, g.All()[0].Errs[0]) // the same error again: kept once
	byPath := map[string][]RawErr{}
	for _, pe := range g.All() {
		byPath[Where(pe.Path)] = pe.Errs
	}
	if alts := Alternatives(byPath["colour"], "green"); !slices.Equal(alts, []string{`"blue"`, `"red"`}) {
		t.Errorf("Alternatives = %q", alts)
	}
	var bounds []string
	for _, e := range byPath["size"] {
		if w, ok := BoundWords(fmt.Sprint(e.Args[len(e.Args)-1])); ok && strings.Contains(e.Format, "out of bound") {
			bounds = append(bounds, w)
		}
	}
	if !slices.Equal(bounds, []string{"at most 30"}) {
		t.Errorf("size errors %v: bounds %q", byPath["size"], bounds)
	}
	if k := ExpectedKinds(SchemaAt(sch, []any{"kind"}), byPath["kind"]); k != cue.StringKind {
		t.Errorf("ExpectedKinds(kind) = %v", k)
	}
	if errs := byPath["name"]; len(errs) != 1 || !strings.HasPrefix(errs[0].Format, "field is required") {
		t.Errorf("name: %v", errs)
	}
	for p, errs := range byPath {
		if p != "name" && !slices.ContainsFunc(errs, func(e RawErr) bool { return e.Custom }) {
			t.Errorf("%s: no error marked as the organisation's (org.cue): %v", p, errs)
		}
	}
	if FromUser(cueerrors.Newf(token.NoPos, "x"), map[string]bool{"org.cue": true}) {
		t.Error("an error with no position is nobody's")
	}
	if keys := AllowedKeys(sch); !slices.Equal(keys, []string{"colour", "size", "name", "kind"}) {
		t.Errorf("AllowedKeys = %q", keys)
	}
	if !SchemaChild(sch, "name").Exists() || !SchemaChild(sch, "kind").Exists() || SchemaChild(sch, "nope").Exists() {
		t.Error("SchemaChild finds regular, required and optional fields, and nothing else")
	}
	if !Mismatch(SchemaAt(sch, []any{"size"}), "x") || Mismatch(SchemaAt(sch, []any{"size"}), int64(2)) || Mismatch(cue.Value{}, "x") {
		t.Error("Mismatch")
	}
	closed := cuecontext.New().CompileString("close({a?: int})")
	if !NullKeysAllowed(closed, [][]any{{"a"}}) || NullKeysAllowed(closed, [][]any{{"b"}}) {
		t.Error("NullKeysAllowed")
	}
}

func TestErrorText(t *testing.T) {
	v := cuecontext.New().CompileString("a: int\na: \"x\"\n", cue.Filename("bad.cue"))
	got := ErrorText(v.Validate())
	if !strings.HasPrefix(got, "bad.cue:") || !strings.Contains(got, "conflicting values") {
		t.Errorf("ErrorText = %q, want bad.cue:line:col: conflicting values ...", got)
	}
}
