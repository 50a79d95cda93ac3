package report

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// githubReporter writes GitHub Actions workflow commands (annotations), then every finding as
// plain log text, and appends a Markdown job summary when a summary path is set.
//
// The runner shows at most 10 annotations per level per step and drops the rest silently, so
// annotations go most severe first, 10 per level, and one notice says how many were left out;
// the log and the summary carry everything.
type githubReporter struct{ summaryPath string }

const annotationsPerLevel = 10

func (g githubReporter) Report(w io.Writer, in *Input) error {
	bw := bufio.NewWriter(w)
	g.annotate(bw, in)
	writeGitHubLog(bw, in)
	if err := bw.Flush(); err != nil {
		return err
	}
	if g.summaryPath == "" {
		return nil
	}
	return appendSummary(g.summaryPath, in)
}

func (g githubReporter) annotate(w *bufio.Writer, in *Input) {
	c := finding.Count(in.Findings)
	capOf := map[finding.Severity]int{finding.Error: annotationsPerLevel, finding.Warning: annotationsPerLevel, finding.Note: annotationsPerLevel}
	over := func() int {
		return max(0, c.Errors-capOf[finding.Error]) + max(0, c.Warnings-capOf[finding.Warning]) + max(0, c.Notes-capOf[finding.Note])
	}
	if over() > 0 {
		capOf[finding.Note]-- // the "N more" notice takes one of the 10 notice slots
	}
	shown := map[finding.Severity]int{}
	for _, f := range bySeverity(in.Findings) {
		if shown[f.Severity] < capOf[f.Severity] {
			shown[f.Severity]++
			w.WriteString(annotation(in, f) + "\n")
		}
	}
	if n := over(); n > 0 {
		where := "the log"
		if g.summaryPath != "" {
			where = "the job summary"
		}
		w.WriteString("::notice title=" + escapeProperty(ToolName) + "::" +
			escapeData(plural(n, "more finding")+": see "+where) + "\n")
	}
}

// annotation is one workflow command, e.g.
// ::error file=a.yml,line=3,endLine=3,col=5,endColumn=11,title=Unknown key [schema-unknown-key]::msg
func annotation(in *Input, f finding.Finding) string {
	cmd := "notice"
	switch f.Severity {
	case finding.Error:
		cmd = "error"
	case finding.Warning:
		cmd = "warning"
	}
	s := spanOf(f.Location)
	var props []string
	if f.Location.File != "" {
		props = append(props, "file="+escapeProperty(f.Location.File),
			"line="+strconv.Itoa(s.startLine), "endLine="+strconv.Itoa(s.endLine))
		// The runner drops col/endColumn on multi-line spans. GitHub doesn't document whether
		// endColumn is inclusive; users who checked found it exclusive, like ours and SARIF's.
		if s.endLine == s.startLine {
			props = append(props, "col="+strconv.Itoa(s.startCol))
			if s.known {
				props = append(props, "endColumn="+strconv.Itoa(s.endCol))
			}
		}
	}
	title := f.RuleID
	if r, ok := ruleOf(in, f.RuleID); ok {
		title = r.Title + " [" + f.RuleID + "]"
	}
	props = append(props, "title="+escapeProperty(showControls(title)))
	msg := f.Message
	if f.Hint != "" {
		msg += "\nhint: " + f.Hint
	}
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(showControls(msg))
}

// showControls makes control characters other than line breaks and tabs visible (\u001b), so a
// message can't colour or rewrite the log line the runner echoes. Line breaks are escaped for the
// runner, which turns them back into a multi-line annotation.
func showControls(s string) string {
	isCtl := func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }
	if !strings.ContainsFunc(s, isCtl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isCtl(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeData escapes a command's message as the runner unescapes it (ActionCommand.cs):
// '%' first, so a literal "%0A" in the input comes out as "%250A", then CR and LF.
func escapeData(s string) string {
	s = strings.ReplaceAll(s, "%", "%25")
	s = strings.ReplaceAll(s, "\r", "%0D")
	return strings.ReplaceAll(s, "\n", "%0A")
}

// escapeProperty escapes a property value. The runner splits properties on ',' and ends the
// command at the first "::", so ',' and ':' must be escaped too; an unescaped ',' in file=
// silently truncates the path.
func escapeProperty(s string) string {
	s = escapeData(s)
	s = strings.ReplaceAll(s, ":", "%3A")
	return strings.ReplaceAll(s, ",", "%2C")
}

// writeGitHubLog lists every finding in a collapsed group. The listing sits between
// ::stop-commands:: markers, so no text from the repository can act as a workflow command; the
// token is derived from the listing itself, which keeps output deterministic while no message can
// know it in advance.
func writeGitHubLog(w *bufio.Writer, in *Input) {
	var list strings.Builder
	for _, f := range in.Findings {
		s := spanOf(f.Location)
		if f.Location.File != "" {
			fmt.Fprintf(&list, "%s:%d:%d: ", oneLine(f.Location.File), s.startLine, s.startCol)
		}
		fmt.Fprintf(&list, "%s: %s [%s]\n", f.Severity, oneLine(f.Message), oneLine(f.RuleID))
		if f.Hint != "" {
			list.WriteString("  hint: " + oneLine(f.Hint) + "\n")
		}
	}
	line := summaryLine(finding.Count(in.Findings), in.Files)
	if list.Len() > 0 {
		sum := sha256.Sum256([]byte(list.String()))
		token := "tollgate-" + hex.EncodeToString(sum[:12])
		w.WriteString("::group::" + escapeData(ToolName+": "+line) + "\n")
		w.WriteString("::stop-commands::" + token + "\n")
		w.WriteString(list.String())
		w.WriteString("::" + token + "::\n")
		w.WriteString("::endgroup::\n")
	}
	w.WriteString(line + "\n")
}

// appendSummary appends the Markdown job summary; GITHUB_STEP_SUMMARY is shared by the step's
// commands, so never truncate it.
func appendSummary(path string, in *Input) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("job summary: %w", err)
	}
	_, err = io.WriteString(f, markdownSummary(in))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("job summary: %w", err)
	}
	return nil
}
