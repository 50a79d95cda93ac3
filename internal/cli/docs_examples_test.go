package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/tollgate-dev/tollgate/internal/lint"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// regoBlock is one ```rego block of a Markdown file.
type regoBlock struct {
	file string
	line int
	code string
}

var fenceRe = regexp.MustCompile("(?ms)^```rego\n(.*?)^```")

func regoBlocks(t *testing.T, files ...string) []regoBlock {
	t.Helper()
	var out []regoBlock
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, m := range fenceRe.FindAllStringSubmatchIndex(text, -1) {
			out = append(out, regoBlock{file: f, line: strings.Count(text[:m[0]], "\n") + 1, code: text[m[2]:m[3]]})
		}
	}
	return out
}

// TestDocRegoExamples runs every Rego example of the documentation against fixtures that hold
// what it is about, the cases an example gets wrong most easily included (a key left out, a
// key with no value): an example that compiles but silently passes the wrong input fails here.
// A new example needs a case below, found by a piece of its text.
func TestDocRegoExamples(t *testing.T) {
	cases := []struct {
		marker string
		run    func(t *testing.T, code string)
	}{
		{"package tollgate.rules.org_disk_encryption", diskEncryptionExample},
		{"package tollgate.rules.org_label_removed_test", labelRemovedTestExample},
		{"package tollgate.rules.org_label_removed\n", labelRemovedExample},
		{"same_team := [a | some a in input.profiles; a.entry == entry]", sameTeamExample},
	}
	docs, _ := filepath.Glob("../../docs/*.md")
	blocks := regoBlocks(t, append(docs, "../../README.md", "../../cue/README.md")...)
	if len(blocks) == 0 {
		t.Fatal("no ```rego block found in the documentation")
	}
	used := map[string]bool{}
	for _, b := range blocks {
		i := slices.IndexFunc(cases, func(c struct {
			marker string
			run    func(t *testing.T, code string)
		}) bool {
			return strings.Contains(b.code, c.marker)
		})
		if i < 0 {
			t.Errorf("%s:%d: a Rego example without a test: add a case to TestDocRegoExamples", b.file, b.line)
			continue
		}
		used[cases[i].marker] = true
		t.Run(filepath.Base(b.file)+":"+strings.Fields(b.code)[0], func(t *testing.T) { cases[i].run(t, b.code) })
	}
	for _, c := range cases {
		if !used[c.marker] {
			t.Errorf("no example in the documentation holds %q any more: update the case", c.marker)
		}
	}
}

// diskEncryptionExample lints a repository with the example as a user policy: every team
// that does not set enable_disk_encryption to true is reported, whether the key is false,
// written with no value, left out, or its controls: left out; an exempt team is not.
func diskEncryptionExample(t *testing.T, code string) {
	dir := t.TempDir()
	files := map[string]string{
		".tollgate.yaml":        "policies: [policy]\nrules:\n  org-disk-encryption:\n    params: {exempt: [Lab]}\n",
		"policy/disk.rego":      code,
		"default.yml":           "policies:\nqueries:\nagent_options:\ncontrols:\norg_settings:\n",
		"teams/on.yml":          "name: On\ncontrols:\n  enable_disk_encryption: true\n",
		"teams/off.yml":         "name: Off\ncontrols:\n  enable_disk_encryption: false\n",
		"teams/null.yml":        "name: Null\ncontrols:\n  enable_disk_encryption:\n",
		"teams/left-out.yml":    "name: Left out\ncontrols:\n  macos_updates:\n    minimum_version: \"15.1\"\n",
		"teams/no-controls.yml": "name: No controls\n",
		"teams/lab.yml":         "name: Lab\ncontrols:\n  enable_disk_encryption: false\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := lint.Run(context.Background(), lint.Options{Targets: []string{dir}, SkipSchema: true,
		Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		if f.RuleID == "policy-error" || f.RuleID == "internal-error" {
			t.Errorf("the example failed to run: %s", f.String())
		}
		if f.RuleID == "org-disk-encryption" {
			got = append(got, f.Location.File)
		}
	}
	want := []string{"teams/left-out.yml", "teams/no-controls.yml", "teams/null.yml", "teams/off.yml"}
	if !slices.Equal(got, want) {
		t.Errorf("the example reports %q, want %q (a team without enable_disk_encryption: true, except the exempt one)", got, want)
	}
}

// sameTeamExample evaluates the comprehension-indexing snippet as the body of a rule: each
// profile must be grouped with exactly the profiles of its own team.
func sameTeamExample(t *testing.T, code string) {
	module := "package docs_example\n\ngroups contains [b.file, [a.file | some a in same_team]] if {\n" + code + "}\n"
	input := map[string]any{"profiles": []any{
		map[string]any{"file": "lib/a.mobileconfig", "entry": "teams/one.yml"},
		map[string]any{"file": "lib/b.mobileconfig", "entry": "teams/one.yml"},
		map[string]any{"file": "lib/c.mobileconfig", "entry": "teams/two.yml"},
	}}
	rs, err := rego.New(rego.Query("data.docs_example.groups"), rego.Module("example.rego", module), rego.Input(input)).
		Eval(context.Background())
	if err != nil {
		t.Fatalf("the example does not compile or run as a rule body: %v\n%s", err, module)
	}
	if len(rs) != 1 {
		t.Fatalf("no result: %v", rs)
	}
	got := map[string][]string{}
	for _, g := range rs[0].Expressions[0].Value.([]any) {
		pair := g.([]any)
		for _, f := range pair[1].([]any) {
			got[pair[0].(string)] = append(got[pair[0].(string)], f.(string))
		}
	}
	want := map[string][]string{
		"lib/a.mobileconfig": {"lib/a.mobileconfig", "lib/b.mobileconfig"},
		"lib/b.mobileconfig": {"lib/a.mobileconfig", "lib/b.mobileconfig"},
		"lib/c.mobileconfig": {"lib/c.mobileconfig"},
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("same_team of %s = %q, want %q", k, got[k], v)
		}
	}
}

// labelRemovedExample reviews a change with the example as a user policy: a label removed from
// the global file is reported at the labels: list, one added is not.
func labelRemovedExample(t *testing.T, code string) {
	dir := t.TempDir()
	write := func(files map[string]string) {
		for name, text := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(map[string]string{
		".tollgate.yaml":   "policies: [policy]\n",
		"policy/org.rego":  code,
		"default.yml":      "org_settings:\nlabels:\n  - name: Loaners\n    hosts: []\n  - name: Kiosks\n    hosts: []\n",
		"teams/team-a.yml": "name: A\n",
	})
	sharedtest.Commit(t, dir)
	write(map[string]string{"default.yml": "org_settings:\nlabels:\n  - name: Kiosks\n    hosts: []\n  - name: Lab\n    hosts: []\n"})
	res, err := lint.Run(context.Background(), lint.Options{Targets: []string{dir}, SkipSchema: true, Base: "main",
		Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		if f.RuleID == "org-label-removed" {
			got = append(got, f.String())
		}
	}
	want := []string{`default.yml:2:1: error: label "Loaners" is removed (was default.yml:3): Fleet deletes it and its membership; ask the platform team [org-label-removed]`}
	if !slices.Equal(got, want) {
		t.Errorf("the example reports %q, want %q", got, want)
	}
}

// labelRemovedTestExample runs the example's test with tollgate test, beside the example rule;
// and again beside a rule that reports nothing, where it must fail (a test that tests).
func labelRemovedTestExample(t *testing.T, code string) {
	var rule string
	for _, b := range regoBlocks(t, "../../docs/policies.md") {
		if strings.Contains(b.code, "package tollgate.rules.org_label_removed\n") {
			rule = b.code
		}
	}
	if rule == "" {
		t.Fatal("the rule of the test example is gone from docs/policies.md")
	}
	for _, c := range []struct {
		rule string
		want int
	}{{rule, ExitOK}, {strings.Replace(rule, `c.action == "removed"`, `c.action == "gone"`, 1), ExitFindings}} {
		dir := t.TempDir()
		for name, text := range map[string]string{"org.rego": c.rule, "org_test.rego": code} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var out strings.Builder
		if got := Main([]string{"test", dir}, nil, &out, &out); got != c.want {
			t.Errorf("tollgate test: exit %d, want %d\n%s", got, c.want, out.String())
		}
	}
}
