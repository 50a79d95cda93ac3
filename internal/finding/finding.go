// Package finding holds the one type every stage of tollgate produces: a Finding at an exact
// place in the repository, and the small processors (sort, dedupe, filter) it passes through.
package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity orders findings. The zero value is invalid so a forgotten severity is caught.
type Severity int

const (
	SeverityNone Severity = iota
	Note
	Warning
	Error
)

// ParseSeverity accepts the names used in METADATA, configuration and --fail-level.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "note", "info":
		return Note, nil
	case "none", "never":
		return SeverityNone, nil
	}
	return SeverityNone, fmt.Errorf("unknown severity %q (want error, warning, note or none)", s)
}

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "none"
}

// MarshalText makes severities appear by name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity by name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Position is 1-based; Column counts characters (as yaml.v3 and SARIF's default do), not bytes.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Location is where a finding is. File is repository-relative with forward slashes. End is
// exclusive (the column just after the last character); an unknown End equals Start.
// Path is the data path in the document that was checked, e.g. controls.macos_updates.deadline.
type Location struct {
	File  string   `json:"file"`
	Start Position `json:"start"`
	End   Position `json:"end"`
	Path  string   `json:"path,omitempty"`
}

// Finding is one problem tollgate reports.
type Finding struct {
	RuleID   string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Location Location `json:"location"`
	// Source tells which stage produced it: "yaml", "load", "cue", "rego" or a user policy name.
	Source string `json:"source"`
	// Hint, when set, says how to fix it.
	Hint string `json:"hint,omitempty"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", f.Location.File, f.Location.Start.Line,
		f.Location.Start.Column, f.Severity, f.Message, f.RuleID)
}

// Compare orders by file, line, column, rule, message, then the most severe first, and then
// by every other field: a total order, so reports are byte-stable whatever order findings came
// in (copies of a finding in a file many teams include can differ in their data path), and
// Dedupe keeps the same copy however the teams were batched.
func Compare(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Location.File, b.Location.File),
		cmp.Compare(a.Location.Start.Line, b.Location.Start.Line),
		cmp.Compare(a.Location.Start.Column, b.Location.Start.Column),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Message, b.Message),
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(a.Location.End.Line, b.Location.End.Line),
		cmp.Compare(a.Location.End.Column, b.Location.End.Column),
		cmp.Compare(a.Location.Path, b.Location.Path),
		cmp.Compare(a.Source, b.Source),
		cmp.Compare(a.Hint, b.Hint),
	)
}

// Sort sorts findings in place in report order.
func Sort(fs []Finding) { slices.SortStableFunc(fs, Compare) }

// Dedupe drops findings equal in rule, place and message (keeping the most severe); fs must be sorted.
func Dedupe(fs []Finding) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if n := len(out); n > 0 {
			p := out[n-1]
			if p.RuleID == f.RuleID && p.Location.File == f.Location.File &&
				p.Location.Start == f.Location.Start && p.Message == f.Message {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// Counts tallies findings per severity.
type Counts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

// Count returns the tally of fs.
func Count(fs []Finding) Counts {
	var c Counts
	for _, f := range fs {
		switch f.Severity {
		case Error:
			c.Errors++
		case Warning:
			c.Warnings++
		case Note:
			c.Notes++
		}
	}
	return c
}

// AtOrAbove reports whether any finding is at or above level. Level none never fails.
func AtOrAbove(fs []Finding, level Severity) bool {
	if level == SeverityNone {
		return false
	}
	for _, f := range fs {
		if f.Severity >= level {
			return true
		}
	}
	return false
}
