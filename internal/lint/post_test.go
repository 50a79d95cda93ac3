package lint

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

func fnd(file string, line int, rule string, sev finding.Severity) finding.Finding {
	return finding.Finding{RuleID: rule, Severity: sev, Message: "m",
		Location: finding.Location{File: file, Start: finding.Position{Line: line, Column: 1}}}
}

func TestConfigureAndIgnore(t *testing.T) {
	off := false
	cfg := &config.Config{Rules: map[string]config.RuleConfig{
		"a": {Enabled: &off},
		"b": {Severity: "note"},
		"c": {Severity: "off"},
	}}
	fs := configure([]finding.Finding{fnd("x", 1, "a", finding.Error), fnd("x", 2, "b", finding.Error),
		fnd("x", 3, "c", finding.Error), fnd("lib/exp/y.yml", 4, "d", finding.Warning)}, cfg)
	if len(fs) != 2 || fs[0].RuleID != "b" || fs[0].Severity != finding.Note {
		t.Fatalf("configure: %v", fs)
	}
	fs = ignorePaths(fs, []string{"lib/exp/**"})
	if len(fs) != 1 || fs[0].RuleID != "b" {
		t.Fatalf("ignorePaths: %v", fs)
	}
}

func TestSuppressions(t *testing.T) {
	lines := []string{
		"a: 1 # tollgate:ignore r1 because",       // 1: covers its own line
		"  # tollgate:ignore r2,r3 shared reason", // 2: covers line 4 (3 is a comment)
		"  # a comment",
		"b: 2",
		"# tollgate:ignore r4", // 5: no reason
		"c: 3 # tollgate:ignore r5 nothing to hide", // 6: unused
	}
	get := func(n int) string { return lines[n-1] }
	sups := findSuppressions("f.yml", get, len(lines))
	cat := catalog.New()
	in := []finding.Finding{fnd("f.yml", 1, "r1", finding.Error), fnd("f.yml", 4, "r2", finding.Error),
		fnd("f.yml", 4, "r3", finding.Warning), fnd("f.yml", 6, "other", finding.Error), fnd("f.yml", 5, "r4", finding.Error)}
	out := applySuppressions(in, sups, cat, nil)
	finding.Sort(out)
	var got []string
	for _, f := range out {
		got = append(got, f.String())
	}
	want := []string{
		"f.yml:5:1: error: m [r4]",
		"f.yml:5:1: error: tollgate:ignore r4 has no reason; a suppression must say why [suppression]",
		"f.yml:6:1: error: m [other]",
		"f.yml:6:6: warning: tollgate:ignore names unknown rule \"r5\" [suppression]",
	}
	if len(got) != len(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %s\n   want %s", i, got[i], want[i])
		}
	}
}

func TestSuppressionUntil(t *testing.T) {
	lines := []string{
		"a: 1 # tollgate:ignore r1 until=2026-12-01 pilot ends in November", // 1: valid through Dec 1
		"b: 2 # tollgate:ignore r2 until=2026-11-30 pilot ended",            // 2: expired
		"c: 3 # tollgate:ignore r3 until=2026-13-01 a month too far",        // 3: not a date
		"d: 4 # tollgate:ignore r4 until=soon whenever",                     // 4: not a date
		"e: 5 # tollgate:ignore r5 until 2026-12-31 (until=2026-12-31)",     // 5: until= misplaced
		"f: 6 # tollgate:ignore r6 until=2026-12-31",                        // 6: no reason
		"g: 7 # tollgate:ignore r7 until=2026-11-30 expired and unused",     // 7: expired, matches nothing
	}
	sups := findSuppressions("f.yml", func(n int) string { return lines[n-1] }, len(lines))
	if sups[0].reason != "pilot ends in November" || sups[0].until != "2026-12-01" {
		t.Fatalf("until= is not taken out of the reason: %+v", sups[0])
	}
	cat := catalog.New()
	for _, id := range []string{"r1", "r2", "r3", "r4", "r5", "r6", "r7"} {
		if err := cat.Add(catalog.Rule{ID: id, Title: id, Description: id, Severity: finding.Error, Category: "x", Source: "bundled"}); err != nil {
			t.Fatal(err)
		}
	}
	in := []finding.Finding{fnd("f.yml", 1, "r1", finding.Error), fnd("f.yml", 2, "r2", finding.Error),
		fnd("f.yml", 3, "r3", finding.Error), fnd("f.yml", 4, "r4", finding.Error), fnd("f.yml", 5, "r5", finding.Error),
		fnd("f.yml", 6, "r6", finding.Error)}
	// The last day of until= still suppresses; the next one does not.
	expireSuppressions(sups, time.Date(2026, 12, 1, 23, 59, 0, 0, time.UTC))
	got := report(applySuppressions(in, sups, cat, nil))
	want := []string{
		"f.yml:2:1: error: m [r2]",
		"f.yml:2:6: warning: tollgate:ignore r2 expired on 2026-11-30; the findings it covered are reported again [suppression]",
		"f.yml:3:1: error: m [r3]",
		"f.yml:3:6: error: tollgate:ignore r3: until=2026-13-01 is not a date, so it suppresses nothing [suppression]",
		"f.yml:4:1: error: m [r4]",
		"f.yml:4:6: error: tollgate:ignore r4: until=soon is not a date, so it suppresses nothing [suppression]",
		"f.yml:5:1: error: m [r5]",
		"f.yml:5:6: error: tollgate:ignore r5: until= must come right after the rule ID, so it suppresses nothing [suppression]",
		"f.yml:6:1: error: m [r6]",
		"f.yml:6:6: error: tollgate:ignore r6 has no reason; a suppression must say why [suppression]",
		"f.yml:7:6: warning: tollgate:ignore r7 expired on 2026-11-30; the findings it covered are reported again [suppression]",
	}
	if got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	// A day later r1's suppression expires too.
	sups = findSuppressions("f.yml", func(n int) string { return lines[n-1] }, 1)
	expireSuppressions(sups, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	out := applySuppressions(in[:1], sups, cat, nil)
	if len(out) != 2 {
		t.Errorf("on 2026-12-02: %v, want the finding and the expiry", out)
	}
}

// report is findings in report order, one String a line.
func report(fs []finding.Finding) string {
	finding.Sort(fs)
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.String()
	}
	return strings.Join(lines, "\n")
}

// The suppression rule is configured like any other (docs/rules/suppression.md): turned off,
// its findings go; given a severity, they take it.
func TestSuppressionRuleConfigurable(t *testing.T) {
	lines := []string{"a: 1 # tollgate:ignore schema-type nothing to hide"}
	sups := func() []*suppression {
		return findSuppressions("f.yml", func(n int) string { return lines[n-1] }, len(lines))
	}
	cat := catalog.New()
	if fs := postProcess(nil, sups(), nil, &config.Config{}, cat); len(fs) != 1 || fs[0].Severity != finding.Warning {
		t.Fatalf("unconfigured: %v, want one warning", fs)
	}
	off := false
	cfg := &config.Config{Rules: map[string]config.RuleConfig{catalog.Suppression: {Enabled: &off}}}
	if fs := postProcess(nil, sups(), nil, cfg, cat); len(fs) != 0 {
		t.Errorf("turned off: %v", fs)
	}
	cfg = &config.Config{Rules: map[string]config.RuleConfig{catalog.Suppression: {Severity: "error"}}}
	if fs := postProcess(nil, sups(), nil, cfg, cat); len(fs) != 1 || fs[0].Severity != finding.Error {
		t.Errorf("severity error: %v", fs)
	}
}
