package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// GitHub rejects a step summary over 1 MiB (the step still passes, the summary is lost). Stay
// well under it; tests lower these.
var (
	summaryMaxBytes    = 1<<20 - 64<<10
	summaryMaxFindings = 1000
	summaryMaxFiles    = 100
)

// markdownSummary is the job summary: totals by level, counts by rule and by file, and a capped
// table of findings, most severe first. Every piece of repository text is escaped for Markdown.
func markdownSummary(in *Input) string {
	var b strings.Builder
	c := finding.Count(in.Findings)
	b.WriteString("## " + ToolName + "\n\n" + summaryLine(c, in.Files) + "\n\n")
	if len(in.Findings) == 0 {
		return b.String()
	}

	b.WriteString("| level | findings |\n| --- | ---: |\n")
	for _, l := range []struct {
		name string
		n    int
	}{{"error", c.Errors}, {"warning", c.Warnings}, {"note", c.Notes}} {
		if l.n > 0 {
			fmt.Fprintf(&b, "| %s | %d |\n", l.name, l.n)
		}
	}

	type tally struct {
		key string
		finding.Counts
	}
	count := func(key func(finding.Finding) string) []tally {
		m := map[string]*tally{}
		for _, f := range in.Findings {
			k := key(f)
			if m[k] == nil {
				m[k] = &tally{key: k}
			}
			add := finding.Count([]finding.Finding{f})
			m[k].Errors += add.Errors
			m[k].Warnings += add.Warnings
			m[k].Notes += add.Notes
		}
		var out []tally
		for _, t := range m {
			out = append(out, *t)
		}
		// Most errors first, then warnings, notes; ties by name, so output is stable.
		slices.SortFunc(out, func(a, b tally) int {
			return cmp.Or(-cmp.Compare(a.Errors, b.Errors), -cmp.Compare(a.Warnings, b.Warnings),
				-cmp.Compare(a.Notes, b.Notes), strings.Compare(a.key, b.key))
		})
		return out
	}

	b.WriteString("\n### By rule\n\n| rule | title | errors | warnings | notes |\n| --- | --- | ---: | ---: | ---: |\n")
	for _, t := range count(func(f finding.Finding) string { return f.RuleID }) {
		rule, title := mdEscape(t.key), ""
		if r, ok := ruleOf(in, t.key); ok {
			title = mdEscape(r.Title)
			if u := r.DocURL(); u != "" {
				rule = "[" + rule + "](" + u + ")"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d |\n", rule, title, t.Errors, t.Warnings, t.Notes)
	}

	files := count(func(f finding.Finding) string { return f.Location.File })
	b.WriteString("\n### By file\n\n| file | errors | warnings | notes |\n| --- | ---: | ---: | ---: |\n")
	for i, t := range files {
		if i == summaryMaxFiles {
			fmt.Fprintf(&b, "\n_%d more files not shown._\n", len(files)-i)
			break
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", cmp.Or(mdEscape(t.key), "(no file)"), t.Errors, t.Warnings, t.Notes)
	}

	b.WriteString("\n### Findings\n\n| level | rule | location | message |\n| --- | --- | --- | --- |\n")
	shown := 0
	for _, f := range bySeverity(in.Findings) {
		loc := "(no file)"
		if f.Location.File != "" {
			loc = fmt.Sprintf("%s:%d", mdEscape(f.Location.File), spanOf(f.Location).startLine)
		}
		row := fmt.Sprintf("| %s | %s | %s | %s |\n", f.Severity, mdEscape(f.RuleID), loc, mdEscape(f.Message))
		// Leave room for the closing note.
		if shown == summaryMaxFindings || b.Len()+len(row) > summaryMaxBytes-256 {
			break
		}
		b.WriteString(row)
		shown++
	}
	if shown < len(in.Findings) {
		fmt.Fprintf(&b, "\n_Showing the %d most severe of %d findings; the job log lists all of them._\n", shown, len(in.Findings))
	}
	return b.String()
}

// mdEscape makes untrusted text inert in a GitHub Markdown table cell: HTML is escaped, Markdown
// punctuation (including $ for math and | for cells) is backslash-escaped, and line breaks, which
// would end the table row, become spaces.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '$', '!', '(', ')', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\r', '\n', '\u2028', '\u2029':
			b.WriteByte(' ')
		default:
			if needsEscape(r) {
				b.WriteRune('\uFFFD')
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
