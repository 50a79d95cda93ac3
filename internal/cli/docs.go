package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/catalog"
)

// ruleDoc renders a rule's documentation page (docs/rules/<id>.md) from its metadata and, for
// bundled rules, its fixtures: the same source as `tollgate explain` and SARIF's help text.
func ruleDoc(r catalog.Rule, fixtures string) string {
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
			fmt.Fprintf(&b, "      %s: %v  # %s%s\n", p.Name, p.Default, p.Description, bounds(p))
		}
		b.WriteString("```\n")
	}
	if fixtures != "" {
		bad := filepath.Join(fixtures, "bad")
		files := fixtureFiles(bad)
		if changeFixture(bad) {
			files = changedFixtureFiles(bad)
		}
		if len(files) > 0 {
			if changeFixture(bad) {
				b.WriteString("\n## Example\n\nThis change (`testdata/rules/" + r.ID + "/bad`, the files that differ between `base/` and `head/`), reviewed with `tollgate lint --base`:\n")
			} else {
				b.WriteString("\n## Example\n\nThis repository (`testdata/rules/" + r.ID + "/bad`):\n")
			}
			for _, f := range files {
				data, _ := os.ReadFile(filepath.Join(bad, f))
				fmt.Fprintf(&b, "\n`%s`:\n\n```%s\n%s```\n", f, fence(f), ensureNL(string(data)))
			}
			if exp, err := os.ReadFile(filepath.Join(bad, "expected.txt")); err == nil {
				fmt.Fprintf(&b, "\ngives:\n\n```\n%s```\n", ensureNL(strings.ReplaceAll(string(exp), "testdata/rules/"+r.ID+"/bad/", "")))
			}
			b.WriteString("\nThe passing counterpart is in `testdata/rules/" + r.ID + "/good`.\n")
		}
	}
	b.WriteString("\n## Suppressing\n\n")
	if r.NotSuppressible {
		b.WriteString("This rule cannot be suppressed: fix the finding.\n")
	} else {
		fmt.Fprintf(&b, "On the line or the line above: `# tollgate:ignore %s <reason>`; or turn it off in `.tollgate.yaml` with `rules: {%s: {enabled: false}}`.\n", r.ID, r.ID)
	}
	return b.String()
}

// changeFixture reports a change rule's fixture: base/ and head/ states of a repository.
func changeFixture(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "base"))
	return err == nil && fi.IsDir()
}

// changedFixtureFiles lists the files of a change fixture that differ between base/ and head/.
func changedFixtureFiles(dir string) []string {
	var out []string
	base, head := fixtureFiles(filepath.Join(dir, "base")), fixtureFiles(filepath.Join(dir, "head"))
	for _, side := range []struct {
		name  string
		files []string
	}{{"base", base}, {"head", head}} {
		for _, f := range side.files {
			a, errA := os.ReadFile(filepath.Join(dir, "base", f))
			b, errB := os.ReadFile(filepath.Join(dir, "head", f))
			if errA != nil || errB != nil || string(a) != string(b) {
				out = append(out, side.name+"/"+f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// fixtureFiles lists the small text files of a fixture repository, skipping expected.txt.
func fixtureFiles(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "expected.txt" || strings.HasPrefix(rel, ".") {
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.Size() < 4000 {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func fence(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yml", ".yaml":
		return "yaml"
	case ".json":
		return "json"
	case ".xml", ".mobileconfig":
		return "xml"
	case ".sh":
		return "sh"
	}
	return ""
}

func ensureNL(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
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
