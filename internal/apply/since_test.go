package apply

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLastApplied: the newest record of a real, successful apply in the same directory, found
// from the end of the log across chunk boundaries (a record with many files is longer than a
// chunk), skipping dry runs, other outcomes and other directories.
func TestLastApplied(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	big := make([]FileDigest, 0, 20000)
	for i := range cap(big) {
		big = append(big, FileDigest{Path: fmt.Sprintf("teams/team-%05d.yml", i), SHA256: strings.Repeat("a", 64)})
	}
	records := []*Record{
		{V: 1, Outcome: Applied, Dir: "/repo", GitCommit: "c1", Message: `"outcome":"applied" in a message is escaped`},
		{V: 1, Outcome: Applied, Dir: "/repo", GitCommit: "c2", Files: big},
		{V: 1, Outcome: Applied, Dir: "/repo/other", GitCommit: "c3"},
		{V: 1, Outcome: DryRunOK, DryRun: true, Dir: "/repo", GitCommit: "c4"},
		{V: 1, Outcome: Failed, Dir: "/repo", GitCommit: "c5", Files: big},
		{V: 1, Outcome: RefusedFindings, Dir: "/repo", GitCommit: "c6", Message: `applied: "outcome":"applied"`},
	}
	var data []byte
	for _, r := range records {
		b, err := Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b...)
	}
	if len(data) < 3*backwardsChunk {
		t.Fatalf("the log is %d bytes: too short to cross chunk boundaries", len(data))
	}
	write := func(b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(data)
	for _, c := range []struct{ dir, want string }{{"/repo", "c2"}, {"/repo/other", "c3"}, {"/elsewhere", ""}} {
		got, err := LastApplied(path, c.dir)
		switch {
		case err != nil:
			t.Errorf("%s: %v", c.dir, err)
		case c.want == "" && got != nil:
			t.Errorf("%s: found %+v, want none", c.dir, got.GitCommit)
		case c.want != "" && (got == nil || got.GitCommit != c.want):
			t.Errorf("%s: found %v, want the record of %s", c.dir, got, c.want)
		}
	}

	// The first record alone, without a final newline: still found.
	first, _ := Marshal(records[0])
	write(first[:len(first)-1])
	if got, err := LastApplied(path, "/repo"); err != nil || got == nil || got.GitCommit != "c1" {
		t.Errorf("one line without a newline: %v, %v", got, err)
	}

	// No log yet: none, no error.
	if got, err := LastApplied(filepath.Join(dir, "missing.jsonl"), "/repo"); got != nil || err != nil {
		t.Errorf("no log: %v, %v", got, err)
	}

	// A damaged record of an apply is an error, not a reason to compare with an older one.
	write(append(slices.Clone(data), []byte(`{"v":1,"outcome":"applied","dir":"/repo","git_commit":`+"\n")...))
	if got, err := LastApplied(path, "/repo"); err == nil || got != nil {
		t.Errorf("a damaged last record: %v, %v; want an error", got, err)
	}
}

// TestGitDirty: clean when every checked file is committed as it is; dirty when one is
// modified, staged, or not tracked; files outside the checked ones don't count.
func TestGitDirty(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := []FileDigest{{Path: "default.yml"}, {Path: "teams/a.yml"}}
	if !GitDirty(root, files) {
		t.Error("not a git repository: want dirty (unknown)")
	}
	git("init", "-q")
	write("default.yml", "org_settings:\n")
	write("teams/a.yml", "name: A\n")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	if GitDirty(root, files) {
		t.Error("everything committed: dirty")
	}
	write("README.md", "not checked\n")
	write(".tollgate/audit.jsonl", "{}\n")
	if GitDirty(root, files) {
		t.Error("an untracked file that was not checked made it dirty")
	}
	write("teams/a.yml", "name: B\n")
	if !GitDirty(root, files) {
		t.Error("a modified file: clean")
	}
	git("add", "teams/a.yml")
	if !GitDirty(root, files) {
		t.Error("a staged change: clean")
	}
	git("commit", "-q", "-m", "two")
	write("teams/b.yml", "name: B2\n")
	if !GitDirty(root, append(files, FileDigest{Path: "teams/b.yml"})) {
		t.Error("an untracked checked file: clean")
	}
}
