// Command gen-rule-docs writes docs/rules: a page per rule from its metadata and its failing
// fixture (testdata/rules/<id>/bad), and the index. `go generate ./internal/ruledoc` runs it;
// its test fails when a page is stale.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/policy"
	"github.com/tollgate-dev/tollgate/internal/ruledoc"
)

func main() {
	root := flag.String("root", ".", "the repository's root directory")
	flag.Parse()
	if err := write(*root); err != nil {
		fmt.Fprintln(os.Stderr, "gen-rule-docs:", err)
		os.Exit(1)
	}
}

// write replaces docs/rules under root with the generated pages.
func write(root string) error {
	pages, err := generate(root)
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "docs", "rules")
	old, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if _, keep := pages[filepath.Base(f)]; !keep {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, page := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(page), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate renders docs/rules: file name → content.
func generate(root string) (map[string]string, error) {
	cat, err := policy.Catalog(nil)
	if err != nil {
		return nil, err
	}
	rules := cat.Rules()
	pages := map[string]string{"README.md": ruledoc.Index(rules)}
	for _, r := range rules {
		ex, err := example(root, r.ID)
		if err != nil {
			return nil, err
		}
		pages[r.ID+".md"] = ruledoc.Markdown(r, ex)
	}
	return pages, nil
}

// example reads a rule's failing fixture, or returns nil when the rule has none.
func example(root, id string) (*ruledoc.Example, error) {
	dir := path.Join("testdata", "rules", id)
	bad := filepath.Join(root, filepath.FromSlash(dir), "bad")
	if _, err := os.Stat(bad); err != nil {
		return nil, nil
	}
	ex := &ruledoc.Example{Dir: dir + "/bad", Good: dir + "/good"}
	base, head := filepath.Join(bad, "base"), filepath.Join(bad, "head")
	if fi, err := os.Stat(base); err == nil && fi.IsDir() {
		ex.Change = true
		files, err := changedFiles(base, head)
		if err != nil {
			return nil, err
		}
		ex.Files = files
	} else {
		files, err := fixtureFiles(bad, "")
		if err != nil {
			return nil, err
		}
		ex.Files = files
	}
	if len(ex.Files) == 0 {
		return nil, nil
	}
	out, err := os.ReadFile(filepath.Join(bad, "expected.txt"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	ex.Output = string(out)
	return ex, nil
}

// maxShown is the size past which a fixture file is left off its page.
const maxShown = 4000

// fixtureFiles lists the files of a fixture repository the page shows, sorted, names prefixed
// with prefix: everything but expected.txt and dotfiles other than .tollgate.yaml (part of
// the example when the fixture has one), up to maxShown bytes each.
func fixtureFiles(dir, prefix string) ([]ruledoc.File, error) {
	var out []ruledoc.File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "expected.txt" || strings.HasPrefix(rel, ".") && rel != ".tollgate.yaml" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(data) < maxShown {
			out = append(out, ruledoc.File{Name: prefix + rel, Data: data})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b ruledoc.File) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

// changedFiles lists the files that differ between a change fixture's base/ and head/ (as
// base/… and head/…), sorted.
func changedFiles(base, head string) ([]ruledoc.File, error) {
	b, err := fixtureFiles(base, "")
	if err != nil {
		return nil, err
	}
	h, err := fixtureFiles(head, "")
	if err != nil {
		return nil, err
	}
	content := func(files []ruledoc.File, name string) ([]byte, bool) {
		for _, f := range files {
			if f.Name == name {
				return f.Data, true
			}
		}
		return nil, false
	}
	var out []ruledoc.File
	for _, side := range []struct {
		name         string
		files, other []ruledoc.File
	}{{"base", b, h}, {"head", h, b}} {
		for _, f := range side.files {
			if o, ok := content(side.other, f.Name); !ok || !bytes.Equal(o, f.Data) {
				out = append(out, ruledoc.File{Name: side.name + "/" + f.Name, Data: f.Data})
			}
		}
	}
	slices.SortFunc(out, func(a, b ruledoc.File) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
