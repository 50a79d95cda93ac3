package model

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Every reference of the same data path gets the same shared value (converted to OPA once),
// holding the path as Rego sees it; paths that can't be keys are built each time.
func TestSharedPaths(t *testing.T) {
	var c PathCache
	a := c.Path([]any{"controls", "macos_settings", "custom_settings", 3, "path"})
	b := c.Path([]any{"controls", "macos_settings", "custom_settings", 3, "path"})
	other := c.Path([]any{"controls", "macos_settings", "custom_settings", 4, "path"})
	sa, ok := a.(*Shared)
	if !ok || a != b {
		t.Fatalf("same path: %#v and %#v, want one *Shared", a, b)
	}
	if a == other {
		t.Fatal("different paths share a value")
	}
	want := []any{"controls", "macos_settings", "custom_settings", json.Number("3"), "path"}
	if !reflect.DeepEqual(sa.Value, want) {
		t.Errorf("shared path %#v, want %#v", sa.Value, want)
	}
	long := []any{"a", 0, "b", 1, "c", 2, "d", 3, "e"}
	if got, ok := c.Path(long).([]any); !ok || len(got) != len(long) || got[1] != json.Number("0") {
		t.Errorf("long path: %#v", c.Path(long))
	}
	odd := []any{"a", []any{"b"}}
	if got, ok := c.Path(odd).([]any); !ok || len(got) != 2 {
		t.Errorf("path with a list element: %#v", got)
	}
}

// apple_platforms is the same list whether built or shared.
func TestSharedPlatforms(t *testing.T) {
	for _, ps := range [][]string{nil, {"ios"}, {"ipados"}, {"macos"}, {"ios", "ipados"},
		{"ios", "macos"}, {"ipados", "macos"}, {"ios", "ipados", "macos"}} {
		got := sharedPlatforms(ps)
		s, ok := got.(*Shared)
		if !ok {
			t.Fatalf("%v: not shared: %#v", ps, got)
		}
		if !reflect.DeepEqual(s.Value, strs(ps)) {
			t.Errorf("%v: shared %#v, want %#v", ps, s.Value, strs(ps))
		}
	}
	if got, ok := sharedPlatforms([]string{"tvos"}).([]any); !ok || got[0] != "tvos" {
		t.Errorf("unknown platform: %#v", got)
	}
}
