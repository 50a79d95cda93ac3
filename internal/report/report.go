// Package report turns final findings into the output formats tollgate supports: one file per
// format behind the small Reporter interface, so the CLI can write several formats in one run
// (e.g. --format github --sarif-file out.sarif).
//
// Every reporter is deterministic: the same Input gives the same bytes. Messages are treated as
// untrusted plain text and escaped for each destination (terminal, JSON, SARIF, workflow commands,
// Markdown, XML).
package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/redact"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// DefaultCategory is SARIF's automationDetails.id when Input.Category is empty.
const DefaultCategory = "tollgate/"

// ToolName and InformationURI identify tollgate in machine-readable output. Keep the name stable:
// GitHub code scanning keys its tool filter and check name on it.
const (
	ToolName       = "tollgate"
	InformationURI = "https://github.com/tollgate-dev/tollgate"
)

// Input is everything a reporter may draw on.
type Input struct {
	Findings []finding.Finding // already sorted (finding.Sort) and final
	Catalog  *catalog.Catalog  // every rule, for SARIF rules[] and titles; may be nil
	// Sources returns the text of a repo-relative file, for snippets and UTF-16 columns.
	// A nil func or a nil result means no snippet.
	Sources     func(file string) []byte
	ToolVersion string // e.g. "0.1.0"
	Files       int    // number of files checked, for summaries
	Category    string // SARIF automationDetails.id; DefaultCategory when empty

	lineCache    map[string]*yamlsrc.Lines
	secretValues *redact.Secrets
}

// Reporter writes findings in one format.
type Reporter interface {
	Report(w io.Writer, in *Input) error
}

// Options configure reporters; each reads only the fields it needs.
type Options struct {
	// Color enables ANSI colours in the text format. The CLI decides (a terminal and no NO_COLOR).
	Color bool
	// SummaryPath is where the github format appends its Markdown job summary: the value of
	// GITHUB_STEP_SUMMARY, read by the CLI. Empty writes no summary.
	SummaryPath string
}

var constructors = map[string]func(Options) Reporter{
	"text":   func(o Options) Reporter { return &textReporter{color: o.Color} },
	"json":   func(Options) Reporter { return jsonReporter{} },
	"sarif":  func(Options) Reporter { return sarifReporter{} },
	"github": func(o Options) Reporter { return githubReporter{summaryPath: o.SummaryPath} },
	"junit":  func(Options) Reporter { return junitReporter{} },
}

// Formats returns the valid format names, sorted.
func Formats() []string {
	names := make([]string, 0, len(constructors))
	for n := range constructors {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// New returns the reporter for format. An unknown name is a usage error, never a fallback.
func New(format string, opts Options) (Reporter, error) {
	c, ok := constructors[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (valid formats: %s)", format, strings.Join(Formats(), ", "))
	}
	return c(opts), nil
}

// span is a finding's region made safe to print: lines and columns at least 1 and the end never
// before the start. Reporters must never emit line 0 (invalid SARIF, ignored by GitHub), so a
// file-level finding comes out as 1:1. known is false when the finding had no real end.
type span struct {
	startLine, startCol, endLine, endCol int
	known                                bool
}

func spanOf(l finding.Location) span {
	s := span{startLine: max(1, l.Start.Line), startCol: max(1, l.Start.Column)}
	s.endLine, s.endCol = l.End.Line, l.End.Column
	if s.endLine < s.startLine || (s.endLine == s.startLine && s.endCol <= s.startCol) {
		s.endLine, s.endCol = s.startLine, s.startCol
		return s
	}
	s.endCol = max(1, s.endCol)
	s.known = true
	return s
}

// lineAt returns line n (1-based) of file without its line ending, as bytes of the source (not
// a copy) and their offset in the file. Lines are counted as the YAML parser counts them (a lone
// CR, NEL, LS and PS break lines too), so the line is the one the finding and the secret
// masking mean. Never print it as it is: see snippetOf.
func lineAt(in *Input, file string, n int) (line []byte, off int, ok bool) {
	lines := in.linesOf(file)
	if lines == nil || n < 1 || n > lines.Count() {
		return nil, 0, false
	}
	start, end := lines.Span(n)
	return lines.Source()[start:end], start, true
}

// linesOf indexes a file's lines once per report input.
func (in *Input) linesOf(file string) *yamlsrc.Lines {
	if in.Sources == nil || file == "" {
		return nil
	}
	if l, ok := in.lineCache[file]; ok {
		return l
	}
	var l *yamlsrc.Lines
	if src := in.Sources(file); src != nil {
		l = yamlsrc.NewLines(src)
	}
	if in.lineCache == nil {
		in.lineCache = map[string]*yamlsrc.Lines{}
	}
	in.lineCache[file] = l
	return l
}

// secrets are the run's secret values, found from the findings of the secret rules the first
// time a reporter draws a line.
func (in *Input) secrets() *redact.Secrets {
	if in.secretValues == nil {
		in.secretValues = redact.New(in.Findings, redact.IsSecretRule(func(id string) (bool, bool) {
			r, ok := ruleOf(in, id)
			return r.NotSuppressible, ok
		}), func(file string) []byte {
			if l := in.linesOf(file); l != nil {
				return l.Source()
			}
			return nil
		})
	}
	return in.secretValues
}

// ruleOf looks a rule up, tolerating a nil catalog.
func ruleOf(in *Input, id string) (catalog.Rule, bool) {
	if in.Catalog == nil {
		return catalog.Rule{}, false
	}
	return in.Catalog.Get(id)
}

// bySeverity returns a copy of fs, most severe first, report order kept within a level.
func bySeverity(fs []finding.Finding) []finding.Finding {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b finding.Finding) int { return int(b.Severity) - int(a.Severity) })
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// summaryLine is "3 errors, 1 warning in 12 files" or "no problems in 12 files".
func summaryLine(c finding.Counts, files int) string {
	var parts []string
	if c.Errors > 0 {
		parts = append(parts, plural(c.Errors, "error"))
	}
	if c.Warnings > 0 {
		parts = append(parts, plural(c.Warnings, "warning"))
	}
	if c.Notes > 0 {
		parts = append(parts, plural(c.Notes, "note"))
	}
	if len(parts) == 0 {
		parts = []string{"no problems"}
	}
	return strings.Join(parts, ", ") + " in " + plural(files, "file")
}

// oneLine makes untrusted text safe for a single line on a terminal or in a log: line breaks and
// other control characters (escape sequences included) become visible Go-style escapes, so a
// message can neither start a new line (a forged finding or workflow command) nor drive the terminal.
// Tabs are kept.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, needsEscape) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// safePath is a file name made safe to start a line of text: oneLine, no legacy workflow
// command, and "./" before a name that would otherwise start the line with "::", which the
// GitHub Actions runner reads as a workflow command (`::error title=x::y.yml`).
func safePath(file string) string {
	p := noLegacyCommand(oneLine(file))
	if strings.HasPrefix(strings.TrimLeftFunc(p, unicode.IsSpace), "::") {
		return "./" + p
	}
	return p
}

// noLegacyCommand breaks "##[", which the GitHub Actions runner reads anywhere in a line as a
// legacy workflow command (`##[error]…`, `##[stop-commands]…`), by writing it "##\[".
func noLegacyCommand(s string) string {
	if !strings.Contains(s, "##[") {
		return s
	}
	return strings.ReplaceAll(s, "##[", `##\[`)
}

// CommandSafe makes text of one or more lines safe to print to a log the GitHub Actions runner
// reads: no line starts, after blanks, with "::" (a "./" goes before it: such lines are file
// names) and "##[" appears nowhere. tollgate's own messages on standard error go through it.
func CommandSafe(text string) string {
	if !strings.Contains(text, "::") && !strings.Contains(text, "##[") {
		return text
	}
	lines := strings.Split(noLegacyCommand(text), "\n")
	for i, l := range lines {
		rest := strings.TrimLeftFunc(l, unicode.IsSpace)
		if strings.HasPrefix(rest, "::") {
			lines[i] = l[:len(l)-len(rest)] + "./" + rest
		}
	}
	return strings.Join(lines, "\n")
}

// TextLine is a finding on one line as the text report's first line writes it (no colour):
// file:line:col: severity: message [rule], safe for a terminal and a CI log.
func TextLine(f finding.Finding) string {
	s := spanOf(f.Location)
	var b strings.Builder
	if f.Location.File != "" {
		b.WriteString(safePath(f.Location.File) + ":" + strconv.Itoa(s.startLine) + ":" + strconv.Itoa(s.startCol) + ": ")
	}
	b.WriteString(f.Severity.String() + ": " + noLegacyCommand(oneLine(f.Message)) + " [" + noLegacyCommand(oneLine(f.RuleID)) + "]")
	return b.String()
}

// needsEscape is true for control characters except tab, and for the Unicode line and paragraph
// separators some viewers break lines on.
func needsEscape(r rune) bool {
	return (unicode.IsControl(r) && r != '\t') || r == '\u2028' || r == '\u2029'
}

// truncateRunes cuts s to at most n characters, marking the cut with an ellipsis.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
