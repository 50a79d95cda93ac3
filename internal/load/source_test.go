package load

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// mapOf copies the tree at dir into an in-memory file system, links as links.
func mapOf(t testing.TB, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		name := filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			m[name] = &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
		case d.IsDir():
			m[name] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m[name] = &fstest.MapFile{Data: data, Mode: 0o644}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// summary is what a load found, as comparable text: findings, entries and the files read.
func summary(r *Repo) []string {
	var out []string
	fs := slices.Clone(r.Findings)
	finding.Sort(fs)
	for _, f := range fs {
		out = append(out, "finding "+f.String())
	}
	for _, e := range r.Entries {
		out = append(out, "entry "+e.File.Path+" "+e.Kind.String()+" "+e.Name)
	}
	for _, f := range r.Files() {
		out = append(out, "file "+f.Path+" "+f.Digest)
	}
	for _, ref := range r.EnvRefs {
		out = append(out, "env "+ref.File+" "+ref.Name)
	}
	return out
}

// One loader for every source: a repository read from an in-memory tree (as from a commit)
// gives exactly what the working tree gives, whatever absolute path it is addressed under.
func TestLoadFromAnySource(t *testing.T) {
	dirs := append(sharedtest.CorpusDirs(t), "../../testdata/examples/mistakes", "../../testdata/stream/shared-include")
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want := summary(loadDir(t, dir))
			src := mapOf(t, dir)
			root := filepath.FromSlash("/nowhere/checkout")
			entries, err := DiscoverIn(src, root, root)
			if err != nil {
				t.Fatal(err)
			}
			repo, err := Load(context.Background(), Options{Root: root, Entries: entries, Source: src})
			if err != nil {
				t.Fatal(err)
			}
			got := summary(repo)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("from memory:\n%s\nfrom the working tree:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// A profile or script over the size limit is an error where it is referenced and in the file
// itself, never a file that passes as empty (a 50 MB profile read as "the profile is empty", a
// 9 MB script with no finding at all).
func TestOverLimitFilesAreFindings(t *testing.T) {
	src := fstest.MapFS{
		"default.yml":      {Data: []byte("org_settings:\n  secrets: []\ncontrols:\n  scripts:\n    - path: big.sh\n  macos_settings:\n    custom_settings:\n      - path: big.mobileconfig\n")},
		"big.sh":           {Data: []byte(strings.Repeat("#", 2000))},
		"big.mobileconfig": {Data: []byte(strings.Repeat("<", 2000))},
	}
	root := filepath.FromSlash("/repo")
	repo, err := Load(context.Background(), Options{Root: root, Entries: []string{filepath.Join(root, "default.yml")},
		Source: src, Limits: yamlsrc.Limits{MaxBytes: 1000, MaxDepth: 100, MaxNodes: 10000}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"big.sh", "big.mobileconfig"} {
		found := false
		for _, f := range repo.Findings {
			if f.Location.File == name && f.Severity == finding.Error && strings.Contains(f.Message, "over the 1000-byte limit") {
				found = true
			}
		}
		if !found {
			t.Errorf("no error for %s over the size limit in %v", name, repo.Findings)
		}
	}
}
