package lint

import (
	"testing"

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
