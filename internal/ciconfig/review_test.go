package ciconfig

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestActionReview runs action.yml's steps on pull requests, as TestActionRuns does on pushes:
// the change review against the merge's base (fetched into a shallow checkout of GitHub's merge
// commit), lint --base with the change rules' findings in their own SARIF file and category, the
// plan in the job summary exactly once, and comment: true keeping ONE comment up to date on a
// fake GitHub API (httptest), or leaving the plan in the summary when the token is read-only.
func TestActionReview(t *testing.T) {
	a := loadAction(t)
	for _, tool := range []string{"bash", "go", "sha256sum", "git", "tar", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run action.yml's steps: %v", tool, err) // not a skip: see TestActionRuns
		}
	}
	api := newFakeGitHub(t, "ghs_test-token-not-a-secret")
	// Comments already on the pull request: more than a page of people's comments, one of them
	// a person's copy of a tollgate plan (with the marker and tag), which must stay untouched.
	tag := "<!-- tollgate-comment: category " + categoryID("tollgate/") + " -->"
	for i := range 130 {
		body := fmt.Sprintf("comment %d", i)
		if i == 7 {
			body = "<!-- tollgate-plan -->\nI pasted this.\n" + tag
		}
		api.add(body, "octocat", "User")
	}

	pullRequest := func(head map[string]string) func(*actionRun) {
		return func(r *actionRun) {
			pr := mergePullRequest(t, r.workspace, reviewBase, head)
			r.github["event_name"] = "pull_request"
			r.github["event.pull_request.head.repo.full_name"] = r.github["repository"]
			r.github["event.pull_request.base.sha"] = pr.base
			r.github["event.pull_request.head.sha"] = pr.head
			r.github["event.pull_request.number"] = "1"
			r.github["api_url"] = api.srv.URL
			r.steps["__pr"] = map[string]string{"base": pr.base}
		}
	}
	var commentURL string

	t.Run("first push", func(t *testing.T) {
		r := runActionPrepared(t, a, "testdata/examples/clean", map[string]string{"comment": "true"}, nil, pullRequest(reviewHead))
		out := r.actionOutputs()
		checkReviewRun(t, r, out)
		if want := r.steps["__pr"]["base"]; out["base"] != want {
			t.Errorf("output base = %q, want the merge commit's first parent %s", out["base"], want)
		}
		if out["changes"] != "true" || out["exit-code"] != "0" {
			t.Errorf("outputs changes %q, exit-code %q; want true and 0 (the change rules only warn)", out["changes"], out["exit-code"])
		}
		ours := api.find(tag, "github-actions[bot]")
		if len(ours) != 1 || !strings.Contains(ours[0].Body, `- query "Uptime"`) {
			t.Fatalf("after the first push: %d comments of the action, want 1 with the plan\n%v", len(ours), ours)
		}
		if out["comment-url"] != ours[0].HTMLURL || commentURL != "" {
			t.Errorf("output comment-url = %q, want %q", out["comment-url"], ours[0].HTMLURL)
		}
		commentURL = ours[0].HTMLURL
		if got := api.count("POST"); got != 1 {
			t.Errorf("%d comments posted, want 1", got)
		}
	})

	t.Run("second push", func(t *testing.T) {
		if commentURL == "" {
			t.Skip("the first push made no comment") // its failure is reported above
		}
		// A copy made by a run that commented at the same time as the first: it goes.
		dup := api.add("<!-- tollgate-plan -->\nan older plan\n"+tag, "github-actions[bot]", "Bot")
		head := map[string]string{"teams/workstations.yml": strings.Replace(reviewHead["teams/workstations.yml"], "  - name: Screen lock\n    query: SELECT 1 FROM screenlock WHERE enabled = 1;\n    platform: darwin\n", "", 1)}
		r := runActionPrepared(t, a, "testdata/examples/clean", map[string]string{"comment": "true"}, nil, pullRequest(head))
		out := r.actionOutputs()
		checkReviewRun(t, r, out)
		ours := api.find(tag, "github-actions[bot]")
		if len(ours) != 1 || ours[0].HTMLURL != commentURL || !strings.Contains(ours[0].Body, `- policy "Screen lock"`) {
			t.Errorf("after the second push: want the first comment (%s) updated with the new plan, and nothing else; have %v", commentURL, ours)
		}
		if api.count("POST") != 1 || api.count("PATCH") != 1 || api.count("DELETE") != 1 || api.exists(dup) {
			t.Errorf("requests %v: want one PATCH of the comment and one DELETE of the copy, no new POST", api.log())
		}
		if people := api.find(tag, "octocat"); len(people) != 1 || !strings.Contains(people[0].Body, "I pasted this.") {
			t.Errorf("a person's comment with the marker was changed: %v", people)
		}
	})

	t.Run("read-only token", func(t *testing.T) {
		// A pull request from a fork: the token can read but not write. The plan stays in the
		// summary, which the plan step writes itself in a format other than github.
		api.setReadOnly(true)
		defer api.setReadOnly(false)
		posts, patches := api.count("POST"), api.count("PATCH")
		r := runActionPrepared(t, a, "testdata/examples/clean", map[string]string{"comment": "true", "format": "text", "upload-sarif": "false"}, nil,
			pullRequest(reviewHead))
		out := r.actionOutputs()
		checkReviewRun(t, r, out)
		c := r.result("comment")
		if !c.ran || c.exitCode != 0 || !strings.Contains(c.stdout, "::notice title=tollgate::cannot update the plan's comment on pull request #1 (HTTP 403: Resource not accessible by integration)") {
			t.Errorf("comment step: ran %v, exit %d; want a notice about the read-only token\n%s", c.ran, c.exitCode, c.stdout)
		}
		if out["comment-url"] != "" || api.count("PATCH") != patches+1 || api.count("POST") != posts {
			t.Errorf("read-only: comment-url %q, requests %v; want one refused PATCH", out["comment-url"], api.log())
		}
	})
}

// checkReviewRun checks what every pull-request run must leave: steps that ran and passed, the
// plan once in the job summary, the change findings in their own SARIF file, and the token in
// no step's output.
func checkReviewRun(t *testing.T, r *actionRun, out map[string]string) {
	t.Helper()
	for _, res := range r.results {
		if res.step.Run != "" && res.exitCode != 0 && res.step.Name != "Exit with tollgate's status" {
			t.Errorf("step %q exited %d\n%s%s", res.name(), res.exitCode, res.stdout, res.stderr)
		}
		if strings.Contains(res.stdout+res.stderr+res.summary, "ghs_test-token-not-a-secret") {
			t.Errorf("step %q printed the token", res.name())
		}
		if res.step.ID == "plan" || res.step.ID == "comment" {
			if !res.ran {
				t.Errorf("step %q did not run on a pull request", res.name())
			}
		}
	}
	plan, err := os.ReadFile(out["plan-file"])
	if err != nil || !strings.HasPrefix(string(plan), "<!-- tollgate-plan -->\n") {
		t.Errorf("plan-file %q: %v\n%s", out["plan-file"], err, plan)
	}
	var summaries strings.Builder
	for _, res := range r.results {
		summaries.WriteString(res.summary)
	}
	if n := strings.Count(summaries.String(), "<!-- tollgate-plan -->"); n != 1 {
		t.Errorf("the job summary holds the plan %d times, want once:\n%s", n, summaries.String())
	}
	category := r.inputs["category"]
	if n := checkSARIFAt(t, out["change-sarif-file"], filepath.Join(r.runnerTemp, "tollgate-change.sarif"), category+"change/"); n == 0 || strconv.Itoa(n) != out["change-findings"] {
		t.Errorf("change SARIF: %d results, output change-findings %q; want the change rules' findings, counted", n, out["change-findings"])
	}
	data, _ := os.ReadFile(out["sarif-file"])
	if strings.Contains(string(data), `"ruleId":"change-`) {
		t.Errorf("the lint's SARIF file holds change findings: the uploads would replace each other's")
	}
	if got := r.steps["lint"]["change-category"]; got != category+"change/" {
		t.Errorf("lint output change-category = %q, want %q", got, category+"change/")
	}
}

// The base and head of the pull requests above: the head removes a query (change-query-removed)
// and lowers a setting.
var (
	reviewBase = map[string]string{"teams/workstations.yml": `name: "💻 Workstations"
policies:
  - name: Screen lock
    query: SELECT 1 FROM screenlock WHERE enabled = 1;
    platform: darwin
queries:
  - name: Uptime
    query: SELECT * FROM uptime;
    interval: 3600
agent_options:
controls:
  macos_updates:
    minimum_version: "15.7.9"
    deadline: "2027-03-01"
software:
team_settings:
  secrets:
    - secret: "$FLEET_WORKSTATIONS_ENROLL_SECRET"
`}
	reviewHead = map[string]string{"teams/workstations.yml": strings.NewReplacer(
		"  - name: Uptime\n    query: SELECT * FROM uptime;\n    interval: 3600\n", "",
		`"15.7.9"`, `"15.7.8"`).Replace(reviewBase["teams/workstations.yml"])}
)

type pullRequestCommits struct{ base, head, merge string }

// mergePullRequest makes workspace what actions/checkout leaves on pull_request: a depth-1
// fetch of GitHub's merge commit (refs/pull/1/merge) of a head commit into a base commit, checked
// out detached. The base commit is the workspace's files plus base; the head writes head over
// them. The workspace lacks the base commit.
func mergePullRequest(t *testing.T, workspace string, base, head map[string]string) pullRequestCommits {
	t.Helper()
	origin := filepath.Join(t.TempDir(), "origin")
	if err := os.CopyFS(origin, os.DirFS(workspace)); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, origin, base)
	gitIn(t, origin, "init", "-q")
	gitIn(t, origin, "add", "-A")
	gitIn(t, origin, "commit", "-q", "-m", "base")
	var pr pullRequestCommits
	pr.base = gitIn(t, origin, "rev-parse", "HEAD")
	gitIn(t, origin, "checkout", "-q", "-b", "feature")
	writeFiles(t, origin, head)
	gitIn(t, origin, "commit", "-q", "-am", "pull request")
	pr.head = gitIn(t, origin, "rev-parse", "HEAD")
	gitIn(t, origin, "checkout", "-q", "main")
	gitIn(t, origin, "merge", "-q", "--no-ff", "-m", "Merge "+pr.head+" into "+pr.base, "feature")
	pr.merge = gitIn(t, origin, "rev-parse", "HEAD")
	gitIn(t, origin, "update-ref", "refs/pull/1/merge", pr.merge)
	gitIn(t, origin, "reset", "-q", "--hard", pr.base) // main is the base branch again

	if err := os.RemoveAll(workspace); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(workspace, 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, workspace, "init", "-q")
	gitIn(t, workspace, "remote", "add", "origin", "file://"+origin)
	gitIn(t, workspace, "fetch", "-q", "--no-tags", "--depth=1", "origin", "+refs/pull/1/merge:refs/remotes/pull/1/merge")
	gitIn(t, workspace, "checkout", "-q", "--detach", "refs/remotes/pull/1/merge")
	if err := exec.Command("git", "-C", workspace, "cat-file", "-e", pr.base+"^{commit}").Run(); err == nil {
		t.Fatal("the shallow checkout already has the base commit")
	}
	return pr
}

// gitIn runs git in dir with a fixed identity and no user configuration, and returns its output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=tollgate", "-c", "user.email=tollgate@example.com",
		"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// categoryID is how scripts/pr-comment.sh names a category in its comment's tag.
func categoryID(category string) string {
	out, err := exec.Command("bash", "-c", `printf '%s' "$1" | sha256sum | cut -c1-16`, "bash", category).Output()
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(out))
}

// fakeGitHub is the part of GitHub's REST API that scripts/pr-comment.sh uses, for the
// repository example/fleet-gitops and its pull request #1: GET /user (403 for an installation
// token such as github.token, as on GitHub; the login for a personal token, setUser), and listing (paginated), creating, updating and
// deleting the pull request's comments. A read-only token (setReadOnly) gets 403 on writes, as a
// fork's pull request does; a wrong token 401.
type fakeGitHub struct {
	srv      *httptest.Server
	token    string
	mu       sync.Mutex
	comments []fakeComment
	nextID   int64
	readOnly bool
	user     string // the token's user (a personal token); "" for an installation token
	requests []string
}

type fakeComment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
	User    struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
}

func newFakeGitHub(t *testing.T, token string) *fakeGitHub {
	g := &fakeGitHub{token: token, nextID: 1000}
	mux := http.NewServeMux()
	const issue = "/repos/example/fleet-gitops/issues"
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		user := g.user
		g.mu.Unlock()
		if user == "" {
			apiError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"login": user, "type": "User"})
	})
	mux.HandleFunc("GET "+issue+"/1/comments", func(w http.ResponseWriter, r *http.Request) {
		perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if perPage <= 0 || perPage > 100 {
			perPage = 30
		}
		page = max(page, 1)
		g.mu.Lock()
		defer g.mu.Unlock()
		start, end := min((page-1)*perPage, len(g.comments)), min(page*perPage, len(g.comments))
		json.NewEncoder(w).Encode(g.comments[start:end])
	})
	mux.HandleFunc("POST "+issue+"/1/comments", func(w http.ResponseWriter, r *http.Request) {
		body, ok := g.writeBody(w, r)
		if !ok {
			return
		}
		g.mu.Lock()
		login, kind := "github-actions[bot]", "Bot"
		if g.user != "" {
			login, kind = g.user, "User"
		}
		g.mu.Unlock()
		c := g.add(body, login, kind)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(c)
	})
	mux.HandleFunc("PATCH "+issue+"/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, ok := g.writeBody(w, r)
		if !ok {
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		for i := range g.comments {
			if strconv.FormatInt(g.comments[i].ID, 10) == r.PathValue("id") {
				g.comments[i].Body = body
				json.NewEncoder(w).Encode(g.comments[i])
				return
			}
		}
		apiError(w, http.StatusNotFound, "Not Found")
	})
	mux.HandleFunc("DELETE "+issue+"/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := g.writeBody(w, r); !ok {
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		n := len(g.comments)
		g.comments = slices.DeleteFunc(g.comments, func(c fakeComment) bool { return strconv.FormatInt(c.ID, 10) == r.PathValue("id") })
		if len(g.comments) == n {
			apiError(w, http.StatusNotFound, "Not Found")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.requests = append(g.requests, r.Method+" "+r.URL.Path)
		g.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+g.token {
			apiError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// writeBody checks that a write may happen and returns the new body (for POST and PATCH).
func (g *fakeGitHub) writeBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	g.mu.Lock()
	readOnly := g.readOnly
	g.mu.Unlock()
	if readOnly {
		apiError(w, http.StatusForbidden, "Resource not accessible by integration")
		return "", false
	}
	if r.Method == http.MethodDelete {
		return "", true
	}
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == nil {
		apiError(w, http.StatusBadRequest, "Problems parsing JSON")
		return "", false
	}
	if n := len([]rune(*in.Body)); n > 65536 {
		apiError(w, http.StatusUnprocessableEntity, fmt.Sprintf("Body is too long (maximum is 65536 characters): %d", n))
		return "", false
	}
	return *in.Body, true
}

func apiError(w http.ResponseWriter, code int, message string) {
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"message": message})
}

func (g *fakeGitHub) add(body, login, kind string) fakeComment {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	c := fakeComment{ID: g.nextID, Body: body, HTMLURL: fmt.Sprintf("https://github.com/example/fleet-gitops/pull/1#issuecomment-%d", g.nextID)}
	c.User.Login, c.User.Type = login, kind
	g.comments = append(g.comments, c)
	return c
}

// find returns the comments by login that carry tag.
func (g *fakeGitHub) find(tag, login string) []fakeComment {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []fakeComment
	for _, c := range g.comments {
		if strings.Contains(c.Body, tag) && c.User.Login == login {
			out = append(out, c)
		}
	}
	return out
}

func (g *fakeGitHub) exists(c fakeComment) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.ContainsFunc(g.comments, func(x fakeComment) bool { return x.ID == c.ID })
}

func (g *fakeGitHub) setUser(login string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.user = login
}

// body is the current body of c ("" when it is gone).
func (g *fakeGitHub) body(c fakeComment) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, x := range g.comments {
		if x.ID == c.ID {
			return x.Body
		}
	}
	return ""
}

func (g *fakeGitHub) setReadOnly(v bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.readOnly = v
}

func (g *fakeGitHub) log() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.requests)
}

// count is the number of requests with method.
func (g *fakeGitHub) count(method string) int {
	n := 0
	for _, r := range g.log() {
		if strings.HasPrefix(r, method+" ") {
			n++
		}
	}
	return n
}
