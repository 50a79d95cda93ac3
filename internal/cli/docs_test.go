package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/rules from the rule metadata")

// docs/rules/<id>.md is generated from each rule's metadata and fixtures; this test fails when
// a page is missing or stale (go test ./internal/cli -run TestRuleDocs -update-docs).
func TestRuleDocs(t *testing.T) {
	cat, err := ruleCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	dir := filepath.Join(root, "docs", "rules")
	if *updateDocs {
		os.MkdirAll(dir, 0o755)
	}
	var index strings.Builder
	index.WriteString("# Rules\n\nGenerated from the rules' metadata; `tollgate rules` prints the same list.\n\n| ID | Severity | Category | Title |\n|---|---|---|---|\n")
	for _, r := range cat.Rules() {
		fixtures := ""
		if r.Source == "bundled" {
			fixtures = filepath.Join(root, "testdata", "rules", r.ID)
		}
		page := ruleDoc(r, fixtures)
		fmt.Fprintf(&index, "| [%s](%s.md) | %s | %s | %s |\n", r.ID, r.ID, r.Severity, r.Category, r.Title)
		check(t, filepath.Join(dir, r.ID+".md"), page)
	}
	check(t, filepath.Join(dir, "README.md"), index.String())
}

func check(t *testing.T, path, want string) {
	t.Helper()
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s is missing: run go test ./internal/cli -run TestRuleDocs -update-docs", path)
		return
	}
	if string(got) != want {
		t.Errorf("%s is stale: run go test ./internal/cli -run TestRuleDocs -update-docs", path)
	}
}
