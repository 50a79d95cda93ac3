package schema

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/schema/memo"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// sharedValidator compiles the bundled schemas once per test binary.
var sharedValidator = sync.OnceValues(func() (*Validator, error) { return New(nil) })

func bundledValidator(t testing.TB) *Validator {
	t.Helper()
	v, err := sharedValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dotted renders a data path as the tests write it: policies[3].name, "" for the document.
func dotted(path []any) string {
	if len(path) == 0 {
		return ""
	}
	return cueissue.Where(path)
}

// cueAlone is v with the memo off (TOLLGATE_SCHEMA_MEMO=off): every document evaluated by
// CUE, the reference the memo must agree with.
func cueAlone(v *Validator) *Validator {
	w := *v
	w.checker = cueOnly{}
	return &w
}

// withEmptyMemo is v with a memo that remembers nothing yet, and that memo.
func withEmptyMemo(v *Validator) (*Validator, *memo.Memo[Issue]) {
	w := *v
	m := v.checker.(*memo.Memo[Issue]).Empty()
	w.checker = m
	return &w, m
}

// parseYAML loads YAML the way the loader does.
func parseYAML(t testing.TB, src string) any {
	t.Helper()
	n, probs := yamlsrc.Parse([]byte(src), yamlsrc.DefaultLimits)
	for _, p := range probs {
		if p.Kind == "syntax" || p.Kind == "invalid" {
			t.Fatalf("bad YAML: %v", p)
		}
	}
	if n == nil {
		t.Fatal("no YAML document")
	}
	v, err := yamlsrc.ToAny(n, 0)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readYAML(t testing.TB, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseYAML(t, string(b))
}

// composite splices includes into an entry file as the loader does: list entries with
// path/paths are replaced by the included items, {path} mappings by the included mapping.
// It returns the document and the package files (software.packages[].path *.yml) it names.
func composite(t testing.TB, file string, era Era) (any, []string) {
	t.Helper()
	dir := filepath.Dir(file)
	doc, ok := readYAML(t, file).(map[string]any)
	if !ok {
		t.Fatalf("%s: not a mapping", file)
	}
	for _, key := range []string{"org_settings", "team_settings", "settings", "agent_options", "controls"} {
		if m, ok := doc[key].(map[string]any); ok {
			if p, ok := m["path"].(string); ok && len(m) == 1 {
				doc[key] = readYAML(t, filepath.Join(dir, p))
			}
		}
	}
	for _, key := range []string{"policies", "queries", "reports", "labels"} {
		list, ok := doc[key].([]any)
		if !ok {
			continue
		}
		var out []any
		for _, e := range list {
			m, _ := e.(map[string]any)
			var files []string
			if p, ok := m["path"].(string); ok {
				files = []string{filepath.Join(dir, p)}
			} else if g, ok := m["paths"].(string); ok && era == fleet.EraFleets {
				matches, err := doublestar.FilepathGlob(filepath.Join(dir, g))
				if err != nil {
					t.Fatal(err)
				}
				files = matches
			} else {
				out = append(out, e)
				continue
			}
			for _, f := range files {
				if ext := filepath.Ext(f); ext != ".yml" && ext != ".yaml" {
					continue
				}
				items, ok := readYAML(t, f).([]any)
				if !ok {
					t.Fatalf("%s: included file is not a list", f)
				}
				out = append(out, items...)
			}
		}
		doc[key] = out
	}
	var pkgs []string
	if sw, ok := doc["software"].(map[string]any); ok {
		if list, ok := sw["packages"].([]any); ok {
			for _, e := range list {
				if m, ok := e.(map[string]any); ok {
					if p, ok := m["path"].(string); ok && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
						pkgs = append(pkgs, filepath.Join(dir, p))
					}
				}
			}
		}
	}
	return doc, pkgs
}

// kindOfDoc decides the kind of an entry file from its keys, as fleetctl does.
func kindOfDoc(doc any) Kind {
	m, _ := doc.(map[string]any)
	if _, ok := m["org_settings"]; ok {
		return fleet.KindGlobal
	}
	if n, _ := m["name"].(string); strings.EqualFold(n, "No team") || strings.EqualFold(n, "Unassigned") {
		return fleet.KindUnassigned
	}
	return fleet.KindTeam
}
