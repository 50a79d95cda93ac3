package ciconfig

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestActionTrustedConfig runs action.yml's steps on a pull request whose head commit changes
// the checks: its .tollgate.yaml widens the capabilities, and its policy only warns. With trusted-config: base the run holds it to the base commit's
// .tollgate.yaml and policy, which the step fetches into a shallow checkout that lacks it;
// with the default (head), the pull request's own checks apply.
func TestActionTrustedConfig(t *testing.T) {
	a := loadAction(t)
	for _, tool := range []string{"bash", "go", "sha256sum", "git", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run action.yml's steps: %v", tool, err) // not a skip: see TestActionRuns
		}
	}
	base := map[string]string{
		".tollgate.yaml":  "policies: [policy]\n",
		"policy/org.rego": "package main\n\ndeny contains \"org policy of the base commit\" if { input.name }\n",
	}
	head := map[string]string{
		".tollgate.yaml":  "policies: [policy]\ncapabilities:\n  allow_builtins: [http.send]\n  allow_net: [127.0.0.1]\n",
		"policy/org.rego": "package main\n\nwarn contains \"org policy of the pull request\" if { input.name }\n",
	}
	var baseSHA string
	pullRequest := func(r *actionRun) {
		baseSHA = shallowPullRequest(t, r.workspace, base, head)
		r.github["event_name"] = "pull_request"
		r.github["event.pull_request.head.repo.full_name"] = r.github["repository"]
		r.github["event.pull_request.base.sha"] = baseSHA
	}

	t.Run("base", func(t *testing.T) {
		r := runActionPrepared(t, a, "testdata/examples/clean", map[string]string{"trusted-config": "base", "upload-sarif": "false"}, nil, pullRequest)
		trusted := r.result("trusted")
		if !trusted.ran || trusted.exitCode != 0 {
			t.Fatalf("the trusted-config step: ran %v, exit %d\n%s", trusted.ran, trusted.exitCode, trusted.stderr)
		}
		if !strings.Contains(trusted.stdout, "::notice title=tollgate::trusted-config: base: the checks (.tollgate.yaml and what it names) come from the base commit "+baseSHA) {
			t.Errorf("no notice naming the base commit:\n%s", trusted.stdout)
		}
		if got, want := r.steps["trusted"]["config"], filepath.Join(r.runnerTemp, "tollgate-base", ".tollgate.yaml"); got != want {
			t.Errorf("output config = %q, want %q", got, want)
		}
		lint := r.result("lint")
		if out := r.actionOutputs(); out["exit-code"] != "1" {
			t.Errorf("exit-code = %q, want 1: the base commit's configuration fails on errors\n%s", out["exit-code"], lint.stdout)
		}
		if !strings.Contains(lint.stdout, "org policy of the base commit") || strings.Contains(lint.stdout, "org policy of the pull request") {
			t.Errorf("lint did not run the base commit's policy alone:\n%s", lint.stdout)
		}
		if strings.Contains(lint.stdout, "policy-capabilities") {
			t.Errorf("the pull request's capabilities were used:\n%s", lint.stdout)
		}
	})

	t.Run("head", func(t *testing.T) {
		r := runActionPrepared(t, a, "testdata/examples/clean", map[string]string{"upload-sarif": "false"}, nil, pullRequest)
		lint := r.result("lint")
		if out := r.actionOutputs(); out["exit-code"] != "0" {
			t.Errorf("exit-code = %q, want 0: the pull request's policy only warns\n%s", out["exit-code"], lint.stdout)
		}
		for _, want := range []string{"org policy of the pull request", "policy-capabilities"} {
			if !strings.Contains(lint.stdout, want) {
				t.Errorf("lint output lacks %q:\n%s", want, lint.stdout)
			}
		}
	})

	t.Run("unknown value", func(t *testing.T) {
		r := runActionPrepared(t, a, "testdata/examples/clean", map[string]string{"trusted-config": "main", "upload-sarif": "false"}, nil, nil)
		if trusted := r.result("trusted"); trusted.exitCode != 2 || r.result("lint").ran {
			t.Errorf("trusted-config: main: the step exited %d and lint ran %v; want 2 and no lint", trusted.exitCode, r.result("lint").ran)
		}
	})
}

// shallowPullRequest makes workspace a depth-1 clone of a repository whose first commit is the
// workspace's files plus base, and whose second (the pull request's head) writes head over
// them. It returns the first commit's ID, which the clone does not have.
func shallowPullRequest(t *testing.T, workspace string, base, head map[string]string) string {
	t.Helper()
	origin := filepath.Join(t.TempDir(), "origin")
	if err := os.CopyFS(origin, os.DirFS(workspace)); err != nil {
		t.Fatal(err)
	}
	commit := func(files map[string]string, msg string) {
		writeFiles(t, origin, files)
		gitIn(t, origin, "add", "-A")
		gitIn(t, origin, "commit", "-q", "-m", msg)
	}
	gitIn(t, origin, "init", "-q")
	commit(base, "base")
	sha := gitIn(t, origin, "rev-parse", "HEAD")
	commit(head, "pull request")
	if err := os.RemoveAll(workspace); err != nil {
		t.Fatal(err)
	}
	gitIn(t, filepath.Dir(workspace), "clone", "-q", "--depth=1", "file://"+origin, workspace)
	if out, err := exec.Command("git", "-C", workspace, "cat-file", "-e", sha+"^{commit}").CombinedOutput(); err == nil {
		t.Fatalf("the shallow clone already has the base commit (%s)", out)
	}
	return sha
}
