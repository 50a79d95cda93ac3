package policy

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// The bundled rules' Rego unit tests run inside go test, so CI cannot skip them.
func TestBundledRegoTests(t *testing.T) {
	mods, err := TestModules(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum, err := RunTests(context.Background(), mods, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), false, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Passed == 0 {
		t.Fatal("no Rego test ran")
	}
	if sum.Failed+sum.Errored > 0 {
		t.Fatalf("Rego tests failed:\n%s", out.String())
	}
	t.Logf("%d Rego tests passed", sum.Passed)
}

// Every bundled rule has complete METADATA and a test file.
func TestBundledMetadata(t *testing.T) {
	mods, err := Bundled(true)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{}
	for _, m := range mods {
		if len(m.name) > 10 && m.name[len(m.name)-10:] == "_test.rego" {
			tests[m.name[:len(m.name)-10]+".rego"] = true
		}
	}
	n := 0
	for _, m := range mods {
		r, isRule, err := ruleMeta(m)
		if err != nil {
			t.Error(err)
			continue
		}
		if !isRule || len(m.name) > 10 && m.name[len(m.name)-10:] == "_test.rego" {
			continue
		}
		n++
		if !tests[m.name] {
			t.Errorf("rule %s (%s) has no _test.rego beside it", r.ID, m.name)
		}
	}
	if n == 0 {
		t.Fatal("no bundled rules found")
	}
}
