package policy

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tollgate-dev/tollgate/internal/model"
)

// Lazily converted documents read, compare and print exactly as fully converted ones.
func TestDocValueEqualsStrict(t *testing.T) {
	big1, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	doc := map[string]any{
		"name":     "Team",
		"controls": map[string]any{"macos_updates": map[string]any{"minimum_version": "15.1", "deadline": nil}},
		"policies": []any{map[string]any{"name": "p", "critical": true, "n": int64(3), "f": 1.5}},
		"big":      big1,
		"empty":    map[string]any{},
	}
	input := map[string]any{"teams": []any{map[string]any{"file": "teams/a.yml", "doc": model.Plain(doc)}}, "era": "teams"}
	lazy, err := conftestValue(input)
	if err != nil {
		t.Fatal(err)
	}
	strict, err := ast.InterfaceToValue(input)
	if err != nil {
		t.Fatal(err)
	}
	ref := ast.MustParseRef("x.teams[0].doc.controls.macos_updates.minimum_version")[1:]
	got, err := lazy.Find(ref)
	if err != nil || got.Compare(ast.String("15.1")) != 0 {
		t.Errorf("lazy lookup: %v, %v", got, err)
	}
	if lazy.Compare(strict) != 0 || lazy.String() != strict.String() {
		t.Errorf("lazy input differs:\n%v\nstrict:\n%v", lazy, strict)
	}
	var back any
	if err := json.Unmarshal([]byte(lazy.String()), &back); err != nil {
		t.Fatal(err)
	}
	if got := back.(map[string]any)["teams"].([]any)[0].(map[string]any)["doc"].(map[string]any)["big"]; got != 1.2345678901234568e+29 {
		t.Errorf("big integer: %v", got)
	}
}

// The input conversion gives what ast.InterfaceToValue gives, and converts a value many inputs
// share once.
func TestFactsValue(t *testing.T) {
	shared := &model.Shared{Value: []any{map[string]any{"type": "com.apple.x", "line": int64(3)}}}
	doc := map[string]any{
		"name": "Team", "n": json.Number("12345678901234567890"), "f": 1.5, "i": int64(-2), "ok": true, "none": nil,
		"list": []any{"a", map[string]any{}, []any{}}, "empty": map[string]any{},
		"long": strings.Repeat("x", maxCachedString+1), "again": "a",
	}
	wide := map[string]any{} // more entries than an object's key list keeps on the stack
	for i := range smallObject + 5 {
		wide[fmt.Sprint("k", i)] = fmt.Sprint("v", i%3)
	}
	doc["wide"] = wide
	f := &Facts{}
	got, err := f.value(map[string]any{"doc": doc, "payloads": shared})
	if err != nil {
		t.Fatal(err)
	}
	want, err := ast.InterfaceToValue(map[string]any{"doc": doc, "payloads": shared.Value})
	if err != nil {
		t.Fatal(err)
	}
	if got.Compare(want) != 0 || got.String() != want.String() {
		t.Errorf("converted\n%v\nwant\n%v", got, want)
	}
	again, err := f.value(map[string]any{"payloads": shared})
	if err != nil {
		t.Fatal(err)
	}
	a := again.(ast.Object).Get(ast.StringTerm("payloads")).Value
	b := got.(ast.Object).Get(ast.StringTerm("payloads")).Value
	if a.(*ast.Array) != b.(*ast.Array) {
		t.Error("a shared value was converted twice")
	}
	if _, err := f.value(map[string]any{"bad": struct{ C chan int }{}}); err == nil {
		t.Error("a value JSON cannot hold was converted")
	}
}

// The model's records convert to the objects their maps would.
func TestRecordsAsMaps(t *testing.T) {
	path := &model.Shared{Value: []any{"controls", json.Number("2"), "path"}}
	payloads := &model.Shared{Value: []any{map[string]any{"type": "com.apple.x"}}}
	problems, keys := &model.Shared{Value: []any{}}, &model.Shared{Value: map[string]any{"a": map[string]any{"line": int64(1)}}}
	cases := []struct {
		rec  any
		want map[string]any
	}{
		{&model.RefRecord{Entry: "teams/a.yml", Path: path, Role: "profile", Target: "../lib/p.mobileconfig", Exists: true},
			map[string]any{"entry": "teams/a.yml", "path": path.Value, "role": "profile", "target": "../lib/p.mobileconfig", "exists": true}},
		{&model.ProfileRecord{File: "lib/p.mobileconfig", Entry: "teams/a.yml", Ref: path, Format: "mobileconfig",
			Name: "P", Identifier: "com.x", Platform: "apple", Signed: false, Payloads: payloads, Problems: problems,
			Keys: keys, ApplePlatforms: []any{"ios", "macos"}},
			map[string]any{"file": "lib/p.mobileconfig", "entry": "teams/a.yml", "ref": path.Value, "format": "mobileconfig",
				"name": "P", "identifier": "com.x", "signed": false, "payloads": payloads.Value, "problems": problems.Value,
				"keys": keys.Value, "platform": "apple", "apple_platforms": []any{"ios", "macos"}}},
		{&model.UseRecord{Entry: "teams/a.yml", Path: path},
			map[string]any{"entry": "teams/a.yml", "path": path.Value}},
	}
	f := &Facts{}
	for _, c := range cases {
		got, err := f.value([]any{c.rec})
		if err != nil {
			t.Fatal(err)
		}
		want, err := ast.InterfaceToValue([]any{c.want})
		if err != nil {
			t.Fatal(err)
		}
		if got.Compare(want) != 0 || got.String() != want.String() {
			t.Errorf("%T converted\n%v\nwant\n%v", c.rec, got, want)
		}
	}
}
