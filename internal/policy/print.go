package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/open-policy-agent/opa/v1/topdown/print"
)

// What print() in a policy may put on standard error: at most maxPrintLines distinct lines
// of at most maxPrintChars characters each. Reports go to standard output and never carry
// print output, so a policy can't corrupt JSON or SARIF, nor forge a finding.
const (
	maxPrintLines = 100
	maxPrintChars = 500
)

// PrintLine is one distinct line printed by a policy, and how many times it was printed.
type PrintLine struct {
	File  string
	Row   int
	Text  string // made single-line and cut to maxPrintChars
	Count int
}

// printLog keeps the first maxPrintLines distinct lines in (file, row, text) order, whatever
// the order the parallel evaluations printed them in, so the output is the same on every run.
// A line that is among the first ones at the end was among them whenever it was printed (the
// lines before it only accumulate), so its count is exact; total counts every call.
type printLog struct {
	mu    sync.Mutex
	kept  []PrintLine
	total int
}

var _ print.Hook = (*printLog)(nil)

// Print implements OPA's print hook.
func (l *printLog) Print(pctx print.Context, msg string) error {
	line := PrintLine{Text: printable(msg), Count: 1}
	if pctx.Location != nil {
		line.File, line.Row = pctx.Location.File, pctx.Location.Row
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total++
	i, found := slices.BinarySearchFunc(l.kept, line, comparePrint)
	switch {
	case found:
		l.kept[i].Count++
	case i < maxPrintLines:
		l.kept = slices.Insert(l.kept, i, line)
		if len(l.kept) > maxPrintLines {
			l.kept = l.kept[:maxPrintLines]
		}
	}
	return nil
}

func comparePrint(a, b PrintLine) int {
	return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Row, b.Row), strings.Compare(a.Text, b.Text))
}

// lines renders the log for standard error: "print: file:row: text", "(×N)" for repeats, and
// a last line counting what was left out.
func (l *printLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	shown := 0
	for _, p := range l.kept {
		s := fmt.Sprintf("print: %s:%d: %s", p.File, p.Row, p.Text)
		if p.Count > 1 {
			s += fmt.Sprintf(" (×%d)", p.Count)
		}
		out = append(out, s)
		shown += p.Count
	}
	if rest := l.total - shown; rest > 0 {
		out = append(out, fmt.Sprintf("print: %d more lines not shown (the first %d distinct lines in file order are)", rest, maxPrintLines))
	}
	return out
}

// printable makes policy output one safe line: line breaks and other control characters
// become escapes (so it can't start a line of its own, a workflow command for one), and it is
// cut to maxPrintChars characters.
func printable(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxPrintChars {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
