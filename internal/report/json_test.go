package report

import (
	"bytes"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// The JSON report is written a finding at a time; its bytes must be those of the whole
// document encoded at once (encodeJSON), with findings and without.
func TestJSONStreamedAsWhole(t *testing.T) {
	for _, in := range []*Input{fixture(), {ToolVersion: "0.1.0"}} {
		var got bytes.Buffer
		if err := (jsonReporter{}).Report(&got, in); err != nil {
			t.Fatal(err)
		}
		doc := jsonDoc{Version: JSONVersion, Tool: jsonTool{Name: ToolName, Version: in.ToolVersion}, Findings: []jsonFinding{}}
		c := finding.Count(in.Findings)
		doc.Summary = jsonSummary{Errors: c.Errors, Warnings: c.Warnings, Notes: c.Notes, Files: in.Files}
		for _, f := range in.Findings {
			doc.Findings = append(doc.Findings, jsonFindingOf(f))
		}
		var want bytes.Buffer
		if err := encodeJSON(&want, doc); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%d findings: streamed report differs from the whole document:\n--- got:\n%s\n--- want:\n%s", len(in.Findings), got.Bytes(), want.Bytes())
		}
	}
}
