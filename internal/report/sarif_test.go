package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// The official OASIS errata01 schema (draft-04), copied from shared/schemas; the hash pins it.
const sarifSchemaSHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, "sarif-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != sarifSchemaSHA256 {
		t.Fatal("testdata/report/sarif-2.1.0.json is not the official errata01 schema")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	const url = "file:///schemas/sarif-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// validSARIF checks data against the official schema and GitHub's own profile.
func validSARIF(t *testing.T, sch *jsonschema.Schema, data []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("schema: %v", err)
	}
	if err := CheckGitHubSARIF(data); err != nil {
		t.Errorf("GitHub profile: %v", err)
	}
}

func TestSARIFValid(t *testing.T) {
	sch := sarifSchema(t)
	empty := fixture()
	empty.Findings = nil
	for name, in := range map[string]*Input{"fixture": fixture(), "empty": empty} {
		t.Run(name, func(t *testing.T) {
			validSARIF(t, sch, render(t, "sarif", Options{}, in))
		})
	}
}

// sarifDoc is the part of the output the tests look at.
type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name, Version, SemanticVersion string
				Rules                          []struct {
					ID, Name   string
					Properties map[string]any
				}
			}
		}
		AutomationDetails struct{ ID string }
		Results           *[]struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           map[string]int
				}
			}
		}
		Invocations []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct {
				Level   string
				Message struct{ Text string }
			}
		}
	}
}

func decodeSARIF(t *testing.T, data []byte) sarifDoc {
	t.Helper()
	var d sarifDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Runs) != 1 {
		t.Fatalf("%d runs", len(d.Runs))
	}
	return d
}

func TestSARIFContent(t *testing.T) {
	d := decodeSARIF(t, render(t, "sarif", Options{}, fixture()))
	run := d.Runs[0]
	if run.AutomationDetails.ID != DefaultCategory || run.Tool.Driver.SemanticVersion != "0.1.0" {
		t.Errorf("category %q, semanticVersion %q", run.AutomationDetails.ID, run.Tool.Driver.SemanticVersion)
	}
	rules := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		rules[r.ID] = i
	}
	sec := run.Tool.Driver.Rules[rules["enroll-secret-literal"]]
	if sec.Name != "EnrollSecretLiteral" || sec.Properties["security-severity"] != "8.5" {
		t.Errorf("security rule: %+v", sec)
	}
	if _, ok := rules["user-naming"]; !ok {
		t.Error("a finding's rule missing from the catalog must still get a rules[] entry")
	}
	byMsg := map[string]int{}
	for i, r := range *run.Results {
		byMsg[r.Message.Text] = i
	}
	res := *run.Results
	// 日本 follows a non-BMP emoji: SARIF columns count UTF-16 code units, one more than characters.
	r := res[byMsg[`description must not contain "日本"`]].Locations[0].PhysicalLocation.Region
	if r["startColumn"] != 25 || r["endColumn"] != 27 {
		t.Errorf("UTF-16 columns: %v, want 25..27", r)
	}
	// A file-level finding (0:0 in the input) is 1:1, never line 0.
	r = res[byMsg[`missing required key "controls"`]].Locations[0].PhysicalLocation.Region
	if r["startLine"] != 1 || r["startColumn"] != 1 {
		t.Errorf("file-level region %v", r)
	}
	uri := res[byMsg["query must be a string"]].Locations[0].PhysicalLocation.ArtifactLocation
	if uri.URI != "lib/macos/policies/a%20file.yml" || uri.URIBaseID != "%SRCROOT%" {
		t.Errorf("artifact location %+v", uri)
	}
	// The finding without a file is a notification, not a result GitHub would reject.
	if len(run.Invocations) != 1 || !strings.Contains(run.Invocations[0].ToolExecutionNotifications[0].Message.Text, "timed out") {
		t.Errorf("invocations %+v", run.Invocations)
	}
}

// TestSARIFLimits lowers GitHub's limits: the most severe results are kept, in report order, and
// a notification says so; the file stays valid.
func TestSARIFLimits(t *testing.T) {
	sch := sarifSchema(t)
	defer func(r, g int) { sarifMaxResults, sarifMaxGzipBytes = r, g }(sarifMaxResults, sarifMaxGzipBytes)

	in := fixture()
	in.Findings = nil
	for i := range 40 {
		sev := []finding.Severity{finding.Note, finding.Warning, finding.Error, finding.Note}[i%4]
		in.Findings = append(in.Findings, finding.Finding{RuleID: "schema-value", Severity: sev,
			Message:  fmt.Sprintf("problem %02d with some padding to make the file grow %s", i, strings.Repeat("x", i*37)),
			Location: finding.Location{File: fmt.Sprintf("teams/t%02d.yml", i), Start: finding.Position{Line: 1, Column: 1}}})
	}

	t.Run("results", func(t *testing.T) {
		sarifMaxResults = 15
		data := render(t, "sarif", Options{}, in)
		validSARIF(t, sch, data)
		run := decodeSARIF(t, data).Runs[0]
		levels := map[string]int{}
		prev := ""
		for _, r := range *run.Results {
			levels[r.Level]++
			if f := r.Locations[0].PhysicalLocation.ArtifactLocation.URI; f < prev {
				t.Errorf("kept results out of report order: %s after %s", f, prev)
			} else {
				prev = f
			}
		}
		if levels["error"] != 10 || levels["warning"] != 5 || levels["note"] != 0 {
			t.Errorf("kept %v, want the 10 errors and 5 of the warnings", levels)
		}
		n := run.Invocations[0].ToolExecutionNotifications
		if len(n) != 1 || !strings.Contains(n[0].Message.Text, "tollgate found 40 results; only the 15 most severe") {
			t.Errorf("notification %+v", n)
		}
	})
	t.Run("gzip size", func(t *testing.T) {
		sarifMaxResults = 25_000
		full := render(t, "sarif", Options{}, in)
		none := *in
		none.Findings = nil
		base := gzipSize(render(t, "sarif", Options{}, &none)) // rules[] alone
		sarifMaxGzipBytes = base + (gzipSize(full)-base)/2
		data := render(t, "sarif", Options{}, in)
		if gzipSize(data) > sarifMaxGzipBytes {
			t.Fatalf("%d bytes gzipped, limit %d", gzipSize(data), sarifMaxGzipBytes)
		}
		validSARIF(t, sch, data)
		if run := decodeSARIF(t, data).Runs[0]; len(*run.Results) >= 40 || len(run.Invocations) != 1 {
			t.Errorf("%d results kept, invocations %+v", len(*run.Results), run.Invocations)
		}
	})
}

// TestCheckGitHubSARIF: the profile check catches what the schema lets through.
func TestCheckGitHubSARIF(t *testing.T) {
	base := string(render(t, "sarif", Options{}, fixture()))
	for name, edit := range map[string]func(string) string{
		"no results": func(s string) string {
			var m map[string]any
			json.Unmarshal([]byte(s), &m)
			delete(m["runs"].([]any)[0].(map[string]any), "results")
			b, _ := json.Marshal(m)
			return string(b)
		},
		"raw space in uri": func(s string) string { return strings.Replace(s, "a%20file", "a file", 1) },
		"numeric security-sev": func(s string) string {
			return strings.Replace(s, `"security-severity": "8.5"`, `"security-severity": 8.5`, 1)
		},
		"empty short description": func(s string) string {
			return strings.Replace(s, `"text": "Enroll secret is a literal"`, `"text": ""`, 1)
		},
		"ruleIndex mismatch": func(s string) string { return strings.Replace(s, `"ruleIndex": 0`, `"ruleIndex": 1`, 1) },
		"absolute uri": func(s string) string {
			return strings.Replace(s, `"uri": "default.yml"`, `"uri": "/home/runner/default.yml"`, 1)
		},
		"parent directory in uri": func(s string) string { return strings.Replace(s, `"uri": "default.yml"`, `"uri": "../default.yml"`, 1) },
		"two runs": func(s string) string {
			return strings.Replace(s, `"runs": [`, `"runs": [{"tool":{"driver":{"name":"x"}},"results":[]},`, 1)
		},
		"start line zero": func(s string) string { return strings.Replace(s, `"startLine": 1,`, `"startLine": 0,`, 1) },
		"empty message":   func(s string) string { return strings.Replace(s, `"text": "query must be a string"`, `"text": " "`, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			bad := edit(base)
			if bad == base {
				t.Fatal("the edit did not apply")
			}
			if CheckGitHubSARIF([]byte(bad)) == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestEncodeURIPath(t *testing.T) {
	for in, want := range map[string]string{
		"teams/a.yml":          "teams/a.yml",
		"./teams/a.yml":        "teams/a.yml",
		"lib/a file.yml":       "lib/a%20file.yml",
		"c:/x.yml":             "c%3A/x.yml",
		"lib/100%.yml":         "lib/100%25.yml",
		"lib/café.yml":         "lib/caf%C3%A9.yml",
		"lib/#hash?q.yml":      "lib/%23hash%3Fq.yml",
		"lib/we,ird:name.yml":  "lib/we%2Cird%3Aname.yml",
		"lib/~tilde_under.yml": "lib/~tilde_under.yml",
	} {
		if got := encodeURIPath(in); got != want {
			t.Errorf("encodeURIPath(%q) = %q, want %q", in, got, want)
		}
		if err := checkRelativeURI(encodeURIPath(in)); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestCamelCase(t *testing.T) {
	for in, want := range map[string]string{"yaml-syntax": "YamlSyntax", "deprecated-key-conflict": "DeprecatedKeyConflict", "x": "X"} {
		if got := camelCase(in); got != want {
			t.Errorf("camelCase(%q) = %q, want %q", in, got, want)
		}
	}
}
