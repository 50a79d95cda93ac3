package ciconfig

import (
	"errors"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tollgate-dev/tollgate/"

// opaSpeakers are the packages that may import OPA: the engine of tollgate's rules and the
// conftest engine. Everything else sees findings, not OPA's types.
var opaSpeakers = []string{"internal/policy", "internal/conftest"}

// TestArchitectureDoc keeps docs/architecture.md true: its package table names every package
// of the module and nothing else, and each package imports only the tollgate packages its row
// allows ("may import"). A new package, a removed one or a new dependency between packages is a
// change to that page too.
func TestArchitectureDoc(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs/architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	allowed := architectureTable(t, string(doc))
	actual, opa := modulePackages(t)
	for _, pkg := range opa {
		if !slices.Contains(opaSpeakers, pkg) {
			t.Errorf("%s imports OPA: only %v may; hand it plain values and let policy convert them", pkg, opaSpeakers)
		}
	}
	for _, pkg := range slices.Sorted(maps.Keys(actual)) {
		may, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %s is not in docs/architecture.md's table: add a row (its one job, what it may import)", pkg)
			continue
		}
		for _, imp := range actual[pkg] {
			if !slices.Contains(may, imp) {
				t.Errorf("%s imports %s, which its row in docs/architecture.md does not allow: add it there if the dependency is meant", pkg, imp)
			}
		}
	}
	for pkg := range allowed {
		if _, ok := actual[pkg]; !ok {
			t.Errorf("docs/architecture.md names package %s, which does not exist (or has no Go file): remove its row", pkg)
		}
	}
}

// architectureTable reads the rows "| `pkg` | job | `a` `b` |" into pkg → allowed imports.
func architectureTable(t *testing.T, doc string) map[string][]string {
	t.Helper()
	row := regexp.MustCompile("^\\| `([^`]+)` \\|[^|]*\\|([^|]*)\\|$")
	ticked := regexp.MustCompile("`([^`]+)`")
	table := map[string][]string{}
	for _, line := range strings.Split(doc, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, dup := table[m[1]]; dup {
			t.Errorf("docs/architecture.md: package %s has two rows", m[1])
		}
		var may []string
		for _, tm := range ticked.FindAllStringSubmatch(m[2], -1) {
			may = append(may, tm[1])
		}
		table[m[1]] = may
	}
	if len(table) < 10 {
		t.Fatalf("docs/architecture.md: found %d package rows; the table's format changed?", len(table))
	}
	return table
}

// modulePackages maps each package directory of the module (relative, slash-separated) to the
// module's packages its non-test files import, and lists the packages that import OPA.
func modulePackages(t *testing.T) (map[string][]string, []string) {
	t.Helper()
	pkgs := map[string][]string{}
	var opa []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "docs") {
			return filepath.SkipDir
		}
		p, err := build.Default.ImportDir(path, 0)
		if err != nil {
			var none *build.NoGoError
			if errors.As(err, &none) {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		var imports []string
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module) {
				imports = append(imports, strings.TrimPrefix(imp, module))
			}
			if strings.HasPrefix(imp, "github.com/open-policy-agent/opa/") && !slices.Contains(opa, rel) {
				opa = append(opa, rel)
			}
		}
		pkgs[rel] = imports
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs, opa
}
