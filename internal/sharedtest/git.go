package sharedtest

import (
	"os"
	"os/exec"
	"testing"
)

// Git runs a git command in dir for a test, with a fixed identity and dates (the same commit
// ids on every run) and no system or user configuration, and returns its output; it fails the
// test when git fails, and skips it where git is not installed.
func Git(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git is not installed: this test builds git repositories")
	}
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2026-11-25T12:00:00Z", "GIT_COMMITTER_DATE=2026-11-25T12:00:00Z",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Commit makes dir a git repository (branch main) holding what it holds now, in one commit.
func Commit(tb testing.TB, dir string) {
	tb.Helper()
	Git(tb, dir, "init", "-q", "-b", "main")
	Git(tb, dir, "add", "-A")
	Git(tb, dir, "commit", "-q", "-m", "base")
}
