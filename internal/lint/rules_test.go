package lint

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/policy"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

var update = flag.Bool("update", false, "rewrite the expected findings of rule fixtures")

// fixtureNow is the date fixtures are checked at, so date rules stay stable.
var fixtureNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// noFixture are the built-in rules no fixture repository can show, and why.
var noFixture = map[string]string{
	catalog.InternalError: "it reports a fault in tollgate itself, which no input is meant to reach",
	catalog.SchemaDeprecated: "no version of the custom resources whose schemas are bundled is marked deprecated " +
		"(cue/kubernetes/index.json); the check is tested in internal/kubeschema",
}

// Each built-in and bundled rule fires on testdata/rules/<id>/bad exactly as bad/expected.txt
// says (rule, file, line, column, severity, message) and stays silent on
// testdata/rules/<id>/good. Their pages in docs/rules show the same fixture and output.
func TestRuleFixtures(t *testing.T) {
	cat, err := policy.Catalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cat.Rules() {
		if r.Source != "bundled" && r.Source != "builtin" || noFixture[r.ID] != "" {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "rules", r.ID)
			bad, good := filepath.Join(dir, "bad"), filepath.Join(dir, "good")
			for _, d := range []string{bad, good} {
				if _, err := os.Stat(d); err != nil {
					t.Fatalf("rule %s needs a fixture repository at %s", r.ID, d)
				}
			}
			got := ruleFindings(t, bad, r.ID)
			if got == "" {
				t.Errorf("rule %s reports nothing on its bad fixture", r.ID)
			}
			want := filepath.Join(bad, "expected.txt")
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("missing %s (run go test ./internal/lint -run TestRuleFixtures -update)", want)
			}
			if got != string(exp) {
				t.Errorf("findings on %s differ from expected.txt:\n--- got\n%s--- want\n%s", bad, got, exp)
			}
			if g := ruleFindings(t, good, r.ID); g != "" {
				t.Errorf("rule %s fires on its good fixture:\n%s", r.ID, g)
			}
		})
	}
}

// ruleFindings lints dir and returns the findings of rule id, one per line. A fixture of a
// change rule holds base/ and head/: the change from one to the other is reviewed (lint
// --base) in a git repository made of them. A message naming a file of the fixture by its
// absolute path (a user policy's, in a policy-error) names it from the fixture's directory,
// so the expectation holds on every checkout.
func ruleFindings(t *testing.T, dir, id string) string {
	t.Helper()
	opts := Options{Targets: []string{dir}, Now: fixtureNow}
	if _, err := os.Stat(filepath.Join(dir, "base")); err == nil {
		opts.Targets, opts.Base = []string{changeRepo(t, dir)}, "main"
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("lint %s: %v", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range res.Findings {
		if f.RuleID == id {
			b.WriteString(strings.ReplaceAll(f.String(), filepath.ToSlash(abs)+"/", ""))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// changeRepo makes a git repository whose main branch holds dir/base and whose working tree
// holds dir/head, and returns its directory.
func changeRepo(t *testing.T, dir string) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(repo, os.DirFS(filepath.Join(dir, "base"))); err != nil {
		t.Fatal(err)
	}
	sharedtest.Commit(t, repo)
	ents, _ := os.ReadDir(repo)
	for _, e := range ents {
		if e.Name() != ".git" {
			os.RemoveAll(filepath.Join(repo, e.Name()))
		}
	}
	if err := os.CopyFS(repo, os.DirFS(filepath.Join(dir, "head"))); err != nil {
		t.Fatal(err)
	}
	return repo
}
