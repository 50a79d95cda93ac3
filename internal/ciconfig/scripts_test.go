package ciconfig

import (
	"encoding/base64"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scriptRun is one run of a script of scripts/ with the environment a step gives it.
type scriptRun struct {
	exitCode       int
	stdout, stderr string
	outputs        map[string]string // what it wrote to GITHUB_OUTPUT
}

// runScript runs scripts/NAME with bash, in dir, with env added to a clean git environment (no
// user or system configuration, no credential helper, no prompt).
func runScript(t *testing.T, name, dir string, env map[string]string, args ...string) scriptRun {
	t.Helper()
	script, err := filepath.Abs(filepath.Join(root, "scripts", name))
	if err != nil {
		t.Fatal(err)
	}
	output := filepath.Join(t.TempDir(), "github_output")
	if err := os.WriteFile(output, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append([]string{"--noprofile", "--norc", "-eo", "pipefail", script}, args...)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "RUNNER_") && !strings.HasPrefix(kv, "TOLLGATE_") && !strings.HasPrefix(kv, "GIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GITHUB_OUTPUT="+output, "RUNNER_TEMP="+t.TempDir())
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	res := scriptRun{}
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		res.exitCode = ee.ExitCode()
	}
	res.stdout, res.stderr = stdout.String(), stderr.String()
	data, err := os.ReadFile(output)
	if err != nil {
		t.Fatal(err)
	}
	if res.outputs, err = parseOutputs(string(data)); err != nil {
		t.Fatalf("%s: GITHUB_OUTPUT: %v", name, err)
	}
	t.Logf("%s %v: exit %d\nstdout:\n%s\nstderr:\n%s", name, args, res.exitCode, res.stdout, res.stderr)
	return res
}

// originWithHistory is a repository whose main branch has a commit a pull request branched
// from (fork), then a commit of its own (moved); the branch "feature" has the pull request's
// commit (head) on fork.
type originWithHistory struct{ dir, fork, moved, head string }

func newOriginWithHistory(t *testing.T) originWithHistory {
	t.Helper()
	o := originWithHistory{dir: filepath.Join(t.TempDir(), "origin")}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, o.dir, "init", "-q")
	gitIn(t, o.dir, "config", "uploadpack.allowAnySHA1InWant", "true")
	writeFiles(t, o.dir, map[string]string{"default.yml": "org_settings:\n"})
	gitIn(t, o.dir, "add", "-A")
	gitIn(t, o.dir, "commit", "-q", "-m", "fork point")
	o.fork = gitIn(t, o.dir, "rev-parse", "HEAD")
	gitIn(t, o.dir, "checkout", "-q", "-b", "feature")
	writeFiles(t, o.dir, map[string]string{"teams/a.yml": "name: A\n"})
	gitIn(t, o.dir, "add", "-A")
	gitIn(t, o.dir, "commit", "-q", "-m", "pull request")
	o.head = gitIn(t, o.dir, "rev-parse", "HEAD")
	gitIn(t, o.dir, "checkout", "-q", "main")
	writeFiles(t, o.dir, map[string]string{"teams/b.yml": "name: B\n"})
	gitIn(t, o.dir, "add", "-A")
	gitIn(t, o.dir, "commit", "-q", "-m", "the base branch moves on")
	o.moved = gitIn(t, o.dir, "rev-parse", "HEAD")
	return o
}

// clone checks out rev of the origin into a new directory, as actions/checkout does: fetched
// alone at depth 1 (shallow), or with the whole history.
func (o originWithHistory) clone(t *testing.T, url, rev string, shallow bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "checkout")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "remote", "add", "origin", url)
	args := []string{"fetch", "-q", "--no-tags", "origin"}
	if shallow {
		args = append(args, "--depth=1", rev)
	} else {
		args = append(args, "+refs/heads/*:refs/remotes/origin/*")
	}
	gitIn(t, dir, args...)
	gitIn(t, dir, "checkout", "-q", "--detach", rev)
	return dir
}

// TestReviewBase runs scripts/review-base.sh, which decides the commit the change review
// compares with, on the cases the action tests (TestActionReview) do not go through.
func TestReviewBase(t *testing.T) {
	for _, tool := range []string{"bash", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	o := newOriginWithHistory(t)
	url := "file://" + o.dir
	run := func(dir string, env map[string]string) scriptRun {
		t.Helper()
		return runScript(t, "review-base.sh", dir, env)
	}
	shallowHead := o.clone(t, url, o.head, true)
	pr := map[string]string{"TOLLGATE_BASE": "auto", "TOLLGATE_PR_BASE_SHA": o.moved, "TOLLGATE_PR_HEAD_SHA": o.head}

	for _, c := range []struct {
		what string
		env  map[string]string
	}{
		{"base: none", map[string]string{"TOLLGATE_BASE": "none", "TOLLGATE_PR_BASE_SHA": o.moved}},
		{"base empty", map[string]string{"TOLLGATE_BASE": ""}},
		{"base: auto on a push", map[string]string{"TOLLGATE_BASE": "auto", "GITHUB_EVENT_NAME": "push"}},
		{"a new branch's github.event.before", map[string]string{"TOLLGATE_BASE": strings.Repeat("0", 40)}},
	} {
		if r := run(shallowHead, c.env); r.exitCode != 0 || r.outputs["sha"] != "" {
			t.Errorf("%s: exit %d, sha %q; want no review", c.what, r.exitCode, r.outputs["sha"])
		}
	}

	// The pull request's head checked out alone (pull_request_target): the base branch's
	// commit, fetched, with a warning that its own later changes show reversed.
	r := run(shallowHead, pr)
	if r.exitCode != 0 || r.outputs["sha"] != o.moved || !strings.Contains(r.stdout, "::warning title=tollgate change review::the pull request's head is checked out and the clone lacks the history") {
		t.Errorf("shallow head: exit %d, sha %q; want %s with a warning", r.exitCode, r.outputs["sha"], o.moved)
	}
	// With the history (fetch-depth: 0): where the pull request branched off.
	full := o.clone(t, url, o.head, false)
	if r := run(full, pr); r.exitCode != 0 || r.outputs["sha"] != o.fork || strings.Contains(r.stdout, "::warning") {
		t.Errorf("full head: exit %d, sha %q; want the merge base %s, no warning", r.exitCode, r.outputs["sha"], o.fork)
	}
	// Neither the merge commit nor the head (say, the base branch): the pull request's base.
	if r := run(o.clone(t, url, o.fork, true), pr); r.exitCode != 0 || r.outputs["sha"] != o.moved {
		t.Errorf("another checkout: exit %d, sha %q; want %s", r.exitCode, r.outputs["sha"], o.moved)
	}

	// A commit ID is fetched into a shallow clone; a ref must be there already.
	if r := run(o.clone(t, url, o.head, true), map[string]string{"TOLLGATE_BASE": o.fork}); r.exitCode != 0 || r.outputs["sha"] != o.fork {
		t.Errorf("base: <commit ID>: exit %d, sha %q; want %s", r.exitCode, r.outputs["sha"], o.fork)
	}
	if r := run(full, map[string]string{"TOLLGATE_BASE": "origin/main"}); r.exitCode != 0 || r.outputs["sha"] != o.moved {
		t.Errorf("base: origin/main: exit %d, sha %q; want %s", r.exitCode, r.outputs["sha"], o.moved)
	}
	for _, c := range []struct{ what, dir, base, want string }{
		{"a ref the clone lacks", shallowHead, "origin/main", `base: "origin/main" is not a commit of this checkout`},
		{"an option", shallowHead, "--output=/tmp/x", `base: "--output=/tmp/x" is not a commit or a ref`},
		{"a commit origin lacks", shallowHead, strings.Repeat("ab", 20), "cannot fetch commit " + strings.Repeat("ab", 20) + " from origin"},
		{"not a git checkout", t.TempDir(), o.fork, "the path input is not in a git checkout"},
	} {
		r := run(c.dir, map[string]string{"TOLLGATE_BASE": c.base})
		if r.exitCode != 2 || !strings.Contains(r.stdout, "::error title=tollgate change review::") || !strings.Contains(r.stdout, c.want) {
			t.Errorf("%s: exit %d; want 2 and an error saying %q\n%s", c.what, r.exitCode, c.want, r.stdout)
		}
	}
}

// TestFetchCommitToken: a private repository checked out without persisted credentials
// (persist-credentials: false) gets its base commit with the token: a fetch without it is
// refused (401), one with it (an HTTP header for that server, as actions/checkout sends it) gets
// the commit; the token is never written into the checkout's configuration, and its encoded form
// is masked. Origin is served by git http-backend behind an httptest server that wants the token.
func TestFetchCommitToken(t *testing.T) {
	for _, tool := range []string{"bash", "git", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Fatalf("git http-backend is needed: %v", err)
	}
	o := newOriginWithHistory(t)
	const token = "ghs_private-repository-token"
	credential := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "basic "+credential && r.Header.Get("Authorization") != "Basic "+credential {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		(&cgi.Handler{Path: backend, Root: "/git", Env: []string{"GIT_PROJECT_ROOT=" + filepath.Dir(o.dir), "GIT_HTTP_EXPORT_ALL=1"}}).ServeHTTP(w, r)
	}))
	defer srv.Close()
	origin := srv.URL + "/git/origin"

	// The checkout itself, made with the token as actions/checkout would, then without it.
	dir := filepath.Join(t.TempDir(), "checkout")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "remote", "add", "origin", origin)
	gitIn(t, dir, "-c", "http."+srv.URL+"/.extraheader=AUTHORIZATION: basic "+credential, "fetch", "-q", "--no-tags", "--depth=1", "origin", o.head)
	gitIn(t, dir, "checkout", "-q", "--detach", o.head)

	env := map[string]string{"TOLLGATE_SERVER_URL": srv.URL}
	if r := runScript(t, "fetch-commit.sh", dir, env, dir, o.moved); r.exitCode != 1 || !strings.Contains(r.stderr, "cannot fetch commit "+o.moved) {
		t.Errorf("without a token: exit %d; want 1, cannot fetch", r.exitCode)
	}
	// A token for another server is not sent.
	env["TOLLGATE_FETCH_TOKEN"] = token
	env["TOLLGATE_SERVER_URL"] = "https://github.com"
	if r := runScript(t, "fetch-commit.sh", dir, env, dir, o.moved); r.exitCode != 1 || strings.Contains(r.stdout, "add-mask") {
		t.Errorf("origin on another server than github.server_url: exit %d; want 1 without using the token", r.exitCode)
	}
	env["TOLLGATE_SERVER_URL"] = srv.URL + "/"
	r := runScript(t, "fetch-commit.sh", dir, env, dir, o.moved)
	if r.exitCode != 0 || !strings.Contains(r.stdout, "::add-mask::"+credential+"\n") {
		t.Errorf("with the token: exit %d; want 0 and the credential masked", r.exitCode)
	}
	if err := exec.Command("git", "-C", dir, "cat-file", "-e", o.moved+"^{commit}").Run(); err != nil {
		t.Errorf("the commit was not fetched: %v", err)
	}
	config, _ := os.ReadFile(filepath.Join(dir, ".git", "config"))
	if strings.Contains(string(config), credential) || strings.Contains(string(config), token) || strings.Contains(r.stderr, token) {
		t.Errorf("the token reached the checkout's configuration or the log:\n%s\n%s", config, r.stderr)
	}
	// Present now: nothing to fetch, no request.
	if r := runScript(t, "fetch-commit.sh", dir, map[string]string{}, dir, o.moved); r.exitCode != 0 {
		t.Errorf("a commit already there: exit %d", r.exitCode)
	}
	if r := runScript(t, "fetch-commit.sh", dir, map[string]string{}, dir, "main"); r.exitCode != 2 {
		t.Errorf("a ref instead of a commit ID: exit %d, want 2 (usage)", r.exitCode)
	}
}

// TestPRComment runs scripts/pr-comment.sh on what TestActionReview does not: a personal token
// (the author is its user, not any bot), a plan without changes (no new comment), and the
// events and inputs that leave the plan in the summary.
func TestPRComment(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	const token = "github_pat_test"
	api := newFakeGitHub(t, token)
	plan := filepath.Join(t.TempDir(), "plan.md")
	if err := os.WriteFile(plan, []byte("<!-- tollgate-plan -->\n### tollgate: what this merge changes in the fleet\n\n**no changes**\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(changes string) map[string]string {
		return map[string]string{"TOLLGATE_PLAN": plan, "TOLLGATE_CHANGES": changes, "TOLLGATE_PR_NUMBER": "1",
			"TOLLGATE_REPOSITORY": "example/fleet-gitops", "TOLLGATE_API_URL": api.srv.URL, "TOLLGATE_TOKEN": token,
			"TOLLGATE_CATEGORY": "fleet-a/"}
	}
	dir := t.TempDir()

	// No changes and no comment yet: nothing is added.
	if r := runScript(t, "pr-comment.sh", dir, env("false")); r.exitCode != 0 || api.count("POST") != 0 || r.outputs["comment-url"] != "" {
		t.Errorf("no changes: exit %d, requests %v; want no comment", r.exitCode, api.log())
	}

	// A personal token: the author to match is the token's user. Another category's comment and
	// a bot's comment are left alone.
	tag := "<!-- tollgate-comment: category " + categoryID("fleet-a/") + " -->"
	other := api.add("<!-- tollgate-plan -->\nanother directory\n<!-- tollgate-comment: category "+categoryID("fleet-b/")+" -->", "alice", "User")
	bot := api.add("<!-- tollgate-plan -->\nsome bot\n"+tag, "github-actions[bot]", "Bot")
	mine := api.add("<!-- tollgate-plan -->\nold plan\n"+tag, "alice", "User")
	api.setUser("alice")
	r := runScript(t, "pr-comment.sh", dir, env("false"))
	if r.exitCode != 0 || r.outputs["comment-url"] != mine.HTMLURL {
		t.Errorf("personal token: exit %d, comment-url %q; want %q updated", r.exitCode, r.outputs["comment-url"], mine.HTMLURL)
	}
	for _, c := range api.find(tag, "alice") {
		if !strings.Contains(c.Body, "**no changes**") || !strings.HasSuffix(c.Body, tag+"\n") {
			t.Errorf("alice's comment was not updated with the plan and the tag:\n%s", c.Body)
		}
	}
	for _, c := range []fakeComment{other, bot} {
		if !api.exists(c) || api.body(c) != c.Body {
			t.Errorf("comment %d (%s) was changed or deleted", c.ID, c.User.Login)
		}
	}

	// No pull request (a push with an explicit base), no token: a notice, nothing sent.
	before := len(api.log())
	noPR := env("true")
	noPR["TOLLGATE_PR_NUMBER"] = ""
	noToken := env("true")
	noToken["TOLLGATE_TOKEN"] = ""
	for what, e := range map[string]map[string]string{"no pull request": noPR, "no token": noToken} {
		if r := runScript(t, "pr-comment.sh", dir, e); r.exitCode != 0 || !strings.Contains(r.stdout, "::notice title=tollgate::") {
			t.Errorf("%s: exit %d; want 0 with a notice\n%s", what, r.exitCode, r.stdout)
		}
	}
	// The API unreachable: a warning, exit 0 (the plan is in the summary).
	down := env("true")
	down["TOLLGATE_API_URL"] = "http://127.0.0.1:9"
	if r := runScript(t, "pr-comment.sh", dir, down); r.exitCode != 0 || !strings.Contains(r.stdout, "::warning title=tollgate::cannot read the comments on pull request #1 (HTTP 000") {
		t.Errorf("API unreachable: exit %d\n%s", r.exitCode, r.stdout)
	}
	// A wrong pull request number is the action's mistake: exit 2.
	bad := env("true")
	bad["TOLLGATE_PR_NUMBER"] = "1; rm -rf /"
	if r := runScript(t, "pr-comment.sh", dir, bad); r.exitCode != 2 {
		t.Errorf("a bad pull request number: exit %d, want 2", r.exitCode)
	}
	if got := api.log()[before:]; len(got) != 0 {
		t.Errorf("requests sent without a pull request, a token or a valid number: %v", got)
	}
}
