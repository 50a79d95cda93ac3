package ruledoc

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

func TestTextShowsTheConfiguration(t *testing.T) {
	one, sixteen := 1.0, 16.0
	r := catalog.Rule{ID: "r", Title: "T", Description: "D.", Severity: finding.Error, Category: "c", Source: "bundled",
		Params: []catalog.Param{{Name: "n", Default: 12, Description: "a length", Minimum: &one, Maximum: &sixteen}, {Name: "m", Description: "unset one"}}}
	got := Text(r, Configured{File: "x/.tollgate.yaml", Severity: "warning", Params: map[string]any{"n": 14}})
	for _, want := range []string{
		"r: T\n\nSeverity: error    Category: c    Source: bundled\nConfigured: warning in x/.tollgate.yaml\n\nD.\n",
		"  n (default 12; 14 in x/.tollgate.yaml): a length (1 to 16)\n",
		"  m (default unset): unset one\n",
		"More: " + catalog.DocsBase + "r.md\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}

func TestMarkdown(t *testing.T) {
	r := catalog.Rule{ID: "r", Title: "T", Description: "D.", Severity: finding.Warning, Category: "c", Source: "builtin",
		Params: []catalog.Param{{Name: "m", Description: "unset one"}}}
	ex := &Example{Dir: "testdata/rules/r/bad", Good: "testdata/rules/r/good", Output: "testdata/rules/r/bad/a.yml:1:1: warning: m [r]\n",
		Files: []File{{Name: "a.yml", Data: []byte("a: 1")}, {Name: "p.mobileconfig", Data: []byte{0x30, 0x82, 0xff}}}}
	got := Markdown(r, ex)
	for _, want := range []string{
		"      m: null  # unset one\n",                       // a YAML value one can copy
		"`a.yml`:\n\n```yaml\na: 1\n```\n",                   // the file, ended with a newline
		"`p.mobileconfig`: not text (3 bytes), not shown.\n", // a signed profile is binary
		"gives:\n\n```\na.yml:1:1: warning: m [r]\n```\n",    // paths relative to the fixture
		"`# tollgate:ignore r <reason>`",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	r.NoComment = true
	if got := Markdown(r, nil); strings.Contains(got, "tollgate:ignore r ") || !strings.Contains(got, "No `tollgate:ignore` comment silences this rule") {
		t.Errorf("a rule no comment silences:\n%s", got)
	}
	r.NoComment, r.NotSuppressible = false, true
	if got := Markdown(r, nil); !strings.Contains(got, "This rule cannot be suppressed") {
		t.Errorf("a rule that cannot be suppressed:\n%s", got)
	}
}
