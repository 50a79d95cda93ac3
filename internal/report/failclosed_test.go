package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

func oneFile(name, src string, fs ...finding.Finding) *Input {
	finding.Sort(fs)
	return &Input{Findings: fs, Files: 1, Sources: func(file string) []byte {
		if file == name {
			return []byte(src)
		}
		return nil
	}}
}

func at(file string, line, col, endCol int) finding.Location {
	return finding.Location{File: file, Start: finding.Position{Line: line, Column: col}, End: finding.Position{Line: line, Column: endCol}}
}

// TestSnippetWindow: a finding in a line of a megabyte shows a window around its column, so a
// hundred findings on that line print kilobytes, not hundreds of megabytes.
func TestSnippetWindow(t *testing.T) {
	var b strings.Builder
	var fs []finding.Finding
	b.WriteString("{name: Big")
	for i := range 100 {
		col := b.Len() + 3
		key := fmt.Sprintf("x%d", i)
		fmt.Fprintf(&b, ", %s: %q", key, strings.Repeat("a", 10_000))
		fs = append(fs, finding.Finding{RuleID: "schema-unknown-key", Severity: finding.Error,
			Message: "unknown key " + key, Location: at("big.yml", 1, col, col+len(key))})
	}
	b.WriteString("}\n")
	out := string(render(t, "text", Options{}, oneFile("big.yml", b.String(), fs...)))
	if len(out) > 100*400 {
		t.Fatalf("text report of 100 findings on a %d-byte line is %d bytes", b.Len(), len(out))
	}
	x3 := fs[3].Location.Start.Column
	want := fmt.Sprintf("big.yml:1:%d: error: unknown key x3 [schema-unknown-key]\n", x3) +
		`  1 | …` + strings.Repeat("a", 37) + `", x3: "` + strings.Repeat("a", 75) + "…\n" +
		"    |                                          ^^\n"
	if !strings.Contains(out, want) {
		t.Errorf("no window around x3's column; want\n%s\nin\n%s", want, out[:min(len(out), 2000)])
	}
}

// TestSnippetWindowEdges: a short line is shown whole; a long line cut at the right only when
// the column is near its start; a span past the end of a long line shows the line's end.
func TestSnippetWindowEdges(t *testing.T) {
	long := "k: " + strings.Repeat("b", 300)
	for _, c := range []struct {
		name string
		src  string
		loc  finding.Location
		want string
	}{
		{"short", "key: value\n", at("f", 1, 6, 11), "  1 | key: value\n    |      ^^^^^\n"},
		{"near the start", long, at("f", 1, 1, 2),
			"  1 | " + long[:120] + "…\n    | ^\n"},
		{"past the end", long, at("f", 1, 305, 305),
			"  1 | …" + long[264:] + "\n    | " + strings.Repeat(" ", 40) + "^\n"},
	} {
		out := string(render(t, "text", Options{}, oneFile("f", c.src, finding.Finding{RuleID: "r", Severity: finding.Error, Message: "m", Location: c.loc})))
		if !strings.Contains(out, c.want) {
			t.Errorf("%s: want\n%q\nin\n%q", c.name, c.want, out)
		}
	}
}

// TestSnippetMasksEverySecretLine: every finding's snippet on a line holding a secret shows
// it masked, whatever its rule; the SARIF columns still count the characters underneath.
func TestSnippetMasksEverySecretLine(t *testing.T) {
	src := "team_settings: {secrets: [{secret: Zq8vR2mXkP4wL9tN6yB3}], bogus: 1}\n"
	in := oneFile("t.yml", src,
		finding.Finding{RuleID: "secret-plaintext", Severity: finding.Error, Message: "enroll secret", Location: at("t.yml", 1, 36, 56)},
		finding.Finding{RuleID: "schema-unknown-key", Severity: finding.Error, Message: "unknown key", Location: at("t.yml", 1, 60, 65)})
	for _, format := range Formats() {
		if out := string(render(t, format, Options{}, in)); strings.Contains(out, "R2mXk") {
			t.Errorf("%s shows the secret:\n%s", format, out)
		}
	}
	if out := string(render(t, "text", Options{}, in)); strings.Count(out, "{secret: ********************}], bogus: 1}") != 2 {
		t.Errorf("not both snippets masked:\n%s", out)
	}
}

// TestNoWorkflowCommand: a file name or message can't make a line of text output a GitHub
// Actions workflow command, either starting it with "::" or holding the legacy "##[".
func TestNoWorkflowCommand(t *testing.T) {
	in := oneFile("::error title=x::y.yml", "a: 1 # ##[stop-commands]tok\n",
		finding.Finding{RuleID: "r", Severity: finding.Error, Message: "m ##[error]x", Hint: "h ##[warning]y", Location: at("::error title=x::y.yml", 1, 1, 2)})
	out := string(render(t, "text", Options{}, in))
	for line := range strings.Lines(out) {
		if strings.HasPrefix(strings.TrimSpace(line), "::") || strings.Contains(line, "##[") {
			t.Errorf("workflow command in text output: %q", line)
		}
	}
	if !strings.HasPrefix(out, "./::error title=x::y.yml:1:1: error: m ##\\[error]x [r]\n") {
		t.Errorf("got %q", out)
	}
	if got := TextLine(in.Findings[0]); got != `./::error title=x::y.yml:1:1: error: m ##\[error]x [r]` {
		t.Errorf("TextLine: %q", got)
	}
	if got := CommandSafe("refusing:\n  ::warning x.yml (added)\n  ##[error]y.yml"); got != "refusing:\n  ./::warning x.yml (added)\n  ##\\[error]y.yml" {
		t.Errorf("CommandSafe: %q", got)
	}
}
