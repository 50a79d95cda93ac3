package report

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// command is a workflow command as the Actions runner sees it.
type command struct {
	name  string
	props map[string]string // keys lower-cased: the runner's dictionary ignores case
	data  string
}

// parseCommand follows ActionCommand.TryParseV2 in actions/runner: trim leading white space; the
// line must start with "::"; the command info ends at the next "::"; the name ends at the first
// space; properties are split on ',' (empty entries dropped), each on its first '='; then
// properties and data are unescaped.
func parseCommand(line string) (command, bool) {
	line = strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(line, "::") {
		return command{}, false
	}
	end := strings.Index(line[2:], "::")
	if end < 0 {
		return command{}, false
	}
	info, data := line[2:2+end], line[2+end+2:]
	c := command{props: map[string]string{}, data: unescapeData(data)}
	name, props, hasProps := strings.Cut(info, " ")
	c.name = name
	if hasProps {
		for _, p := range strings.Split(strings.TrimSpace(props), ",") {
			if p == "" {
				continue
			}
			k, v, ok := strings.Cut(p, "=")
			if ok && k != "" && v != "" {
				c.props[strings.ToLower(k)] = unescapeProperty(v)
			}
		}
	}
	return c, true
}

// The runner's unescape order: %0D, %0A (and for properties %3A, %2C), then %25 last.
func unescapeData(s string) string {
	for _, m := range [][2]string{{"%0D", "\r"}, {"%0A", "\n"}, {"%25", "%"}} {
		s = strings.ReplaceAll(s, m[0], m[1])
	}
	return s
}

func unescapeProperty(s string) string {
	for _, m := range [][2]string{{"%0D", "\r"}, {"%0A", "\n"}, {"%3A", ":"}, {"%2C", ","}, {"%25", "%"}} {
		s = strings.ReplaceAll(s, m[0], m[1])
	}
	return s
}

// runnerCommands reads output the way the runner does: line by line (CR, LF or CRLF end a
// line), honouring ::stop-commands::TOKEN ... ::TOKEN::, and returns the commands it would act on.
func runnerCommands(out string) []command {
	var cmds []command
	stopToken := ""
	for _, line := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
		c, ok := parseCommand(line)
		if !ok {
			continue
		}
		if stopToken != "" {
			if c.name == stopToken {
				stopToken = ""
			}
			continue
		}
		if c.name == "stop-commands" {
			stopToken = c.data
			continue
		}
		cmds = append(cmds, c)
	}
	return cmds
}

var hostileStrings = []string{
	hostile,
	"%0A literal, %25 literal, %3A and %2C literal",
	"line\nbreak\rcarriage\r\nboth",
	"ends with percent %",
	"::warning::nested",
	"a=b,c=d::e",
	"  leading and trailing spaces  ",
	"emoji 😀 and RTL \u202e text",
	"%",
	"%%0A%%",
}

// TestAnnotationRoundTrip: every hostile message, title and file name comes back from the
// runner's parser exactly (control characters other than line breaks shown as \u escapes), with
// no extra command.
func TestAnnotationRoundTrip(t *testing.T) {
	for _, s := range hostileStrings {
		file := "lib/" + strings.NewReplacer("\n", "", "\r", "").Replace(s) + ".yml"
		f := finding.Finding{RuleID: "user-rule", Severity: finding.Warning, Message: s,
			Location: finding.Location{File: file, Start: finding.Position{Line: 2, Column: 3}, End: finding.Position{Line: 2, Column: 9}}}
		line := annotation(&Input{}, f)
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("annotation spans lines: %q", line)
		}
		cmds := runnerCommands(line + "\n")
		if len(cmds) != 1 {
			t.Fatalf("%q: runner sees %d commands", s, len(cmds))
		}
		c := cmds[0]
		want := map[string]string{"file": file, "line": "2", "endline": "2", "col": "3", "endcolumn": "9", "title": "user-rule"}
		if c.name != "warning" || c.data != showControls(s) || fmt.Sprint(c.props) != fmt.Sprint(want) {
			t.Errorf("%q round-tripped as %s %v %q", s, c.name, c.props, c.data)
		}
	}
}

func TestEscaping(t *testing.T) {
	if got := escapeData("%0A\n"); got != "%250A%0A" {
		t.Errorf("escapeData = %q", got)
	}
	if got := escapeProperty("a,b:c%\r"); got != "a%2Cb%3Ac%25%0D" {
		t.Errorf("escapeProperty = %q", got)
	}
}

// TestGitHubOutputCommands: the whole github output yields only our annotations and the log
// group; a message can't forge a command, even inside the full listing.
func TestGitHubOutputCommands(t *testing.T) {
	out := string(render(t, "github", Options{}, fixture()))
	var names []string
	for _, c := range runnerCommands(out) {
		names = append(names, c.name)
		if c.name == "error" && strings.Contains(c.data, "forged") && !strings.Contains(c.data, "value") {
			t.Errorf("forged command: %+v", c)
		}
	}
	want := "error error error error error warning warning warning notice notice group endgroup"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("commands:\n got %s\nwant %s", got, want)
	}
}

// TestAnnotationCaps: at most 10 per level, most severe first, and a notice counting the rest;
// the notice takes one of the 10 notice slots.
func TestAnnotationCaps(t *testing.T) {
	var fs []finding.Finding
	for i := range 45 {
		sev := finding.Note
		switch {
		case i < 25:
			sev = finding.Error
		case i < 28:
			sev = finding.Warning
		}
		fs = append(fs, finding.Finding{RuleID: "schema-value", Severity: sev, Message: fmt.Sprint("m", i),
			Location: finding.Location{File: fmt.Sprintf("f%02d.yml", 44-i), Start: finding.Position{Line: 1, Column: 1}}})
	}
	finding.Sort(fs) // notes sort first by file name: severity order must come from the reporter
	in := fixture()
	in.Findings = fs
	summary := filepath.Join(t.TempDir(), "summary.md")
	out := string(render(t, "github", Options{SummaryPath: summary}, in))

	count := map[string]int{}
	var order []string
	for _, c := range runnerCommands(out) {
		count[c.name]++
		if c.name == "error" || c.name == "warning" || c.name == "notice" {
			order = append(order, c.name)
		}
	}
	if count["error"] != 10 || count["warning"] != 3 || count["notice"] != 10 {
		t.Errorf("annotations per level %v, want 10 errors, 3 warnings, 9 notes + 1 notice", count)
	}
	if !strings.HasPrefix(strings.Join(order, " "), strings.Repeat("error ", 10)+"warning warning warning notice") {
		t.Errorf("not most severe first: %v", order)
	}
	if !strings.Contains(out, "::notice title=tollgate::23 more findings: see the job summary\n") {
		t.Errorf("no overflow notice (15 errors + 8 notes left out) in:\n%s", out)
	}
	// Everything is still in the log.
	for _, f := range fs {
		if !strings.Contains(out, f.Location.File+":1:1: "+f.Severity.String()+": "+f.Message+" [") {
			t.Errorf("%s missing from the log", f.Message)
		}
	}
}

// TestSummaryCaps: a huge run keeps the summary under its byte budget, says what it left out, and
// escapes Markdown in every cell.
func TestSummaryCaps(t *testing.T) {
	defer func(b, n int) { summaryMaxBytes, summaryMaxFindings = b, n }(summaryMaxBytes, summaryMaxFindings)
	summaryMaxBytes, summaryMaxFindings = 8<<10, 1000

	var fs []finding.Finding
	for i := range 500 {
		fs = append(fs, finding.Finding{RuleID: "schema-value", Severity: finding.Error,
			Message:  fmt.Sprintf("bad | cell %d <script>x</script>\n| injected | row |", i),
			Location: finding.Location{File: fmt.Sprintf("teams/t%03d.yml", i), Start: finding.Position{Line: 4, Column: 2}}})
	}
	in := fixture()
	in.Findings = fs
	md := markdownSummary(in)
	if len(md) > summaryMaxBytes {
		t.Errorf("summary is %d bytes, budget %d", len(md), summaryMaxBytes)
	}
	if !strings.Contains(md, "of 500 findings; the job log lists all of them") || !strings.Contains(md, "more files not shown") {
		t.Error("no note about the findings or files left out")
	}
	if strings.Contains(md, "<script>") || strings.Contains(md, "\n| injected") {
		t.Error("Markdown/HTML not escaped")
	}
	// Every table row has the header's number of cells (escaped pipes don't count).
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		row := sc.Text()
		if strings.HasPrefix(row, "| error | schema-value |") {
			if n := strings.Count(row, "|") - strings.Count(row, `\|`); n != 5 {
				t.Fatalf("row has %d cell separators: %s", n, row)
			}
		}
	}
}

func TestSummaryAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "step_summary")
	for range 2 {
		render(t, "github", Options{SummaryPath: path}, fixture())
	}
	data, _ := os.ReadFile(path)
	if n := bytes.Count(data, []byte("## tollgate\n")); n != 2 {
		t.Errorf("%d summaries after two runs, want 2 (append, never truncate)", n)
	}
	r, _ := New("github", Options{SummaryPath: filepath.Join(t.TempDir(), "missing", "dir", "x")})
	if err := r.Report(&bytes.Buffer{}, fixture()); err == nil {
		t.Error("an unwritable summary path must be an error")
	}
}
