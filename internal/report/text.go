package report

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
			bw.WriteString(p.bold + safePath(f.Location.File) + ":" + strconv.Itoa(s.startLine) + ":" +
				strconv.Itoa(s.startCol) + ":" + p.reset + " ")
		}
		bw.WriteString(sev + f.Severity.String() + ":" + p.reset + " " + noLegacyCommand(oneLine(f.Message)) +
			" " + p.dim + "[" + noLegacyCommand(oneLine(f.RuleID)) + "]" + p.reset + "\n")
		if sn, ok := snippetOf(in, f.Location.File, s); ok {
			text, marks := sn.underline()
			num := strconv.Itoa(s.startLine)
			pad := strings.Repeat(" ", len(num))
			bw.WriteString(p.dim + "  " + num + " |" + p.reset + " " + text + "\n")
			bw.WriteString(p.dim + "  " + pad + " |" + p.reset + " " + sev + marks + p.reset + "\n")
		}
		if f.Hint != "" {
			bw.WriteString("  " + p.hint + "hint:" + p.reset + " " + noLegacyCommand(oneLine(f.Hint)) + "\n")
		}
		bw.WriteString("\n")
	}
	bw.WriteString(p.bold + summaryLine(finding.Count(in.Findings), in.Files) + p.reset + "\n")
	return bw.Flush()
}

// Snippets show at most snippetWidth characters of a line: a finding in a long line (a
// minified file, a megabyte on one line) shows the stretch around its column, from snippetLead
// characters before it, with "…" where the line was cut. Output stays proportional to the
// findings, not to the lines they are on.
const (
	snippetWidth = 120
	snippetLead  = 40
)

// snippet is the part of a source line a text report shows, secret values masked.
type snippet struct {
	text              string
	first             int  // the column of text's first character in the line
	cutLeft, cutRight bool // the line goes on before / after text
	span              span
}

// snippetOf cuts the line of span s in file to the window the report shows and masks the
// secret values in it.
func snippetOf(in *Input, file string, s span) (snippet, bool) {
	line, off, ok := lineAt(in, file, s.startLine)
	if !ok {
		return snippet{}, false
	}
	sn := snippet{first: 1, span: s}
	from, to := 0, len(line)
	if i := skipRunes(line, 0, snippetWidth+1); i < len(line) { // longer than the window
		sn.first = max(1, s.startCol-snippetLead)
		from = in.linesOf(file).Offset(s.startLine, sn.first) - off // walked on from the last finding's
		if from == len(line) {                                      // the span starts past the end: show the line's end
			n := utf8.RuneCount(line)
			sn.first = max(1, n+1-snippetWidth+snippetLead)
			from = skipRunes(line, 0, sn.first-1)
		}
		to = skipRunes(line, from, snippetWidth)
		sn.cutLeft, sn.cutRight = from > 0, to < len(line)
	}
	sn.text = in.secrets().Mask(file, s.startLine, off+from, string(line[from:to]))
	return sn, true
}

// skipRunes returns the byte offset n characters after offset i in b (len(b) at most).
func skipRunes(b []byte, i, n int) int {
	for ; n > 0 && i < len(b); n-- {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return i
}

// underline renders the snippet for display and the caret line beneath it. Columns are
// characters (as yaml.v3 reports them). The span runs from startCol to endCol (exclusive) on one
// line, to the end of the line when it continues below, and is a single caret when the end is
// unknown. A span past the end of the line puts one caret just after the last character.
func (sn snippet) underline() (text, marks string) {
	s := sn.span
	from, to := s.startCol, s.startCol+1
	if s.known {
		to = s.endCol
		if s.endLine > s.startLine {
			to = math.MaxInt
		}
	}
	var tb, mb strings.Builder
	if sn.cutLeft {
		tb.WriteString("…")
		mb.WriteString(" ")
	}
	col, cells := sn.first, 0
	hashes := 0 // '#' just before, for the runner's legacy "##[" commands
	for _, r := range sn.text {
		w := runeCells(r, cells)
		shown := string(r)
		switch {
		case r == '\t':
			shown = strings.Repeat(" ", w)
		case needsEscape(r):
			shown, w = "\uFFFD", 1
		case r == '[' && hashes >= 2:
			shown, w = `\[`, 2
		}
		if r == '#' {
			hashes++
		} else {
			hashes = 0
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
	if from >= col && !sn.cutRight { // the span starts at or after the end of the line
		mb.WriteString("^")
	}
	if sn.cutRight {
		tb.WriteString("…")
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
