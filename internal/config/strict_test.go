package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func load(t *testing.T, src string) (*Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".tollgate.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(p)
}

// TestEveryFieldIsKnown: every yaml field of the Go structs is accepted, so a field added to
// Config (or to a struct under it) needs nothing more to be allowed; a key that is no field is
// refused with its position.
func TestEveryFieldIsKnown(t *testing.T) {
	var b strings.Builder
	for name := range yamlFields(reflect.TypeFor[Config]()) {
		b.WriteString(name + ":\n")
	}
	b.WriteString("apply:\n")
	for name := range yamlFields(reflect.TypeFor[ApplyConfig]()) {
		b.WriteString("  " + name + ":\n")
	}
	if _, err := load(t, strings.Replace(b.String(), "apply:\n", "", 1)); err != nil {
		t.Errorf("a field of the structs is refused: %v", err)
	}
	_, err := load(t, "rules:\n  x:\n    params: {}\n    sevrity: error\n")
	if err == nil || !strings.Contains(err.Error(), `.tollgate.yaml:4:5: unknown key "sevrity" in rules.x; did you mean "severity"?`) {
		t.Errorf("got %v", err)
	}
}

func TestCheckRules(t *testing.T) {
	rules := map[string]RuleInfo{
		"passcode-min-length": {Severity: "error", Params: []string{"min_length"}},
		"secret-plaintext":    {Severity: "error", NotSuppressible: true},
		"os-update-deadline":  {Severity: "warning"},
	}
	for _, c := range []struct{ src, want string }{
		{"rules: {passcode-min-length: {params: {min_length: 8}}}\nparams: {min_length: 10}\n", ""},
		{"rules: {secret-plaintext: {severity: error}}\n", ""},
		{"rules: {passcode-min-lenght: {}}\n", `1:9: unknown rule "passcode-min-lenght"; did you mean "passcode-min-length"?`},
		{"rules: {completely-different: {}}\n", `1:9: unknown rule "completely-different" (`},
		{"rules: {os-update-deadline: {params: {days: 3}}}\n", `1:39: rule os-update-deadline has no parameter "days"; it takes none`},
		{"params: {min_len: 3}\n", `1:10: no rule has a parameter "min_len"; did you mean "min_length"?`},
		{"rules:\n  secret-plaintext: {enabled: false}\n", `2:22: rule secret-plaintext cannot be turned off`},
		{"rules:\n  secret-plaintext: {severity: \"off\"}\n", `2:22: rule secret-plaintext cannot be set to "off"`},
		{"rules:\n  secret-plaintext: {severity: warning}\n", `2:22: rule secret-plaintext cannot be set to "warning"`},
	} {
		cfg, err := load(t, c.src)
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		err = cfg.CheckRules(rules)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.src, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: got %v, want %q", c.src, err, c.want)
		}
	}
}

// TestFindRoot: .git decides; without it, the directory itself (the parent of teams/).
func TestFindRoot(t *testing.T) {
	base := t.TempDir()
	mk := func(p string) string {
		p = filepath.Join(base, p)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	touch := func(p string) {
		if err := os.WriteFile(filepath.Join(base, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plain := mk("plain/repo/teams")
	touch("plain/.tollgate.yaml")
	if got := FindRoot(filepath.Dir(plain)); got != filepath.Join(base, "plain/repo") {
		t.Errorf("no .git: got %s", got)
	}
	if got := FindRoot(plain); got != filepath.Join(base, "plain/repo") {
		t.Errorf("no .git, teams/: got %s", got)
	}
	if got := Find(filepath.Dir(plain), FindRoot(filepath.Dir(plain))); got != "" {
		t.Errorf("configuration above a repository without .git found: %s", got)
	}
	mk("git/.git")
	sub := mk("git/it/teams")
	if got := FindRoot(sub); got != filepath.Join(base, "git") {
		t.Errorf(".git: got %s", got)
	}
	touch("git/it/.tollgate.yaml")
	if got := FindRoot(sub); got != filepath.Join(base, "git/it") {
		t.Errorf(".tollgate.yaml below .git: got %s", got)
	}
	touch("wt.git") // a worktree's .git is a file
	mk("wt/x")
	if err := os.Rename(filepath.Join(base, "wt.git"), filepath.Join(base, "wt/.git")); err != nil {
		t.Fatal(err)
	}
	if got := FindRoot(filepath.Join(base, "wt/x")); got != filepath.Join(base, "wt") {
		t.Errorf(".git file: got %s", got)
	}
}
