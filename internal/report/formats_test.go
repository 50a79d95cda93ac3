package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

func TestUnderline(t *testing.T) {
	for _, c := range []struct {
		name, line string
		s          span
		text, mark string
	}{
		{"plain", "key: value", span{1, 6, 1, 11, true}, "key: value", "     ^^^^^"},
		{"unknown end is one caret", "key: value", span{1, 6, 1, 6, false}, "key: value", "     ^"},
		// A tab expands to the next stop of 4, in both lines.
		{"tab", "\tk: v", span{1, 5, 1, 6, true}, "    k: v", "       ^"},
		{"tab inside span", "a\tb", span{1, 1, 1, 4, true}, "a   b", "^^^^^"},
		// Columns are characters; wide ones take two cells, combining marks none.
		{"wide", "日本: x", span{1, 5, 1, 6, true}, "日本: x", "      ^"},
		{"combining", "e\u0301: x", span{1, 5, 1, 6, true}, "e\u0301: x", "   ^"},
		{"emoji", "😀 x", span{1, 3, 1, 4, true}, "😀 x", "   ^"},
		{"past the end", "key:", span{1, 9, 1, 9, false}, "key:", "    ^"},
		{"multi-line runs to end of line", "a: b", span{1, 3, 3, 2, true}, "a: b", "  ^^"},
		{"control characters", "a\x1b[31mb", span{1, 2, 1, 3, true}, "a\uFFFD[31mb", " ^"},
	} {
		text, mark := underline(c.line, c.s)
		if text != c.text || mark != c.mark {
			t.Errorf("%s:\n got %q\n     %q\nwant %q\n     %q", c.name, text, mark, c.text, c.mark)
		}
	}
}

// TestTextColor: without Options.Color there is no escape sequence at all, even from a hostile
// message; with it there are.
func TestTextColor(t *testing.T) {
	plain := render(t, "text", Options{}, fixture())
	if bytes.ContainsRune(plain, 0x1b) {
		t.Error("escape sequence in plain text output")
	}
	for line := range strings.Lines(string(plain)) {
		if strings.HasPrefix(line, "::") {
			t.Errorf("a message started a line: %q", line)
		}
	}
	if colored := render(t, "text", Options{Color: true}, fixture()); !bytes.Contains(colored, []byte("\x1b[1;31merror:")) {
		t.Error("no colour with Color: true")
	}
}

// TestTextSnippetEdgeCases: no source, a line past the end of the file and a CRLF file all work.
func TestTextSnippetEdgeCases(t *testing.T) {
	in := fixture()
	in.Findings = []finding.Finding{
		{RuleID: "schema-value", Severity: finding.Error, Message: "past the end",
			Location: finding.Location{File: "default.yml", Start: finding.Position{Line: 99, Column: 1}}},
		{RuleID: "schema-value", Severity: finding.Error, Message: "no source",
			Location: finding.Location{File: "missing.yml", Start: finding.Position{Line: 1, Column: 1}}},
		{RuleID: "schema-value", Severity: finding.Error, Message: "crlf",
			Location: finding.Location{File: "teams/workstations.yml", Start: finding.Position{Line: 7, Column: 3}, End: finding.Position{Line: 7, Column: 11}}},
	}
	got := string(render(t, "text", Options{}, in))
	want := "default.yml:99:1: error: past the end [schema-value]\n\n" +
		"missing.yml:1:1: error: no source [schema-value]\n\n" +
		"teams/workstations.yml:7:3: error: crlf [schema-value]\n" +
		"  7 |   passcode: {min: 4}\n" +
		"    |   ^^^^^^^^\n\n" +
		"3 errors in 12 files\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	in.Sources = nil
	render(t, "text", Options{}, in) // a nil Sources func means no snippets
}

// TestJSONRoundTrip: the JSON output decodes to the documented shape with every message intact.
func TestJSONRoundTrip(t *testing.T) {
	in := fixture()
	var doc struct {
		Version  *int
		Tool     struct{ Name, Version string }
		Summary  map[string]int
		Findings []map[string]any
	}
	if err := json.Unmarshal(render(t, "json", Options{}, in), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version == nil || *doc.Version != 1 || doc.Tool.Name != "tollgate" || doc.Summary["files"] != 12 || doc.Summary["errors"] != 5 {
		t.Errorf("header %+v", doc)
	}
	if len(doc.Findings) != len(in.Findings) {
		t.Fatalf("%d findings, want %d", len(doc.Findings), len(in.Findings))
	}
	for i, f := range doc.Findings {
		for _, k := range []string{"rule", "severity", "message", "hint", "location", "source"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %d has no %q key", i, k)
			}
		}
		if f["message"] != in.Findings[i].Message {
			t.Errorf("message %q, want %q", f["message"], in.Findings[i].Message)
		}
	}
	in.Findings = nil
	if !bytes.Contains(render(t, "json", Options{}, in), []byte(`"findings": []`)) {
		t.Error(`no findings must be "findings": [], never null`)
	}
}

// TestJUnitParses: the XML is well-formed, counts add up, and hostile text survives escaping
// (control characters XML can't hold become U+FFFD).
func TestJUnitParses(t *testing.T) {
	var doc junitSuites
	if err := xml.Unmarshal(render(t, "junit", Options{}, fixture()), &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Suites[0]
	if s.Tests != 10 || s.Failures != 5 || doc.Failures != 5 || len(s.Cases) != 10 {
		t.Errorf("counts: %d tests, %d failures, %d cases", s.Tests, s.Failures, len(s.Cases))
	}
	failures := 0
	for _, c := range s.Cases {
		if c.Failure != nil {
			failures++
			if c.SystemOut != "" {
				t.Errorf("%s: failure with system-out", c.Name)
			}
		}
		if c.Classname == "user-naming" {
			want := strings.ReplaceAll(hostile, "\x1b", "\uFFFD")
			if !strings.Contains(c.SystemOut, want) || strings.ContainsAny(c.Name, "\r\n") {
				t.Errorf("hostile text mangled:\n%q\n%q", c.Name, c.SystemOut)
			}
		}
	}
	if failures != 5 {
		t.Errorf("%d failures, want the 5 errors", failures)
	}
}

// underline renders a whole line (no window) and its caret line.
func underline(line string, s span) (text, marks string) {
	return snippet{text: line, first: 1, span: s}.underline()
}
