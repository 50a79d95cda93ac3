package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// JSONVersion is the version of the JSON output (docs/json-format.md). Adding fields keeps it;
// renaming, removing or changing the meaning of a field bumps it.
const JSONVersion = 1

// The JSON document has its own types rather than finding.Finding's tags, so a change to the
// internal type can't silently change the public format. Every key is always present.
type (
	jsonDoc struct {
		Version  int           `json:"version"`
		Tool     jsonTool      `json:"tool"`
		Summary  jsonSummary   `json:"summary"`
		Findings []jsonFinding `json:"findings"` // never null
	}
	jsonTool struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	jsonSummary struct {
		Errors   int `json:"errors"`
		Warnings int `json:"warnings"`
		Notes    int `json:"notes"`
		Files    int `json:"files"`
	}
	jsonFinding struct {
		Rule     string       `json:"rule"`
		Severity string       `json:"severity"`
		Message  string       `json:"message"`
		Hint     string       `json:"hint"`
		Location jsonLocation `json:"location"`
		Source   string       `json:"source"`
	}
	jsonLocation struct {
		File  string  `json:"file"`
		Start jsonPos `json:"start"`
		End   jsonPos `json:"end"`
		Path  string  `json:"path"`
	}
	jsonPos struct {
		Line   int `json:"line"`
		Column int `json:"column"`
	}
)

type jsonReporter struct{}

// Report writes the document a finding at a time, so a report of 40,000 findings does not
// hold them twice more as JSON (compact, then indented: 60 MB at 20,000 real-shaped teams,
// the run's peak). The bytes are encodeJSON's of the whole document.
func (jsonReporter) Report(w io.Writer, in *Input) error {
	c := finding.Count(in.Findings)
	doc := jsonDoc{
		Version:  JSONVersion,
		Tool:     jsonTool{Name: ToolName, Version: in.ToolVersion},
		Summary:  jsonSummary{Errors: c.Errors, Warnings: c.Warnings, Notes: c.Notes, Files: in.Files},
		Findings: []jsonFinding{},
	}
	var head bytes.Buffer
	if err := encodeJSON(&head, doc); err != nil {
		return err
	}
	const empty = "[]\n}\n" // how the indented document ends with no findings
	if len(in.Findings) == 0 {
		_, err := w.Write(head.Bytes())
		return err
	}
	if !bytes.HasSuffix(head.Bytes(), []byte(empty)) {
		return fmt.Errorf("internal error: the JSON report's head ends in %q", head.Bytes()[max(0, head.Len()-8):])
	}
	bw := bufio.NewWriter(w)
	bw.Write(bytes.TrimSuffix(head.Bytes(), []byte(empty)))
	bw.WriteString("[\n")
	var compact, indented bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	for i, f := range in.Findings {
		compact.Reset()
		indented.Reset()
		if err := enc.Encode(jsonFindingOf(f)); err != nil {
			return err
		}
		// An element of the findings array, two levels in: json.Indent leaves the first line
		// as it is and prefixes the others.
		if err := json.Indent(&indented, bytes.TrimSuffix(compact.Bytes(), []byte("\n")), "    ", "  "); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.WriteString("    ")
		bw.Write(indented.Bytes())
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

func jsonFindingOf(f finding.Finding) jsonFinding {
	// Positions are at least 1 and end >= start when there is a file (span), and all zero
	// for a finding that belongs to no file.
	var s span
	if f.Location.File != "" {
		s = spanOf(f.Location)
	}
	return jsonFinding{
		Rule:     f.RuleID,
		Severity: f.Severity.String(),
		Message:  f.Message,
		Hint:     f.Hint,
		Location: jsonLocation{
			File:  f.Location.File,
			Start: jsonPos{s.startLine, s.startCol},
			End:   jsonPos{s.endLine, s.endCol},
			Path:  f.Location.Path,
		},
		Source: f.Source,
	}
}

// encodeJSON writes v indented, with a final newline, without HTML escaping (the output is not
// embedded in HTML, and \u003c in messages only hurts people reading it). It indents into a
// buffer sized up front: the encoder's own indenting grew its buffer a doubling at a time,
// which for a report of thousands of findings cost tens of milliseconds after the lint itself.
func encodeJSON(w io.Writer, v any) error {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	var out bytes.Buffer
	out.Grow(2 * compact.Len())
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return err
	}
	_, err := w.Write(out.Bytes())
	return err
}
