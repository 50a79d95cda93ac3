package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// textReporter writes findings for people and editors:
//
//	teams/a.yml:3:5: error: unknown key "contrls" [schema-unknown-key]
//	   3 | contrls:
//	     | ^^^^^^^
//	  hint: did you mean "controls"?
//
// The first line keeps the file:line:col: shape that editors and grep-based tools parse, so the
// message is escaped onto that one line. Snippets expand tabs and count wide characters as two
// cells, so the underline sits under Start..End whatever the terminal's tab stops are.
type textReporter struct{ color bool }

const tabWidth = 4

// ANSI styles; empty strings when colour is off.
type palette struct{ bold, dim, reset, hint string }

func (t *textReporter) palette() palette {
	if !t.color {
		return palette{}
	}
	return palette{bold: "\x1b[1m", dim: "\x1b[2m", reset: "\x1b[0m", hint: "\x1b[36m"}
}

func (t *textReporter) severityStyle(s finding.Severity) string {
	if !t.color {
		return ""
	}
	switch s {
	case finding.Error:
		return "\x1b[1;31m"
	case finding.Warning:
		return "\x1b[1;33m"
	}
	return "\x1b[1;34m"
}

func (t *textReporter) Report(w io.Writer, in *Input) error {
	bw := bufio.NewWriter(w)
	p := t.palette()
	for _, f := range in.Findings {
		sev := t.severityStyle(f.Severity)
		s := spanOf(f.Location)
		if f.Location.File != "" {
			bw.WriteString(p.bold + oneLine(f.Location.File) + ":" + strconv.Itoa(s.startLine) + ":" +
				strconv.Itoa(s.startCol) + ":" + p.reset + " ")
		}
		bw.WriteString(sev + f.Severity.String() + ":" + p.reset + " " + oneLine(f.Message) +
			" " + p.dim + "[" + oneLine(f.RuleID) + "]" + p.reset + "\n")
		if line, ok := sourceLine(in, f.Location.File, s.startLine); ok {
			if isSecretRule(in, f.RuleID) {
				line = maskFrom(line, s.startCol)
			}
			text, marks := underline(line, s)
			num := strconv.Itoa(s.startLine)
			pad := strings.Repeat(" ", len(num))
			bw.WriteString(p.dim + "  " + num + " |" + p.reset + " " + text + "\n")
			bw.WriteString(p.dim + "  " + pad + " |" + p.reset + " " + sev + marks + p.reset + "\n")
		}
		if f.Hint != "" {
			bw.WriteString("  " + p.hint + "hint:" + p.reset + " " + oneLine(f.Hint) + "\n")
		}
		bw.WriteString("\n")
	}
	bw.WriteString(p.bold + summaryLine(finding.Count(in.Findings), in.Files) + p.reset + "\n")
	return bw.Flush()
}

// underline renders a source line for display and the caret line beneath it. Columns are
// characters (as yaml.v3 reports them). The span runs from startCol to endCol (exclusive) on one
// line, to the end of the line when it continues below, and is a single caret when the end is
// unknown. A span past the end of the line puts one caret just after the last character.
func underline(line string, s span) (text, marks string) {
	from, to := s.startCol, s.startCol+1
	if s.known {
		to = s.endCol
		if s.endLine > s.startLine {
			to = len([]rune(line)) + 1
		}
	}
	var tb, mb strings.Builder
	col, cells := 1, 0
	for _, r := range line {
		w := runeCells(r, cells)
		shown := string(r)
		if r == '\t' {
			shown = strings.Repeat(" ", w)
		} else if needsEscape(r) {
			shown, w = "\uFFFD", 1
		}
		tb.WriteString(shown)
		mark := " "
		if col >= from && col < to {
			mark = "^"
		}
		mb.WriteString(strings.Repeat(mark, w))
		cells += w
		col++
	}
	if from >= col { // the span starts at or after the end of the line
		mb.WriteString("^")
	}
	return tb.String(), strings.TrimRight(mb.String(), " ")
}

// runeCells is how many terminal cells r takes when it starts at cell `at`.
func runeCells(r rune, at int) int {
	switch {
	case r == '\t':
		return tabWidth - at%tabWidth
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0 // combining marks and zero-width joiners sit on the previous cell
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// isSecretRule reports findings whose source line holds a secret value: the plaintext-secret
// rules, which are the ones marked not suppressible. Their snippet is masked, so a plaintext
// secret never reaches a terminal or a CI log.
func isSecretRule(in *Input, id string) bool {
	if in.Catalog == nil {
		return id == "secret-plaintext"
	}
	r, ok := in.Catalog.Get(id)
	return ok && r.NotSuppressible
}

// maskFrom replaces every character from column col (1-based, in characters) to the end of
// the line with '*', keeping the key before it readable.
func maskFrom(line string, col int) string {
	var b strings.Builder
	i := 1
	for _, r := range line {
		if i >= col && r != ' ' && r != '\t' {
			b.WriteRune('*')
		} else {
			b.WriteRune(r)
		}
		i++
	}
	return b.String()
}
