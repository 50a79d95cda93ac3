package main

import (
	"os"
	"path/filepath"
	"testing"
)

// docs/rules holds exactly what the generator writes: a missing, stale or extra page fails.
func TestPagesAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..")
	pages, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "docs", "rules")
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case err != nil:
			t.Errorf("docs/rules/%s is missing: run go generate ./internal/ruledoc", name)
		case string(got) != want:
			t.Errorf("docs/rules/%s is stale: run go generate ./internal/ruledoc", name)
		}
	}
	on, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range on {
		if _, ok := pages[filepath.Base(f)]; !ok {
			t.Errorf("docs/rules/%s documents no rule: run go generate ./internal/ruledoc", filepath.Base(f))
		}
	}
}
