package gitsrc

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// run runs a git command in dir for a test.
func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return sharedtest.Git(t, dir, args...)
}

func write(t *testing.T, root, name, text string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRepo makes a git repository whose GitOps files are in sub/ (a monorepo), with one commit.
func newRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	run(t, root, "init", "-q", "-b", "main")
	write(t, root, "sub/default.yml", "org_settings: {}\n")
	write(t, root, "sub/teams/a.yml", "name: A\n")
	write(t, root, "sub/lib/p.yml", "- name: p\n  query: SELECT 1;\n")
	write(t, root, "elsewhere.txt", "not in sub\n")
	if err := os.Symlink("../lib/p.yml", filepath.Join(root, "sub/teams/link.yml")); err != nil {
		t.Fatal(err)
	}
	run(t, root, "add", "-A")
	run(t, root, "commit", "-q", "-m", "base")
	return root
}

// The tree of a commit reads as the files were committed, whatever the working tree holds
// now, and behaves as an io/fs file system should.
func TestTreeIsTheCommit(t *testing.T) {
	root := newRepo(t)
	write(t, root, "sub/teams/a.yml", "name: changed\n")
	write(t, root, "sub/teams/b.yml", "name: B\n")
	tree, err := Open(context.Background(), filepath.Join(root, "sub"), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if err := fstest.TestFS(tree, "default.yml", "teams/a.yml", "lib/p.yml"); err != nil {
		t.Fatal(err)
	}
	data, err := fs.ReadFile(tree, "teams/a.yml")
	if err != nil || string(data) != "name: A\n" {
		t.Errorf("teams/a.yml = %q, %v; want the committed text", data, err)
	}
	if _, err := tree.Lstat("teams/b.yml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file added after the commit: %v", err)
	}
	if _, err := tree.Lstat("elsewhere.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file outside the directory: %v", err)
	}
	fi, err := tree.Lstat("teams/link.yml")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("link: %v %v", fi, err)
	}
	if target, err := tree.ReadLink("teams/link.yml"); target != "../lib/p.yml" || err != nil {
		t.Errorf("ReadLink = %q, %v", target, err)
	}
	if data, err := fs.ReadFile(tree, "teams/link.yml"); err != nil || !strings.Contains(string(data), "SELECT 1") {
		t.Errorf("reading through the link: %q, %v", data, err)
	}
	changed, err := ChangedFiles(context.Background(), filepath.Join(root, "sub"), "HEAD", "")
	if err != nil || strings.Join(changed, ",") != "teams/a.yml,teams/b.yml" {
		t.Errorf("ChangedFiles = %v, %v", changed, err)
	}
}

// A commit the clone doesn't have (a shallow CI checkout) is a clear error with the command
// that fetches it; a directory that did not exist in the commit is an empty tree.
func TestMissingCommitAndDirectory(t *testing.T) {
	root := newRepo(t)
	write(t, root, "sub/teams/a.yml", "name: A2\n")
	run(t, root, "commit", "-qam", "second")
	clone := filepath.Join(t.TempDir(), "clone")
	run(t, root, "clone", "-q", "--depth=1", "file://"+root, clone)
	base := strings.TrimSpace(run(t, root, "rev-parse", "HEAD~1"))
	_, err := Open(context.Background(), filepath.Join(clone, "sub"), base)
	var missing *MissingCommitError
	if !errors.As(err, &missing) || !missing.Shallow || !strings.Contains(err.Error(), "git fetch --depth=1 origin "+base) {
		t.Fatalf("Open of a commit outside a shallow clone: %v", err)
	}
	write(t, root, "new/default.yml", "org_settings: {}\n")
	tree, err := Open(context.Background(), filepath.Join(root, "new"), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if ents, err := tree.ReadDir("."); err != nil || len(ents) != 0 {
		t.Errorf("a directory new since the commit: %v, %v", ents, err)
	}
}
