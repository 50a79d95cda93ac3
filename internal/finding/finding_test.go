package finding

import (
	"encoding/json"
	"strings"
	"testing"
)

func at(file string, line, col int, rule string, sev Severity, msg string) Finding {
	return Finding{RuleID: rule, Severity: sev, Message: msg,
		Location: Location{File: file, Start: Position{line, col}, End: Position{line, col + 1}}}
}

func TestSortAndDedupe(t *testing.T) {
	fs := []Finding{
		at("b.yml", 1, 1, "r", Error, "x"),
		at("a.yml", 3, 1, "r", Warning, "y"),
		at("a.yml", 2, 5, "s", Error, "z"),
		at("a.yml", 2, 5, "r", Error, "z"),
		at("a.yml", 2, 5, "r", Error, "z"), // an exact duplicate (a shared include seen twice)
	}
	Sort(fs)
	fs = Dedupe(fs)
	want := []string{"a.yml:2:5: error: z [r]", "a.yml:2:5: error: z [s]", "a.yml:3:1: warning: y [r]", "b.yml:1:1: error: x [r]"}
	if len(fs) != len(want) {
		t.Fatalf("got %d findings, want %d: %v", len(fs), len(want), fs)
	}
	for i, f := range fs {
		if f.String() != want[i] {
			t.Errorf("%d: %s, want %s", i, f, want[i])
		}
	}
}

func TestAtOrAboveAndCount(t *testing.T) {
	fs := []Finding{at("a", 1, 1, "r", Warning, "w"), at("a", 2, 1, "r", Note, "n")}
	for _, c := range []struct {
		level Severity
		want  bool
	}{{Error, false}, {Warning, true}, {Note, true}, {SeverityNone, false}} {
		if got := AtOrAbove(fs, c.level); got != c.want {
			t.Errorf("AtOrAbove(%s) = %v", c.level, got)
		}
	}
	if c := Count(fs); c != (Counts{Warnings: 1, Notes: 1}) {
		t.Errorf("Count = %+v", c)
	}
}

func TestSeverityNames(t *testing.T) {
	for _, s := range []string{"error", "warning", "note", "none"} {
		v, err := ParseSeverity(s)
		if err != nil || (v.String() != s) {
			t.Errorf("%q -> %v %v", s, v, err)
		}
	}
	if _, err := ParseSeverity("loud"); err == nil {
		t.Error("loud accepted")
	}
	b, _ := json.Marshal(at("a", 1, 1, "r", Warning, "m"))
	if want := `"severity":"warning"`; !json.Valid(b) || !strings.Contains(string(b), want) {
		t.Errorf("JSON %s lacks %s", b, want)
	}
}
