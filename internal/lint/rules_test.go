package lint

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the expected findings of rule fixtures")

// fixtureNow is the date fixtures are checked at, so date rules stay stable.
var fixtureNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// Each bundled rule fires on testdata/rules/<id>/bad exactly as bad/expected.txt says (rule,
// file, line, column, severity, message) and stays silent on testdata/rules/<id>/good.
func TestRuleFixtures(t *testing.T) {
	eng, err := policy.New(context.Background(), policy.Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eng.Rules {
		if r.Source != "bundled" {
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

// ruleFindings lints dir and returns the findings of rule id, one per line.
func ruleFindings(t *testing.T, dir, id string) string {
	t.Helper()
	res, err := Run(context.Background(), Options{Targets: []string{dir}, Now: fixtureNow})
	if err != nil {
		t.Fatalf("lint %s: %v", dir, err)
	}
	var b strings.Builder
	for _, f := range res.Findings {
		if f.RuleID == id {
			b.WriteString(f.String())
			b.WriteByte('\n')
		}
	}
	return b.String()
}
