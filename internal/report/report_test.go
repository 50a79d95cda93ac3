package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/report")

const goldenDir = "../../testdata/report"

// hostile is a message that tries everything: line breaks that would start a new workflow
// command, "::" and "," and "%0A" that the runner treats specially, HTML/XML and Markdown syntax,
// a terminal escape sequence and non-ASCII text.
const hostile = "value \"a,b::c\" 100% (%0A) <b>&amp;</b> | `x` $y$\r\n::error::forged\x1b[31m — ünï 日本"

// sources is the small repository the fixture findings point into.
var sources = map[string]string{
	"default.yml": "org_settings:\n  secrets:\n    - secret: hunter2\n  server_settings:\n    server_url: $FLEET_URL\n",
	"teams/workstations.yml": "name: Workstations\n" +
		"team_settings:\n" +
		"  description: \"😀 café 日本\" # é\n" + // wide and non-BMP characters before the span
		"controls:\n" +
		"  macos_updates:\n" +
		"\tminimum_version: 13\n" + // a tab before the span
		"  passcode: {min: 4}\r\n", // CRLF line ending
	"lib/we,ird:name.yml":           "- name: x\n",
	"teams/no-team.yml":             "name: No team\n",
	"lib/macos/policies/a file.yml": "- name: disk encryption\n  query: SELECT 1;\n",
}

// fixture is the shared finding set: several files, every severity, a file-level finding, a
// multi-line span, unicode columns, an unknown rule, a finding without a file, hostile text.
func fixture() *Input {
	cat := catalog.New()
	for _, r := range []catalog.Rule{
		{ID: "enroll-secret-literal", Title: "Enroll secret is a literal", Category: "secrets", Tags: []string{"fleet", "secrets"},
			Severity: finding.Error, Security: true, SecuritySeverity: 8.5, NotSuppressible: true, Source: "bundled",
			Description: "Enroll secrets in Git leak device enrollment; use $FLEET_*_ENROLL_SECRET variables."},
		{ID: "passcode-min-length", Title: "Passcode is too short", Category: "passcode", Security: true,
			Severity: finding.Warning, Source: "bundled", Description: "Passcodes shorter than 6 characters are easy to guess."},
		{ID: "os-version-stale", Title: "Minimum OS version is old", Category: "os-updates",
			Severity: finding.Note, Source: "bundled", Description: "The minimum macOS version is more than a year old."},
	} {
		if err := cat.Add(r); err != nil {
			panic(err)
		}
	}
	loc := func(file string, sl, sc, el, ec int, path string) finding.Location {
		return finding.Location{File: file, Start: finding.Position{Line: sl, Column: sc},
			End: finding.Position{Line: el, Column: ec}, Path: path}
	}
	fs := []finding.Finding{
		{RuleID: "enroll-secret-literal", Severity: finding.Error, Source: "rego",
			Message:  `enroll secret #0 is a literal "hunter2"`,
			Hint:     "use $FLEET_GLOBAL_ENROLL_SECRET",
			Location: loc("default.yml", 3, 15, 3, 22, "org_settings.secrets[0].secret")},
		{RuleID: catalog.EnvSyntax, Severity: finding.Note, Source: "load",
			Message:  `"$FLEET_URL" is expanded by fleetctl`,
			Location: loc("default.yml", 5, 17, 5, 27, "org_settings.server_settings.server_url")},
		{RuleID: catalog.DeprecatedKey, Severity: finding.Warning, Source: "load",
			Message:  `"team_settings" is deprecated; use "settings"`,
			Location: loc("teams/workstations.yml", 2, 1, 2, 14, "team_settings")},
		{RuleID: catalog.SchemaValue, Severity: finding.Error, Source: "cue",
			Message:  `description must not contain "日本"`,
			Location: loc("teams/workstations.yml", 3, 24, 3, 26, "team_settings.description")},
		{RuleID: "os-version-stale", Severity: finding.Note, Source: "rego",
			Message:  `minimum_version "13" was released in 2022`,
			Location: loc("teams/workstations.yml", 6, 19, 6, 21, "controls.macos_updates.minimum_version")},
		{RuleID: "passcode-min-length", Severity: finding.Warning, Source: "rego",
			Message:  "passcode minimum length 4 is below 6",
			Hint:     "set min to 6 or more",
			Location: loc("teams/workstations.yml", 5, 3, 7, 21, "controls.macos_updates")},
		{RuleID: catalog.SchemaRequired, Severity: finding.Error, Source: "cue",
			Message:  `missing required key "controls"`,
			Location: loc("teams/no-team.yml", 0, 0, 0, 0, "")}, // file level: must come out as 1:1
		{RuleID: "user-naming", Severity: finding.Warning, Source: "policies/naming.rego",
			Message:  hostile,
			Hint:     "line one\nline two",
			Location: loc("lib/we,ird:name.yml", 1, 3, 1, 7, "[0].name")},
		{RuleID: catalog.SchemaType, Severity: finding.Error, Source: "cue",
			Message:  "query must be a string",
			Location: loc("lib/macos/policies/a file.yml", 2, 10, 2, 19, "[0].query")},
		{RuleID: catalog.PolicyError, Severity: finding.Error, Source: "rego",
			Message: `policy "naming" timed out after 5s`},
	}
	finding.Sort(fs)
	return &Input{
		Findings: fs,
		Catalog:  cat,
		Sources: func(file string) []byte {
			if s, ok := sources[file]; ok {
				return []byte(s)
			}
			return nil
		},
		ToolVersion: "0.1.0",
		Files:       12,
	}
}

func render(t *testing.T, format string, opts Options, in *Input) []byte {
	t.Helper()
	r, err := New(format, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Report(&buf, in); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/report -update, then review the diff)\n--- got:\n%s", name, got)
	}
}

// TestGolden renders the fixture in every format, twice: identical input must give identical
// bytes, and the bytes must match the reviewed golden file.
func TestGolden(t *testing.T) {
	cases := []struct {
		format, file string
		opts         Options
	}{
		{"text", "fixture.txt", Options{}},
		{"text", "fixture-color.txt", Options{Color: true}},
		{"json", "fixture.json", Options{}},
		{"sarif", "fixture.sarif", Options{}},
		{"github", "fixture.github.txt", Options{}},
		{"junit", "fixture.junit.xml", Options{}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			first := render(t, c.format, c.opts, fixture())
			if second := render(t, c.format, c.opts, fixture()); !bytes.Equal(first, second) {
				t.Fatal("same input gave different output")
			}
			golden(t, c.file, first)
		})
	}
	t.Run("fixture.summary.md", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "summary.md")
		os.WriteFile(path, []byte("earlier step output\n"), 0o644)
		render(t, "github", Options{SummaryPath: path}, fixture())
		got, _ := os.ReadFile(path)
		if !bytes.HasPrefix(got, []byte("earlier step output\n")) {
			t.Fatal("summary must be appended, not overwrite the file")
		}
		golden(t, "fixture.summary.md", got)
	})
	t.Run("empty", func(t *testing.T) {
		in := fixture()
		in.Findings = nil
		for _, f := range Formats() {
			golden(t, "empty."+f, render(t, f, Options{}, in))
		}
	})
}

func TestNew(t *testing.T) {
	if got, want := Formats(), []string{"github", "json", "junit", "sarif", "text"}; !slices.Equal(got, want) {
		t.Errorf("Formats() = %v, want %v", got, want)
	}
	_, err := New("xml", Options{})
	if err == nil {
		t.Fatal("unknown format accepted")
	}
	for _, name := range Formats() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %q", err, name)
		}
	}
}

// TestInputNotModified: reporters sort copies; the caller's slice keeps report order.
func TestInputNotModified(t *testing.T) {
	in := fixture()
	before := slices.Clone(in.Findings)
	for _, f := range Formats() {
		render(t, f, Options{SummaryPath: filepath.Join(t.TempDir(), "s.md")}, in)
	}
	if !slices.EqualFunc(before, in.Findings, func(a, b finding.Finding) bool { return a == b }) {
		t.Error("a reporter reordered or changed Input.Findings")
	}
}

func TestSpanNeverZero(t *testing.T) {
	for _, l := range []finding.Location{
		{},
		{Start: finding.Position{Line: 3, Column: 0}},
		{Start: finding.Position{Line: 3, Column: 5}, End: finding.Position{Line: 2, Column: 9}},
		{Start: finding.Position{Line: 3, Column: 5}, End: finding.Position{Line: 3, Column: 5}},
	} {
		s := spanOf(l)
		if s.startLine < 1 || s.startCol < 1 || s.endLine < s.startLine ||
			(s.endLine == s.startLine && s.endCol < s.startCol) || s.known {
			t.Errorf("spanOf(%+v) = %+v", l, s)
		}
	}
}

func TestSummaryLine(t *testing.T) {
	for _, c := range []struct {
		c     finding.Counts
		files int
		want  string
	}{
		{finding.Counts{Errors: 3, Warnings: 1}, 12, "3 errors, 1 warning in 12 files"},
		{finding.Counts{}, 12, "no problems in 12 files"},
		{finding.Counts{Notes: 2}, 1, "2 notes in 1 file"},
	} {
		if got := summaryLine(c.c, c.files); got != c.want {
			t.Errorf("summaryLine(%+v, %d) = %q, want %q", c.c, c.files, got, c.want)
		}
	}
}
