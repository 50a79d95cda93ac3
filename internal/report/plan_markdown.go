package report

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/diff"
)

// MarkdownCommentLimit is GitHub's limit on a comment's body (65,536 characters); a plan is
// cut before it, with a note, so the comment is never refused.
const MarkdownCommentLimit = 65536

// planMarkdown writes a plan for a pull-request comment or a job summary: the summary first,
// then one collapsed section per team, each a diff block.
type planMarkdown struct{ limit int }

// PlanMarker starts every Markdown plan, so the action finds its own comment to update.
const PlanMarker = "<!-- tollgate-plan -->"

func (m planMarkdown) ReportPlan(w io.Writer, res *diff.Result) error {
	var b strings.Builder
	counts := diff.Count(res.Changes)
	fmt.Fprintf(&b, "%s\n### tollgate: what this merge changes in the fleet\n\n", PlanMarker)
	fmt.Fprintf(&b, "**%s** (%s → %s)\n\n", planSummary(counts), mdCode(res.Base.String()), mdCode(res.Head.String()))
	for _, p := range []string{problemsLine("The base", res.Base), problemsLine("The head", res.Head)} {
		if p != "" {
			fmt.Fprintf(&b, "> [!WARNING]\n> %s\n\n", mdText(p))
		}
	}
	groups := groupChanges(res.Changes)
	if len(groups) > 0 {
		b.WriteString("| | removed | changed | added | renamed |\n|---|---:|---:|---:|---:|\n")
		// The table takes at most a quarter of the comment; the teams past that are summed in
		// one row, so the counts stay whole and the sections keep room.
		tableEnd := b.Len() + m.limit/4
		for i, g := range groups {
			c := diff.Count(g.changes)
			row := fmt.Sprintf("| %s | %d | %d | %d | %d |\n", mdText(groupTitle(g)), c.Removed, c.Changed, c.Added, c.Renamed)
			if b.Len()+len(row) > tableEnd && i < len(groups)-1 {
				var rest []diff.Change
				for _, g := range groups[i:] {
					rest = append(rest, g.changes...)
				}
				c := diff.Count(rest)
				fmt.Fprintf(&b, "| _%d more teams_ | %d | %d | %d | %d |\n", len(groups)-i, c.Removed, c.Changed, c.Added, c.Renamed)
				break
			}
			b.WriteString(row)
		}
		b.WriteString("\n")
	}
	const tail = 400 // room for the cut note
	for i, g := range groups {
		section := mdSection(g)
		if b.Len()+len(section)+tail > m.limit {
			rest := 0
			for _, g := range groups[i:] {
				rest += len(g.changes)
			}
			fmt.Fprintf(&b, "\n_%d more changes in %d sections are not shown: the comment would pass GitHub's %d-character limit. "+
				"`tollgate diff --format json` (or the job log) has the whole plan._\n", rest, len(groups)-i, m.limit)
			break
		}
		b.WriteString(section)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdSection is one team's changes, collapsed, as a diff block.
func mdSection(g planGroup) string {
	c := diff.Count(g.changes)
	var lines []string
	for _, ch := range g.changes {
		line := changeLine(ch)
		if wh := where(ch); wh != "" {
			line += "   " + wh
		}
		lines = append(lines, line)
		for _, f := range fieldLines(ch) {
			lines = append(lines, "    "+f)
		}
	}
	body := strings.Join(lines, "\n")
	fence := "```"
	for strings.Contains(body, fence) {
		fence += "`"
	}
	title := html.EscapeString(groupTitle(g))
	if g.file != "" {
		title += " <code>" + html.EscapeString(g.file) + "</code>"
	}
	return fmt.Sprintf("<details><summary><b>%s</b>: %s</summary>\n\n%sdiff\n%s\n%s\n\n</details>\n",
		title, planSummary(c), fence, body, fence)
}

// mdText escapes text for Markdown outside code (names come from the repository: untrusted).
func mdText(s string) string {
	s = html.EscapeString(oneLine(s))
	r := strings.NewReplacer("|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

// mdCode writes text as inline code, with a fence longer than any backtick run in it.
func mdCode(s string) string {
	s = oneLine(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + " " + s + " " + fence
}
