package policy

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// evalBuiltin evaluates a query using tollgate's builtins and returns the value of x.
func evalBuiltin(t *testing.T, query string) (ast.Value, error) {
	t.Helper()
	decls, impls := builtins(nil, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	compiler := ast.NewCompiler().WithBuiltins(decls)
	opts := append([]func(*rego.Rego){rego.Query(query), rego.Compiler(compiler), rego.StrictBuiltinErrors(true)}, impls...)
	pq, err := rego.New(opts...).PrepareForEval(context.Background())
	if err != nil {
		return nil, err
	}
	rs, err := pq.Eval(context.Background())
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return ast.InterfaceToValue(rs[0].Bindings["x"])
}

func TestFindKeys(t *testing.T) {
	cases := []builtinCase{
		{"nested objects and arrays, object keys in order",
			`x := tollgate.find_keys({"b": {"token": 1}, "a": [{"token": "t", "x": 2}, 3], "token": {"token": 4}}, {"token"})`,
			`[[["a", 0, "token"], "t"], [["b", "token"], 1], [["token"], {"token": 4}], [["token", "token"], 4]]`},
		{"several keys, only object keys match",
			`x := tollgate.find_keys({"list": ["password", {"password": null}], "metadata": "m"}, {"password", "metadata"})`,
			`[[["list", 1, "password"], null], [["metadata"], "m"]]`},
		{"non-string keys", `x := tollgate.find_keys({1: "one", "s": {1: "inner"}}, {1})`,
			`[[[1], "one"], [["s", 1], "inner"]]`},
		{"sets are descended into like walk()", `x := tollgate.find_keys({"s": {{"k": 1}}}, {"k"})`,
			`[[["s", {"k": 1}, "k"], 1]]`},
		{"scalar", `x := tollgate.find_keys("token", {"token"})`, `[]`},
		{"null", `x := tollgate.find_keys(null, {"token"})`, `[]`},
		{"no keys", `x := tollgate.find_keys({"token": 1}, set())`, `[]`},
		{"empty", `x := tollgate.find_keys({}, {"token"})`, `[]`},
	}
	runBuiltinCases(t, cases)
}

// find_keys gives what walk() gives for the same keys, in the same (sorted) order.
func TestFindKeysMatchesWalk(t *testing.T) {
	doc := `{"org_settings": {"integrations": {"jira": [{"api_token": "a", "url": "u"}, {"api_token": {"api_token": "b"}}]},
		"secrets": [{"secret": "s"}, {"secret": "t", "token": 1}], "sso_settings": {"metadata": "<xml/>", "x": [[{"token": 2}]]}}}`
	keys := `{"api_token", "secret", "metadata", "token"}`
	got, err := evalBuiltin(t, `x := tollgate.find_keys(`+doc+`, `+keys+`)`)
	if err != nil {
		t.Fatal(err)
	}
	want, err := evalBuiltin(t, `x := [[p, v] | walk(`+doc+`, [p, v]); count(p) > 0; `+keys+`[p[count(p)-1]]]`)
	if err != nil {
		t.Fatal(err)
	}
	if got.Compare(want) != 0 {
		t.Errorf("find_keys %v\nwalk      %v", got, want)
	}
	if n := got.(*ast.Array).Len(); n != 8 {
		t.Errorf("%d hits, want 8", n)
	}
}

func TestFindKeysRejectsNonSetKeys(t *testing.T) {
	// The type checker refuses a literal array; a value only known at run time is an error.
	if _, err := evalBuiltin(t, `x := tollgate.find_keys({"a": 1}, ["a"])`); err == nil {
		t.Error("array of keys accepted")
	}
	if _, err := evalBuiltin(t, `k := json.unmarshal("[\"a\"]"); x := tollgate.find_keys({"a": 1}, k)`); err == nil {
		t.Error("array of keys accepted at run time")
	}
}

func BenchmarkFindKeys(b *testing.B) {
	v := ast.MustParseTerm(`{"secrets": [{"secret": "$FLEET_X"}], "features": {"enable_host_users": true, "enable_software_inventory": true},
		"host_expiry_settings": {"host_expiry_enabled": true, "host_expiry_window": 30}}`).Value
	keys := ast.NewSet(ast.StringTerm("secret"), ast.StringTerm("token"), ast.StringTerm("password"))
	b.ReportAllocs()
	for b.Loop() {
		findKeysIn(v, keys)
	}
}

func TestDuplicateNames(t *testing.T) {
	cases := []builtinCase{
		{"first occurrence, trimmed, exact case",
			`x := tollgate.duplicate_names([{"name": "A"}, {"name": "b"}, {"name": " A "}, {"name": "a"}, {"name": "A"}, {"name": "b"}], "name")`,
			`[[2, 0], [4, 0], [5, 1]]`},
		{"skips non-objects, other types, empty names",
			`x := tollgate.duplicate_names(["A", {"name": "A"}, {"name": 1}, {"name": 1}, {"name": " "}, {"name": ""}, {"x": "A"}, ["A"], {"name": "A\n"}], "name")`,
			`[[8, 1]]`},
		{"other key", `x := tollgate.duplicate_names([{"slug": "z"}, {"slug": "z"}], "slug")`, `[[1, 0]]`},
		{"no duplicates", `x := tollgate.duplicate_names([{"name": "A"}, {"name": "B"}], "name")`, `[]`},
		{"not an array", `x := tollgate.duplicate_names({"a": {"name": "A"}, "b": {"name": "A"}}, "name")`, `[]`},
		{"null", `x := tollgate.duplicate_names(null, "name")`, `[]`},
	}
	runBuiltinCases(t, cases)
}

// duplicate_names gives what the pairwise comparison in Rego gives.
func TestDuplicateNamesMatchesRego(t *testing.T) {
	items := `[{"name": "x"}, {"name": " y"}, 3, {"name": "x "}, {"name": null}, {"name": "y"}, {"name": "\tx"}, {"name": "Y"}, {}, {"name": "y"}]`
	got, err := evalBuiltin(t, `x := tollgate.duplicate_names(`+items+`, "name")`)
	if err != nil {
		t.Fatal(err)
	}
	want, err := evalBuiltin(t, `items := `+items+`
		x := [[j, i] | some j, second in items; is_string(second.name); name := trim_space(second.name); name != ""
			i := min({k | some k, p in items; k < j; is_string(p.name); trim_space(p.name) == name})]`)
	if err != nil {
		t.Fatal(err)
	}
	if got.Compare(want) != 0 {
		t.Errorf("duplicate_names %v\nRego            %v", got, want)
	}
}

// builtinCase is a query binding x and the value x must have.
type builtinCase struct{ name, query, want string }

func runBuiltinCases(t *testing.T, cases []builtinCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := evalBuiltin(t, c.query)
			if err != nil {
				t.Fatal(err)
			}
			want := ast.MustParseTerm(c.want).Value
			if got == nil || got.Compare(want) != 0 {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestDateDays(t *testing.T) {
	cases := []builtinCase{
		{"epoch", `x := tollgate.date_days("1970-01-01")`, `0`},
		{"a date", `x := tollgate.date_days("2026-11-25")`, `20782`},
		{"leap day", `x := tollgate.date_days("2024-02-29") - tollgate.date_days("2024-02-28")`, `1`},
		{"across a year", `x := tollgate.date_days("2027-01-01") - tollgate.date_days("2026-12-31")`, `1`},
		{"before the epoch", `x := tollgate.date_days("1969-12-31")`, `-1`},
	}
	runBuiltinCases(t, cases)
	// Anything but a real YYYY-MM-DD date is undefined, never an error.
	for _, bad := range []string{`"2025-02-29"`, `"2024-02-30"`, `"2026-13-01"`, `"2026-00-10"`, `"2026-1-05"`,
		`"26-01-05"`, `"2026-01-05T00:00:00Z"`, `" 2026-01-05"`, `"2026/01/05"`, `""`, `20260105`, `null`, `["2026-01-05"]`} {
		got, err := evalBuiltin(t, `x := tollgate.date_days(`+bad+`)`)
		if err != nil || got != nil {
			t.Errorf("date_days(%s) = %v, %v; want undefined", bad, got, err)
		}
	}
}

// date_days agrees with the same check written as Rego calendar arithmetic, on every day of four years
// (one of them a leap year) and on impossible days around each month's end.
func TestDateDaysMatchesCalendar(t *testing.T) {
	for d := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2027; d = d.AddDate(0, 0, 1) {
		got, ok := dateDaysOf(ast.String(d.Format(time.DateOnly)))
		if !ok || got != d.Unix()/86400 {
			t.Fatalf("%s: %d %v", d.Format(time.DateOnly), got, ok)
		}
	}
	for _, s := range []string{"2023-02-29", "2023-04-31", "2023-06-31", "2023-09-31", "2023-11-31", "2024-01-32"} {
		if _, ok := dateDaysOf(ast.String(s)); ok {
			t.Errorf("%s accepted", s)
		}
	}
}

func TestGroupBy(t *testing.T) {
	// As [key, group] pairs: the test's result passes through JSON, where keys must be strings.
	cases := []builtinCase{
		{"one key, indices ascending",
			`g := tollgate.group_by([{"f": "a"}, {"f": "b"}, {"f": "a"}], ["f"]); x := [[k, v] | some k, v in g]`,
			`[[["a"], [0, 2]], [["b"], [1]]]`},
		{"several keys, any values",
			`g := tollgate.group_by([{"e": 1, "p": [{"t": "x"}]}, {"e": 1, "p": [{"t": "y"}]}, {"e": 1.0, "p": [{"t": "x"}]}, {"e": 2, "p": null}], ["e", "p"]); x := [[k, v] | some k, v in g]`,
			`[[[1, [{"t": "x"}]], [0, 2]], [[1, [{"t": "y"}]], [1]], [[2, null], [3]]]`},
		{"skips non-objects and items without a key",
			`g := tollgate.group_by(["a", {"f": "a"}, {"g": "a"}, ["a"], {"f": "a", "g": 1}], ["f"]); x := [[k, v] | some k, v in g]`,
			`[[["a"], [1, 4]]]`},
		{"no keys: one group", `g := tollgate.group_by([{"f": 1}, {}], []); x := [[k, v] | some k, v in g]`, `[[[], [0, 1]]]`},
		{"non-string keys", `g := tollgate.group_by([{1: "a"}, {1: "a"}], [1]); x := [[k, v] | some k, v in g]`, `[[["a"], [0, 1]]]`},
		{"looked up by values", `x := tollgate.group_by([{"f": "a", "g": 1}, {"f": "b", "g": 2}, {"f": "a", "g": 1}], ["f", "g"])[["a", 1]]`, `[0, 2]`},
		{"empty", `x := tollgate.group_by([], ["f"])`, `{}`},
		{"not an array", `x := tollgate.group_by({"a": {"f": 1}}, ["f"])`, `{}`},
		{"null", `x := tollgate.group_by(null, ["f"])`, `{}`},
	}
	runBuiltinCases(t, cases)
}

func TestDuplicateGroups(t *testing.T) {
	cases := []builtinCase{
		{"groups of two or more, by first index",
			`x := tollgate.duplicate_groups([{"e": "t", "n": "b"}, {"e": "t", "n": "a"}, {"e": "u", "n": "a"}, {"e": "t", "n": "a"}, {"e": "t", "n": "b"}, {"e": "t", "n": "a"}], ["e", "n"])`,
			`[[0, 4], [1, 3, 5]]`},
		{"values compared exactly", `x := tollgate.duplicate_groups([{"n": "a"}, {"n": "a "}, {"n": "A"}, {"n": 1}, {"n": "1"}], ["n"])`, `[]`},
		{"skips non-objects and items without a key",
			`x := tollgate.duplicate_groups([{"n": "a"}, {"m": "a"}, "a", {"n": "a", "m": 1}], ["n"])`, `[[0, 3]]`},
		{"not an array", `x := tollgate.duplicate_groups({"a": {"n": 1}, "b": {"n": 1}}, ["n"])`, `[]`},
	}
	runBuiltinCases(t, cases)
}

// group_by and duplicate_groups give what comprehensions over every item give (compared in
// Rego: the test's result passes through JSON, where object keys become strings).
func TestGroupByMatchesRego(t *testing.T) {
	items := `[{"e": "t", "f": "a", "p": [{"x": 1}]}, 4, {"e": "t", "f": "a", "p": [{"x": 1.0}]}, {"e": "t", "f": "b"},
		{"e": "u", "f": "a", "p": [{"x": 1}]}, {"e": "t", "f": "a", "p": [{"x": 2}]}, {"f": "a", "p": []}, {"e": "t", "f": "a", "p": [{"x": 1}]}]`
	for _, c := range []struct{ builtin, rego string }{
		{`tollgate.group_by(items, ["e", "f", "p"])`,
			`{vs: is | some item in items; vs := [item.e, item.f, item.p]; is := [i | some i, o in items; [o.e, o.f, o.p] == vs]}`},
		{`tollgate.duplicate_groups(items, ["e", "f", "p"])`,
			`[is | some j, item in items; vs := [item.e, item.f, item.p]; is := [i | some i, o in items; [o.e, o.f, o.p] == vs]; count(is) > 1; is[0] == j]`},
	} {
		got, err := evalBuiltin(t, `items := `+items+`
			got := `+c.builtin+`
			want := `+c.rego+`
			count(want) > 0
			x := [got == want, got, want]`)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || got.(*ast.Array).Elem(0).Value.Compare(ast.Boolean(true)) != 0 {
			t.Errorf("%s: [equal, got, Rego gives] = %v", c.builtin, got)
		}
	}
}

func TestGroupByRejectsNonArrayKeys(t *testing.T) {
	for _, q := range []string{
		`x := tollgate.group_by([{"a": 1}], {"a"})`, // refused by the type checker
		`k := json.unmarshal("\"a\""); x := tollgate.group_by([{"a": 1}], k)`,
		`k := json.unmarshal("\"a\""); x := tollgate.duplicate_groups([{"a": 1}], k)`,
	} {
		if _, err := evalBuiltin(t, q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
}

// Items that share one composite value (as a batch's profiles share their payloads) group by
// identity, without comparing the value element by element; equal copies still group together.
func TestGroupItemsSharedValues(t *testing.T) {
	payloads := ast.MustParseTerm(`[{"type": "com.apple.x", "values": {"a": [1, 2, 3]}}]`)
	copyOf := ast.MustParseTerm(`[{"type": "com.apple.x", "values": {"a": [1, 2, 3]}}]`)
	other := ast.MustParseTerm(`[{"type": "com.apple.x", "values": {"a": [1, 2, 4]}}]`)
	item := func(p *ast.Term) *ast.Term {
		return ast.ObjectTerm(ast.Item(ast.StringTerm("format"), ast.StringTerm("mobileconfig")), ast.Item(ast.StringTerm("payloads"), p))
	}
	items := ast.NewArray(item(payloads), item(other), item(payloads), item(copyOf))
	gs := groupItems(items, ast.NewArray(ast.StringTerm("format"), ast.StringTerm("payloads")))
	if len(gs.groups) != 2 || gs.groups[0].size != 3 || gs.groups[1].size != 1 {
		t.Fatalf("groups %v", gs.groups)
	}
	if gs.valuesOf(&gs.groups[0], 0)[1] != payloads {
		t.Errorf("group value is not the items' own term")
	}
}

func BenchmarkGroupItemsSharedPayloads(b *testing.B) {
	var profiles []*ast.Term
	var files []*ast.Term
	for f := range 22 {
		files = append(files, ast.MustParseTerm(fmt.Sprintf(`[{"type": "com.apple.t%d", "values": {"a": [1, 2, 3], "b": {"c": "d"}}}]`, f)))
	}
	for team := range 64 {
		for f, p := range files {
			profiles = append(profiles, ast.ObjectTerm(ast.Item(ast.StringTerm("entry"), ast.StringTerm(fmt.Sprintf("teams/%d.yml", team))),
				ast.Item(ast.StringTerm("format"), ast.StringTerm("mobileconfig")), ast.Item(ast.StringTerm("file"), ast.StringTerm(fmt.Sprintf("lib/%d.mobileconfig", f))),
				ast.Item(ast.StringTerm("payloads"), p)))
		}
	}
	items := ast.NewArray(profiles...)
	for _, keys := range [][]string{{"format", "payloads"}, {"entry", "file"}} {
		b.Run(strings.Join(keys, ","), func(b *testing.B) {
			terms := make([]*ast.Term, len(keys))
			for i, k := range keys {
				terms[i] = ast.StringTerm(k)
			}
			b.ReportAllocs()
			for b.Loop() {
				groupItems(items, ast.NewArray(terms...))
			}
		})
	}
}
