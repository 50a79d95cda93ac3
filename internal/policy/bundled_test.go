package policy

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
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

// A parameter outside the bounds its rule's METADATA declares is a configuration error,
// reported before any rule runs, with the rule's reason.
func TestParamBounds(t *testing.T) {
	for _, c := range []struct {
		value any
		err   string
	}{
		{20, "rules.passcode-min-length.params.min_length is 20, above its maximum of 16: Apple and Windows accept a minimum passcode length of at most 16"},
		{0, "rules.passcode-min-length.params.min_length is 0, below its minimum of 1"},
		{"twelve", "rules.passcode-min-length.params.min_length must be a number, not twelve"},
		{16, ""},
	} {
		_, err := New(context.Background(), Options{Params: func(id string) map[string]any {
			if id == "passcode-min-length" {
				return map[string]any{"min_length": c.value}
			}
			return nil
		}})
		var pe *ParamError
		switch {
		case c.err == "" && err != nil:
			t.Errorf("min_length %v: %v", c.value, err)
		case c.err != "" && (!errors.As(err, &pe) || !strings.HasPrefix(err.Error(), c.err)):
			t.Errorf("min_length %v: got %v, want %q", c.value, err, c.err)
		}
	}
	// A disabled rule's parameters are not its concern any more.
	if _, err := New(context.Background(), Options{
		Params:  func(string) map[string]any { return map[string]any{"min_length": 99} },
		Enabled: func(id string) bool { return id != "passcode-min-length" },
	}); err != nil {
		t.Errorf("disabled rule: %v", err)
	}
}

// The bundled rules never read input.repo.teams (so a large repository's team index stays
// out of the input); a user policy that does, directly or not, brings it back.
func TestReadsRepoTeams(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.ReadsRepoTeams {
		t.Error("a bundled rule reads input.repo.teams")
	}
	for _, c := range []struct {
		body  string
		reads bool
	}{
		{`some t in input.repo.teams; t.name == "x"`, true},
		{`count(input.repo.teams[0].file) > 0`, true},
		{`r := input.repo; count(r) > 0`, true},
		{`x := input; x.teams`, true},
		{`some k; input.repo[k]`, true},
		{`k := "teams"; input.repo[k]`, true},
		{`walk(input, [p, v]); v == 1`, true},
		{`input.repo.ci.known`, false},
		{`some t in input.teams; t.file == "a"`, false},
		{`input.repo.team_name_clashes[0].key == "a"`, false},
	} {
		mods := map[string]*ast.Module{"user.rego": ast.MustParseModuleWithOpts("package user\nr if { "+c.body+" }", ast.ParserOptions{RegoVersion: ast.RegoV1})}
		compiler := ast.NewCompiler()
		compiler.Compile(mods)
		if compiler.Failed() {
			t.Fatalf("%s: %v", c.body, compiler.Errors)
		}
		if got := readsInput(compiler.Modules, "repo", "teams"); got != c.reads {
			t.Errorf("%s: reads = %v, want %v", c.body, got, c.reads)
		}
	}
}

// An engine built for its metadata lists the same rules as a compiled one, without compiling.
func TestMetadataOnly(t *testing.T) {
	compiled, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	meta, err := New(context.Background(), Options{MetadataOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.Rules) == 0 || len(meta.Rules) != len(compiled.Rules) {
		t.Fatalf("%d rules, compiled engine has %d", len(meta.Rules), len(compiled.Rules))
	}
	for i := range meta.Rules {
		if !reflect.DeepEqual(meta.Rules[i], compiled.Rules[i]) {
			t.Errorf("rule %d: %s differs from the compiled engine's %s", i, meta.Rules[i].ID, compiled.Rules[i].ID)
		}
	}
	if len(meta.rules) != 0 || meta.HasConftest() {
		t.Error("a metadata-only engine prepared queries")
	}
	// Parameters are still checked: the configuration is wrong whatever the run checks.
	if _, err := New(context.Background(), Options{MetadataOnly: true, Params: func(string) map[string]any {
		return map[string]any{"min_length": 99}
	}}); err == nil {
		t.Error("a parameter out of bounds passed a metadata-only engine")
	}
}
