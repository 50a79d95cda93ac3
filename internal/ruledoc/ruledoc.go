// Package ruledoc renders a rule's documentation from its catalog entry: as plain text for
// `tollgate explain`, and as the Markdown page docs/rules/<id>.md with the rule's failing
// fixture as its example (written by cmd/gen-rule-docs). Both say the same things from the
// same fields.
package ruledoc

//go:generate go run ./cmd/gen-rule-docs -root ../..

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/internal/catalog"
)

// Configured is what a repository's configuration changes for a rule.
type Configured struct {
	File     string         // the configuration file
	Severity string         // the severity in force: the rule's own, the configured one, or "off"
	Params   map[string]any // the parameters it sets
}

// Text is `tollgate explain`'s rendering: the rule's documentation as plain text, with what the
// configuration changes.
func Text(r catalog.Rule, c Configured) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\n", r.ID, r.Title)
	fmt.Fprintf(&b, "Severity: %s    Category: %s    Source: %s", r.Severity, r.Category, r.Source)
	if r.NotSuppressible {
		b.WriteString("    Cannot be suppressed")
	}
	b.WriteString("\n")
	if c.Severity != "" && c.Severity != r.Severity.String() {
		fmt.Fprintf(&b, "Configured: %s in %s\n", c.Severity, c.File)
	}
	b.WriteString("\n")
	b.WriteString(r.Description)
	b.WriteString("\n")
	if len(r.Params) > 0 {
		b.WriteString("\nParameters (set under rules." + r.ID + ".params in .tollgate.yaml):\n")
		for _, p := range r.Params {
			set := ""
			if v, ok := c.Params[p.Name]; ok {
				set = fmt.Sprintf("; %v in %s", v, c.File)
			}
			fmt.Fprintf(&b, "  %s (default %s%s): %s%s\n", p.Name, defaultOf(p, "unset"), set, p.Description, bounds(p))
		}
	}
	if u := r.DocURL(); u != "" {
		fmt.Fprintf(&b, "\nMore: %s\n", u)
	}
	return b.String()
}

// defaultOf is a parameter's default as text, or none when it has no default.
func defaultOf(p catalog.Param, none string) string {
	if p.Default == nil {
		return none
	}
	return fmt.Sprint(p.Default)
}

// bounds describes a parameter's accepted range, if it declares one.
func bounds(p catalog.Param) string {
	switch {
	case p.Minimum != nil && p.Maximum != nil:
		return fmt.Sprintf(" (%v to %v)", *p.Minimum, *p.Maximum)
	case p.Minimum != nil:
		return fmt.Sprintf(" (at least %v)", *p.Minimum)
	case p.Maximum != nil:
		return fmt.Sprintf(" (at most %v)", *p.Maximum)
	}
	return ""
}

// Example is a rule's failing fixture, testdata/rules/<id>/bad, as its page shows it.
type Example struct {
	Dir string // the fixture's directory, from the repository root, slash-separated
	// Change marks a change rule's fixture: base/ and head/ states of a repository, reviewed
	// with `tollgate lint --base`; Files are then the files that differ between them.
	Change bool
	Files  []File
	Output string // what tollgate reports on the fixture (its expected.txt), paths as in Dir
	Good   string // the passing counterpart's directory
}

// File is one file of an example.
type File struct {
	Name string // slash-separated, relative to Example.Dir
	Data []byte
}

// Markdown is the rule's page, docs/rules/<id>.md: the same fields as Text, with ex (when not
// nil) as its example.
func Markdown(r catalog.Rule, ex *Example) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", r.ID, r.Title)
	fmt.Fprintf(&b, "| | |\n|---|---|\n| Severity | %s |\n| Category | %s |\n| Source | %s |\n", r.Severity, r.Category, r.Source)
	if r.Security {
		fmt.Fprintf(&b, "| Security severity | %.1f |\n", r.SecuritySeverity)
	}
	if r.NotSuppressible {
		b.WriteString("| Suppressible | no |\n")
	}
	b.WriteString("\n## What it checks\n\n")
	b.WriteString(r.Description)
	b.WriteString("\n")
	if len(r.Params) > 0 {
		b.WriteString("\n## Parameters\n\nSet them in `.tollgate.yaml`:\n\n```yaml\nrules:\n  " + r.ID + ":\n    params:\n")
		for _, p := range r.Params {
			fmt.Fprintf(&b, "      %s: %s  # %s%s\n", p.Name, defaultOf(p, "null"), p.Description, bounds(p))
		}
		b.WriteString("```\n")
	}
	if ex != nil {
		writeExample(&b, ex)
	}
	b.WriteString("\n## Suppressing\n\n")
	switch {
	case r.NotSuppressible:
		b.WriteString("This rule cannot be suppressed: fix the finding.\n")
	case r.NoComment:
		fmt.Fprintf(&b, "No `tollgate:ignore` comment silences this rule: its findings are about those comments, and are made after them. Turn it off in `.tollgate.yaml` with `rules: {%s: {enabled: false}}`, or give it another severity there.\n", r.ID)
	default:
		fmt.Fprintf(&b, "On the line or the line above: `# tollgate:ignore %s <reason>`; or turn it off in `.tollgate.yaml` with `rules: {%s: {enabled: false}}`.\n", r.ID, r.ID)
	}
	return b.String()
}

func writeExample(b *strings.Builder, ex *Example) {
	if ex.Change {
		b.WriteString("\n## Example\n\nThis change (`" + ex.Dir + "`, the files that differ between `base/` and `head/`), reviewed with `tollgate lint --base`:\n")
	} else {
		b.WriteString("\n## Example\n\nThis repository (`" + ex.Dir + "`):\n")
	}
	for _, f := range ex.Files {
		if !utf8.Valid(f.Data) {
			fmt.Fprintf(b, "\n`%s`: not text (%d bytes), not shown.\n", f.Name, len(f.Data))
			continue
		}
		fmt.Fprintf(b, "\n`%s`:\n\n```%s\n%s```\n", f.Name, fence(f.Name), ensureNL(string(f.Data)))
	}
	if ex.Output != "" {
		fmt.Fprintf(b, "\ngives:\n\n```\n%s```\n", ensureNL(strings.ReplaceAll(ex.Output, ex.Dir+"/", "")))
	}
	b.WriteString("\nThe passing counterpart is in `" + ex.Good + "`.\n")
}

// Index is docs/rules/README.md: every rule, linked to its page.
func Index(rules []catalog.Rule) string {
	var b strings.Builder
	b.WriteString("# Rules\n\nGenerated from the rules' metadata; `tollgate rules` prints the same list.\n\n| ID | Severity | Category | Title |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [%s](%s.md) | %s | %s | %s |\n", r.ID, r.ID, r.Severity, r.Category, r.Title)
	}
	return b.String()
}

func fence(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".yml", ".yaml":
		return "yaml"
	case ".json":
		return "json"
	case ".xml", ".mobileconfig":
		return "xml"
	case ".sh":
		return "sh"
	case ".rego":
		return "rego"
	case ".cue":
		return "cue"
	}
	return ""
}

func ensureNL(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
