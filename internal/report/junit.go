package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// junitReporter writes JUnit XML for GitLab (artifacts:reports:junit) and Jenkins.
//
// Layout: one <testsuite name="tollgate"> holding one <testcase> per finding, because GitLab's
// merge request widget and test tab list failed test cases one by one with their own name and
// text; a test case per file would fold several findings into one failure and show only the
// first line. Error-level findings are <failure>s; warnings and notes are passing cases whose
// <system-out> holds the finding, so the failure count matches what fails the default
// --fail-level. The case name leaves out line and column so that GitLab, which compares cases by
// classname and name across pipelines, does not report a finding as fixed and new again when
// lines above it move. A run without findings has one passing case, so the report isn't empty.
type junitReporter struct{}

type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

func (junitReporter) Report(w io.Writer, in *Input) error {
	suite := junitSuite{Name: ToolName, Properties: []junitProperty{
		{Name: "tool.version", Value: in.ToolVersion},
		{Name: "files", Value: fmt.Sprint(in.Files)},
	}}
	for _, f := range in.Findings {
		// encoding/xml escapes <, &, quotes and line breaks, and replaces characters XML can't
		// hold (most control characters) with U+FFFD.
		c := junitCase{
			Name:      junitName(f),
			Classname: f.RuleID,
			File:      f.Location.File,
		}
		detail := junitDetail(in, f)
		if f.Severity == finding.Error {
			c.Failure = &junitFailure{Message: f.Message, Type: f.Severity.String(), Text: detail}
			suite.Failures++
		} else {
			c.SystemOut = detail
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(suite.Cases) == 0 {
		suite.Cases = []junitCase{{Name: "lint", Classname: ToolName,
			SystemOut: summaryLine(finding.Counts{}, in.Files)}}
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: ToolName, Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitName is "file: message" (or the message alone for a finding without a file), on one line.
func junitName(f finding.Finding) string {
	name := oneLine(f.Message)
	if f.Location.File != "" {
		name = f.Location.File + ": " + name
	}
	return name
}

// junitDetail is the finding as the text format's first line, the hint and the rule's page.
func junitDetail(in *Input, f finding.Finding) string {
	var b strings.Builder
	s := spanOf(f.Location)
	if f.Location.File != "" {
		fmt.Fprintf(&b, "%s:%d:%d: ", f.Location.File, s.startLine, s.startCol)
	}
	fmt.Fprintf(&b, "%s: %s [%s]", f.Severity, f.Message, f.RuleID)
	if f.Hint != "" {
		b.WriteString("\nhint: " + f.Hint)
	}
	if r, ok := ruleOf(in, f.RuleID); ok && r.DocURL() != "" {
		b.WriteString("\nrule: " + r.DocURL())
	}
	return b.String()
}
