package ciconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

// TestActionRuns runs the run: steps of action.yml with bash on this machine, in order, the way
// the GitHub runner runs a composite action: TestActionYAML reads the scripts, this one executes
// them, so a script that is well-formed but wrong (a lost exit code, an output that never reaches
// the last step, a SARIF path nobody writes) fails here and not on a user's pull request.
//
// What the runner does and this test does too: inputs with their defaults, ${{ }} expressions in
// env:, working-directory:, if: and run: (actionlint's expression parser and a deliberately small evaluator, see eval), a script
// file run with `bash --noprofile --norc -eo pipefail {0}`, fresh GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files for every step, step outputs parsed from GITHUB_OUTPUT, and the
// implicit success() that skips later steps after a failure.
//
// What it does not do: uses: steps are skipped. Their if: and with: are still evaluated (so the
// expressions are checked and the SARIF upload's condition is tested), and what they provide is
// already here: setup-go's Go is the go on PATH (go test puts its own GOROOT/bin first), and the
// cache step only makes the build faster. Writing to GITHUB_ENV, GITHUB_PATH or GITHUB_STATE fails
// the test rather than being half simulated; action.yml uses none of them.
//
// Time: about 7 s on a 2-core machine, most of it the build step's `go build` (run once per
// subtest, the second from Go's build cache). With -trimpath that build shares no cache entries
// with go test's own builds, so the first run after the build cache was emptied compiles tollgate
// from scratch: about 110 s on the same machine.
func TestActionRuns(t *testing.T) {
	a := loadAction(t)
	for _, tool := range []string{"bash", "go", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			// Not a skip: a skipped test would hide that the action was never run.
			t.Fatalf("%s is needed to run action.yml's steps: %v", tool, err)
		}
	}

	t.Run("mistakes", func(t *testing.T) {
		// A non-default category checks that inputs reach tollgate through env:.
		r := runAction(t, a, "testdata/examples/mistakes", map[string]string{"category": "tollgate/steps-test/"})
		checkBuildSteps(t, r)

		out := r.actionOutputs()
		if out["exit-code"] != "1" {
			t.Errorf("output exit-code = %q, want 1 (findings at or above fail-level)", out["exit-code"])
		}
		findings, err := strconv.Atoi(out["findings"])
		if err != nil || findings == 0 {
			t.Errorf("output findings = %q, want a positive number", out["findings"])
		}
		results := checkSARIF(t, r, out["sarif-file"], "tollgate/steps-test/")
		if results != findings {
			// findings is counted with grep in the lint step; the SARIF file is the truth.
			t.Errorf("output findings = %d, but the SARIF file has %d results", findings, results)
		}
		// A push reviews no change, but the change rules' SARIF is written, empty, under its own
		// category, so the default branch has an analysis of it for pull requests to compare with.
		if out["base"] != "" || out["plan-file"] != "" || out["change-findings"] != "0" {
			t.Errorf("a push: outputs base %q, plan-file %q, change-findings %q; want no review", out["base"], out["plan-file"], out["change-findings"])
		}
		if n := checkSARIFAt(t, out["change-sarif-file"], filepath.Join(r.runnerTemp, "tollgate-change.sarif"), "tollgate/steps-test/change/"); n != 0 {
			t.Errorf("a push: the change SARIF file has %d results, want 0", n)
		}

		lint := r.result("lint")
		if !hasLinePrefix(lint.stdout, "::error file=") {
			t.Errorf("lint step printed no ::error file=... annotations on stdout:\n%s", lint.stdout)
		}
		if !hasLinePrefix(lint.summary, "#") || !hasLinePrefix(lint.summary, "|") {
			t.Errorf("lint step wrote no Markdown summary (a heading and a table) to GITHUB_STEP_SUMMARY:\n%s", lint.summary)
		}

		// Every run step ran, and only the last one failed: with tollgate's exit code.
		lastIdx := len(r.results) - 1
		for i, res := range r.results {
			switch {
			case res.step.Run == "":
			case res.step.ID == "release" && !res.ran: // no version input: built from source
			case reviewOnly[res.step.ID] && !res.ran: // a push: no change to review
			case !res.ran:
				t.Errorf("step %q was skipped", res.name())
			case i == lastIdx && res.exitCode != 1:
				t.Errorf("last step %q exited %d, want 1 (tollgate's exit code)", res.name(), res.exitCode)
			case i != lastIdx && res.exitCode != 0:
				t.Errorf("step %q exited %d; only the last step may fail", res.name(), res.exitCode)
			}
		}
		if last := r.results[lastIdx]; last.step.Run == "" {
			t.Errorf("the last step %q is not a run: step; nothing would fail the job", last.name())
		}

		// The SARIF upload's if:. It ran here (a push with a SARIF file); re-evaluated in the state
		// of that moment with one thing changed at a time, it also runs after a failed step (the
		// SARIF file may be there all the same) and for a pull request from the same repository,
		// and not for one from a fork (a read-only token: a 403), nor when switched off or
		// without a SARIF file.
		i := slices.IndexFunc(r.results, func(res stepResult) bool { return strings.Contains(res.step.Uses, "/upload-sarif@") })
		if i < 0 {
			t.Fatal("no upload-sarif step")
		}
		upload := r.results[i]
		if !upload.ran {
			t.Errorf("the SARIF upload would not run on a push with findings")
		}
		pullRequestFrom := func(repo string) func() {
			return func() {
				r.github["event_name"] = "pull_request"
				r.github["event.pull_request.head.repo.full_name"] = repo
			}
		}
		r.failed = false // as when the upload step was reached; the last step has failed since
		github, inputs, lintOutputs := maps.Clone(r.github), maps.Clone(r.inputs), maps.Clone(r.steps["lint"])
		for _, c := range []struct {
			what   string
			change func()
			want   bool
		}{
			{"an earlier failed step", func() { r.failed = true }, true},
			{"a pull request from the same repository", pullRequestFrom(r.github["repository"].(string)), true},
			{"a pull request from a fork", pullRequestFrom("someone/fork"), false},
			{"upload-sarif: 'false'", func() { r.inputs["upload-sarif"] = "false" }, false},
			{"no SARIF file", func() { r.steps["lint"]["sarif-file"] = "" }, false},
		} {
			c.change()
			if got := r.condition(upload.step); got != c.want {
				t.Errorf("SARIF upload on %s: if: is %v, want %v", c.what, got, c.want)
			}
			r.github, r.inputs, r.steps["lint"] = maps.Clone(github), maps.Clone(inputs), maps.Clone(lintOutputs)
			r.failed = false
		}
	})

	t.Run("release", func(t *testing.T) {
		// A release made here: the tollgate of this checkout, archived and listed in a checksums
		// file as scripts/release.sh lays them out, served from a file:// URL.
		releases := fakeRelease(t, "v0.0.1", true)
		r := runActionEnv(t, a, "testdata/examples/clean", map[string]string{"version": "v0.0.1"},
			map[string]string{"TOLLGATE_RELEASE_URL": "file://" + releases, "PATH": fakeGH(t, 0)})
		if got := r.steps["release"]["installed"]; got != "true" {
			t.Fatalf("release step: installed = %q, want true\n%s", got, r.result("release").stderr)
		}
		for _, res := range r.results {
			building := strings.Contains(res.step.Uses, "setup-go@") || strings.Contains(res.step.Uses, "cache@") || strings.Contains(res.step.Run, "go build")
			if building && res.ran {
				t.Errorf("step %q ran although the release was installed", res.name())
			}
		}
		if out := r.actionOutputs(); out["exit-code"] != "0" {
			t.Errorf("exit-code = %q with the installed release, want 0", out["exit-code"])
		}

		// A release whose archive does not match its checksums fails the job: no fallback.
		bad := runActionEnv(t, a, "testdata/examples/clean", map[string]string{"version": "v0.0.1"},
			map[string]string{"TOLLGATE_RELEASE_URL": "file://" + fakeRelease(t, "v0.0.1", false), "PATH": fakeGH(t, 0)})
		if res := bad.result("release"); res.exitCode != 1 || !strings.Contains(res.stderr, "SHA-256") {
			t.Errorf("a tampered archive: release step exit %d, want 1 naming the SHA-256\n%s", res.exitCode, res.stderr)
		}
		for _, res := range bad.results {
			if res.ran && res.step.ID != "release" {
				t.Errorf("step %q ran after the release failed its check", res.name())
			}
		}

		// A version with no release file for this runner builds from source instead.
		missing := runActionEnv(t, a, "testdata/examples/clean", map[string]string{"version": "v0.0.2"},
			map[string]string{"TOLLGATE_RELEASE_URL": "file://" + releases, "PATH": fakeGH(t, 0)})
		if got := missing.steps["release"]["installed"]; got != "false" {
			t.Errorf("a missing release: installed = %q, want false", got)
		}
		checkBuildSteps(t, missing)
		if out := missing.actionOutputs(); out["exit-code"] != "0" {
			t.Errorf("exit-code = %q after building from source, want 0", out["exit-code"])
		}
	})

	t.Run("clean", func(t *testing.T) {
		r := runAction(t, a, "testdata/examples/clean", nil)
		out := r.actionOutputs()
		if out["exit-code"] != "0" || out["findings"] != "0" {
			t.Errorf("outputs exit-code = %q, findings = %q; want 0 and 0", out["exit-code"], out["findings"])
		}
		// The SARIF file is written with an empty results array even when clean, so code
		// scanning closes fixed alerts.
		if n := checkSARIF(t, r, out["sarif-file"], "tollgate/"); n != 0 {
			t.Errorf("SARIF file has %d results, want 0", n)
		}
		if lint := r.result("lint"); strings.Contains(lint.stdout, "::error") {
			t.Errorf("lint step printed errors for a clean repository:\n%s", lint.stdout)
		}
		for _, res := range r.results {
			if (res.step.ID == "release" || reviewOnly[res.step.ID]) && !res.ran {
				continue // no version input: built from source; a push: no change to review
			}
			if res.step.Run != "" && (!res.ran || res.exitCode != 0) {
				t.Errorf("step %q: ran %v, exit code %d; want every step to run and exit 0", res.name(), res.ran, res.exitCode)
			}
		}
	})
}

// loadAction reads action.yml. Its steps are decoded a second time with KnownFields: a step key
// this runner does not know about (timeout-minutes:, a misspelt shell:) must fail the test, not be
// ignored while the test passes.
func loadAction(t *testing.T) action {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Runs struct {
			Steps yaml.Node `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	stepsYAML, err := yaml.Marshal(&raw.Runs.Steps)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(stepsYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&a.Runs.Steps); err != nil {
		t.Fatalf("action.yml steps: %v", err)
	}
	if len(a.Runs.Steps) == 0 {
		t.Fatal("action.yml has no steps")
	}
	return a
}

// actionRun is the state of one simulated run of the composite action.
type actionRun struct {
	t          *testing.T
	a          action
	inputs     map[string]string
	github     map[string]any // github context, by dotted path below "github."; nil is null
	runnerTemp string
	workspace  string
	steps      map[string]map[string]string // step id -> outputs
	failed     bool                         // a step has failed: success() is false from now on
	results    []stepResult
	extraEnv   map[string]string
}

type stepResult struct {
	step           step
	ran            bool // false: skipped by if:, or a uses: step whose if: was false
	exitCode       int
	stdout, stderr string
	summary        string // what the step wrote to GITHUB_STEP_SUMMARY
}

func (s stepResult) name() string {
	if s.step.Name != "" {
		return s.step.Name
	}
	return s.step.ID
}

func runAction(t *testing.T, a action, fixture string, with map[string]string) *actionRun {
	t.Helper()
	return runActionPrepared(t, a, fixture, with, nil, nil)
}

// runActionEnv is runAction with variables added to every step's environment, as a runner's
// machine would have them (the TOLLGATE_ variables of go test's own environment are not).
func runActionEnv(t *testing.T, a action, fixture string, with, extraEnv map[string]string) *actionRun {
	t.Helper()
	return runActionPrepared(t, a, fixture, with, extraEnv, nil)
}

// runActionPrepared is runAction with variables added to every step's environment and prepare
// called on the run before its steps, once the workspace holds the fixture (to make it a git
// checkout, to set the event).
func runActionPrepared(t *testing.T, a action, fixture string, with, extraEnv map[string]string, prepare func(*actionRun)) *actionRun {
	t.Helper()
	actionPath, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	r := &actionRun{
		t:          t,
		a:          a,
		inputs:     map[string]string{},
		runnerTemp: filepath.Join(tmp, "runner-temp"),
		workspace:  filepath.Join(tmp, "workspace"),
		steps:      map[string]map[string]string{},
		extraEnv:   extraEnv,
		github: map[string]any{
			"action_path": actionPath,
			"event_name":  "push",
			"repository":  "example/fleet-gitops",
			"token":       "ghs_test-token-not-a-secret",
			"workspace":   filepath.Join(tmp, "workspace"),
			// Nothing listens there: a step that calls the API in a test that did not set up
			// its fake (fakeGitHubAPI) fails to connect.
			"api_url":    "http://127.0.0.1:9",
			"server_url": "https://github.com",
			// Present in the event payload of pull requests only; null on a push.
			"event.pull_request.head.repo.full_name": nil,
			"event.pull_request.base.sha":            nil,
			"event.pull_request.head.sha":            nil,
			"event.pull_request.number":              nil,
		},
	}
	for _, dir := range []string{r.runnerTemp, filepath.Join(r.runnerTemp, "_runner_file_commands")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A copy: tollgate must not write into the fixtures, and a run must not see another's files.
	if err := os.CopyFS(r.workspace, os.DirFS(filepath.Join(root, fixture))); err != nil {
		t.Fatal(err)
	}

	for name, in := range a.Inputs {
		if in.Default != nil {
			r.inputs[name] = r.expand(*in.Default) // a default may be an expression (${{ github.token }})
		} else {
			r.inputs[name] = ""
		}
	}
	for name, v := range with {
		if _, ok := r.inputs[name]; !ok {
			t.Fatalf("action.yml has no input %q", name)
		}
		r.inputs[name] = v
	}

	if prepare != nil {
		prepare(r)
	}
	start := time.Now()
	for i, s := range a.Runs.Steps {
		if s.ID != "" {
			r.steps[s.ID] = map[string]string{}
		}
		res := stepResult{step: s}
		switch {
		case s.Uses != "":
			res.ran = r.skipUses(s)
		case s.Run != "":
			if r.condition(s) {
				res = r.runStep(i, s)
			}
		default:
			t.Fatalf("step %d has neither run: nor uses:", i+1)
		}
		r.results = append(r.results, res)
	}
	t.Logf("ran %s in %v", fixture, time.Since(start).Round(time.Millisecond))
	return r
}

// skipUses stands in for a uses: step: it reports whether the step would run, and checks its
// with: values, which are evaluated like any other expression.
func (r *actionRun) skipUses(s step) bool {
	t := r.t
	if !r.condition(s) {
		t.Logf("%s: skipped, if: is false", s.Name)
		return false
	}
	for key, v := range s.With {
		// An expression that comes out empty would hand the action nothing (a cache path or
		// key, the SARIF file): a broken reference to a step output, most likely.
		for _, m := range exprRE.FindAllStringSubmatch(v, -1) {
			if r.mustEval(m[1]) == "" {
				t.Errorf("%s: with.%s: ${{%s}} is empty", s.Name, key, m[1])
			}
		}
		v = r.expand(v)
		if key == "go-version-file" {
			if _, err := os.Stat(v); err != nil {
				t.Errorf("%s: go-version-file: %v", s.Name, err)
			}
		}
		t.Logf("%s: not run here (uses: %s); with.%s = %q", s.Name, s.Uses, key, v)
	}
	return true
}

// runStep runs one run: step as the runner does: the script in a file, bash with the runner's
// flags, the runner's environment plus the step's env:, and file commands read back afterwards.
func (r *actionRun) runStep(i int, s step) stepResult {
	t := r.t
	if s.Shell != "bash" {
		t.Fatalf("%s: shell %q; only bash is simulated", s.Name, s.Shell)
	}
	files := map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"} {
		path := filepath.Join(r.runnerTemp, "_runner_file_commands", fmt.Sprintf("%s_%d", strings.ToLower(name), i))
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		files[name] = path
	}
	// The runner substitutes expressions in run: too (TestActionYAML forbids them there).
	script := filepath.Join(r.runnerTemp, fmt.Sprintf("step_%d.sh", i))
	if err := os.WriteFile(script, []byte(r.expand(s.Run)), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := r.workspace
	if s.WorkingDirectory != "" {
		dir = r.expand(s.WorkingDirectory)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(r.workspace, dir)
		}
	}

	// The environment of the go test process, less anything a real runner (when this test runs
	// in GitHub Actions) or the caller set: the outer job's GITHUB_OUTPUT must not be written to,
	// and a stray TOLLGATE_EXIT_CODE must not decide the result.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "RUNNER_") && !strings.HasPrefix(kv, "TOLLGATE_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"CI=true",
		"GITHUB_ACTIONS=true",
		"GITHUB_ACTION_PATH="+r.github["action_path"].(string),
		"GITHUB_WORKSPACE="+r.workspace,
		"GITHUB_EVENT_NAME="+r.github["event_name"].(string),
		"GITHUB_REPOSITORY="+r.github["repository"].(string),
		"RUNNER_TEMP="+r.runnerTemp,
		"RUNNER_OS="+runnerOS(),
		"RUNNER_ARCH="+runnerArch(),
	)
	for name, path := range files {
		env = append(env, name+"="+path)
	}
	for name, v := range r.extraEnv {
		env = append(env, name+"="+v)
	}
	for name, v := range s.Env {
		env = append(env, name+"="+r.expand(v)) // last wins in os/exec, as the step's env: does
	}

	// Stop a hung step shortly before go test's -timeout would, so the failure names the step.
	ctx, cancel := t.Context(), context.CancelFunc(func() {})
	if deadline, ok := t.Deadline(); ok {
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
	}
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	res := stepResult{step: s, ran: true, stdout: stdout.String(), stderr: stderr.String()}
	if ctx.Err() != nil {
		t.Fatalf("%s: timed out: %v\nstderr:\n%s", s.Name, ctx.Err(), res.stderr)
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		res.exitCode = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", s.Name, err)
	}
	t.Logf("%s: exit %d in %v\nstdout:\n%s\nstderr:\n%s", s.Name, res.exitCode,
		time.Since(start).Round(time.Millisecond), res.stdout, res.stderr)

	// File commands are processed whatever the exit code, as the runner does.
	read := func(name string) string {
		data, err := os.ReadFile(files[name])
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	outputs, err := parseOutputs(read("GITHUB_OUTPUT"))
	if err != nil {
		t.Fatalf("%s: GITHUB_OUTPUT: %v", s.Name, err)
	}
	if s.ID != "" {
		r.steps[s.ID] = outputs
	}
	res.summary = read("GITHUB_STEP_SUMMARY")
	for _, name := range []string{"GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"} {
		if read(name) != "" {
			t.Fatalf("%s: writes to %s, which this test does not simulate", s.Name, name)
		}
	}

	if res.exitCode != 0 && !s.ContinueOnError {
		r.failed = true
	}
	return res
}

func (r *actionRun) result(id string) stepResult {
	for _, res := range r.results {
		if res.step.ID == id {
			return res
		}
	}
	r.t.Fatalf("no step with id %q", id)
	return stepResult{}
}

// actionOutputs evaluates action.yml's outputs: the values a workflow sees as
// steps.<the action's step id>.outputs.*.
func (r *actionRun) actionOutputs() map[string]string {
	out := map[string]string{}
	for name, o := range r.a.Outputs {
		out[name] = r.expand(o.Value)
	}
	r.t.Logf("action outputs: %q", out)
	return out
}

// condition evaluates a step's if:. As on the runner, an if: that calls none of the status
// functions is success() && (if), and a missing one is success().
func (r *actionRun) condition(s step) bool {
	cond := strings.TrimSpace(s.If)
	if strings.HasPrefix(cond, "${{") && strings.HasSuffix(cond, "}}") {
		cond = cond[3 : len(cond)-2]
	}
	switch {
	case cond == "":
		cond = "success()"
	case !statusFunc.MatchString(cond):
		cond = "success() && (" + cond + ")"
	}
	v, err := r.eval(cond)
	if err != nil {
		r.t.Fatalf("%s: if: %v", s.Name, err)
	}
	return truthy(v)
}

var (
	exprRE     = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	statusFunc = regexp.MustCompile(`\b(success|failure|cancelled|always)\s*\(`)
)

// expand substitutes every ${{ }} in s.
func (r *actionRun) expand(s string) string {
	out := exprRE.ReplaceAllStringFunc(s, func(m string) string {
		return r.mustEval(m[3 : len(m)-2])
	})
	if strings.Contains(out, "${{") {
		r.t.Fatalf("unterminated or multi-line expression in %q", s)
	}
	return out
}

func (r *actionRun) mustEval(expr string) string {
	v, err := r.eval(expr)
	if err != nil {
		r.t.Fatal(err)
	}
	return str(v)
}

// eval evaluates one expression, parsed by actionlint's expression parser (the grammar GitHub
// documents). It supports exactly the forms action.yml uses: the contexts inputs.<name>,
// github.<known path>, runner.temp and steps.<id>.outputs.<name>; 'strings'; the status
// functions without arguments; ! && || == != and parentheses. Anything else (another function
// such as format() or hashFiles(), another context, a literal other than a string, a misspelt
// input or step id) is an error, so an expression this test can't evaluate fails it instead of
// silently becoming empty.
//
// Both sides of && and || are evaluated (lookups have no side effects), so a misspelt reference
// fails even in a branch this run does not take; the result is the operand GitHub would return.
// == and != compare strings ignoring case, as GitHub does; null compares as the empty string.
func (r *actionRun) eval(expr string) (any, error) {
	node, perr := actionlint.NewExprParser().Parse(actionlint.NewExprLexer(expr + "}}"))
	if perr != nil {
		return nil, fmt.Errorf("${{%s}}: %s", expr, perr.Message)
	}
	v, err := r.evalNode(node)
	if err != nil {
		return nil, fmt.Errorf("${{%s}}: %v", expr, err)
	}
	return v, nil
}

func (r *actionRun) evalNode(n actionlint.ExprNode) (any, error) {
	switch n := n.(type) {
	case *actionlint.StringNode:
		return n.Value, nil
	case *actionlint.VariableNode, *actionlint.ObjectDerefNode:
		ref, ok := reference(n)
		if !ok {
			return nil, fmt.Errorf("%s is not simulated", n.Token().Value)
		}
		return r.lookup(ref)
	case *actionlint.NotOpNode:
		v, err := r.evalNode(n.Operand)
		return !truthy(v), err
	case *actionlint.LogicalOpNode:
		v, w, err := r.evalBoth(n.Left, n.Right)
		if err != nil {
			return nil, err
		}
		if (n.Kind == actionlint.LogicalOpNodeKindAnd) == truthy(v) {
			return w, nil
		}
		return v, nil
	case *actionlint.CompareOpNode:
		if !n.Kind.IsEqualityOp() {
			return nil, fmt.Errorf("%s is not simulated", n.Kind)
		}
		v, w, err := r.evalBoth(n.Left, n.Right)
		if err != nil {
			return nil, err
		}
		vs, ok1 := v.(string)
		ws, ok2 := w.(string)
		if (!ok1 && v != nil) || (!ok2 && w != nil) {
			return nil, fmt.Errorf("comparing %T with %T is not simulated", v, w)
		}
		return strings.EqualFold(vs, ws) == (n.Kind == actionlint.CompareOpNodeKindEq), nil
	case *actionlint.FuncCallNode:
		if len(n.Args) > 0 {
			return nil, fmt.Errorf("%s() with arguments is not simulated", n.Callee)
		}
		switch strings.ToLower(n.Callee) {
		case "success":
			return !r.failed, nil
		case "failure":
			return r.failed, nil
		case "always":
			return true, nil
		case "cancelled":
			return false, nil // nobody cancels this run
		}
		return nil, fmt.Errorf("function %s() is not simulated", n.Callee)
	}
	return nil, fmt.Errorf("%T (%q) is not simulated", n, n.Token().Value)
}

// evalBoth evaluates both operands of a binary operator, whatever the first gives.
func (r *actionRun) evalBoth(left, right actionlint.ExprNode) (v, w any, err error) {
	if v, err = r.evalNode(left); err == nil {
		w, err = r.evalNode(right)
	}
	return v, w, err
}

// reference is a context reference written with dots (inputs.path, steps.lint.outputs.x).
func reference(n actionlint.ExprNode) (string, bool) {
	switch n := n.(type) {
	case *actionlint.VariableNode:
		return n.Name, true
	case *actionlint.ObjectDerefNode:
		recv, ok := reference(n.Receiver)
		return recv + "." + n.Property, ok
	}
	return "", false
}

func (r *actionRun) lookup(ref string) (any, error) {
	parts := strings.Split(ref, ".")
	switch {
	case parts[0] == "inputs" && len(parts) == 2:
		if v, ok := r.inputs[parts[1]]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("action.yml has no input %q", parts[1])
	case parts[0] == "github" && len(parts) >= 2:
		if v, ok := r.github[strings.Join(parts[1:], ".")]; ok {
			return v, nil
		}
	case ref == "runner.temp":
		return r.runnerTemp, nil
	case parts[0] == "steps" && len(parts) == 4 && parts[2] == "outputs":
		for _, s := range r.a.Runs.Steps {
			if s.ID == parts[1] {
				if v, ok := r.steps[parts[1]][parts[3]]; ok {
					return v, nil
				}
				return nil, nil // not run yet, or never set: null, as on the runner
			}
		}
		return nil, fmt.Errorf("no step has id %q", parts[1])
	}
	return nil, fmt.Errorf("%s is not simulated", ref)
}

func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v != ""
	}
	return false
}

func str(v any) string {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	return ""
}

// parseOutputs reads a GITHUB_OUTPUT file as the runner does: NAME=VALUE lines and
// NAME<<DELIMITER blocks ending with a line that is exactly DELIMITER; whichever of = and <<
// comes first decides the form, and empty lines between entries are skipped.
func parseOutputs(data string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		eq, heredoc := strings.Index(line, "="), strings.Index(line, "<<")
		switch {
		case eq > 0 && (heredoc < 0 || eq < heredoc):
			out[line[:eq]] = line[eq+1:]
		case heredoc > 0 && len(line) > heredoc+2:
			name, delim := line[:heredoc], line[heredoc+2:]
			j := i + 1
			for j < len(lines) && lines[j] != delim {
				j++
			}
			if j == len(lines) {
				return nil, fmt.Errorf("%s<<%s: no closing %s line", name, delim, delim)
			}
			out[name] = strings.Join(lines[i+1:j], "\n")
			i = j
		default:
			return nil, fmt.Errorf("line %q is neither NAME=VALUE nor NAME<<DELIMITER", line)
		}
	}
	return out, nil
}

// checkBuildSteps checks what the steps before the lint step left: the cache key the cache step
// would use, and the binary.
func checkBuildSteps(t *testing.T, r *actionRun) {
	t.Helper()
	c := r.steps["go-cache"]
	key := regexp.MustCompile(`^tollgate-go-` + runnerOS() + `-` + runnerArch() + `-go[0-9][^-\s]*-[0-9a-f]{32}$`)
	if !key.MatchString(c["key"]) || !strings.HasPrefix(c["key"], c["prefix"]) || c["prefix"] == "" {
		t.Errorf("go-cache: key %q, prefix %q; want the prefix of tollgate-go-OS-ARCH-GOVERSION-<go.sum hash>", c["key"], c["prefix"])
	}
	for _, name := range []string{"gocache", "gomodcache"} {
		if !filepath.IsAbs(c[name]) {
			t.Errorf("go-cache: %s = %q, want an absolute path", name, c[name])
		}
	}
	if _, err := os.Stat(filepath.Join(r.runnerTemp, "tollgate")); err != nil {
		t.Errorf("the build step left no binary: %v", err)
	}
}

// reviewOnly are the ids of the steps that run only when there is a change to review.
var reviewOnly = map[string]bool{"plan": true, "comment": true}

// checkSARIF checks the file named by the sarif-file output and returns its number of results.
func checkSARIF(t *testing.T, r *actionRun, path, category string) int {
	t.Helper()
	return checkSARIFAt(t, path, filepath.Join(r.runnerTemp, "tollgate.sarif"), category)
}

// checkSARIFAt checks the SARIF file path, which an output named and must be want, and returns
// its number of results.
func checkSARIFAt(t *testing.T, path, want, category string) int {
	t.Helper()
	if path != want {
		t.Errorf("SARIF file output = %q, want %q", path, want)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("SARIF file: %v", err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results           *[]json.RawMessage `json:"results"`
			AutomationDetails struct {
				ID string `json:"id"`
			} `json:"automationDetails"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &sarif); err != nil {
		t.Fatalf("SARIF file is not JSON: %v", err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || sarif.Runs[0].Results == nil {
		t.Fatalf("SARIF file: version %q, %d runs (want 2.1.0, one run with results)", sarif.Version, len(sarif.Runs))
	}
	if id := sarif.Runs[0].AutomationDetails.ID; id != category {
		t.Errorf("SARIF automationDetails.id = %q, want the category input %q", id, category)
	}
	return len(*sarif.Runs[0].Results)
}

func hasLinePrefix(text, prefix string) bool {
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

// runnerOS and runnerArch are RUNNER_OS and RUNNER_ARCH as GitHub spells them.
func runnerOS() string {
	switch runtime.GOOS {
	case "linux":
		return "Linux"
	case "darwin":
		return "macOS"
	case "windows":
		return "Windows"
	}
	return runtime.GOOS
}

func runnerArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "X64"
	case "arm64":
		return "ARM64"
	case "386":
		return "X86"
	case "arm":
		return "ARM"
	}
	return runtime.GOARCH
}

// TestStepsEvaluator checks the pieces TestActionRuns relies on, including that what they don't
// support is an error and not an empty string.
func TestStepsEvaluator(t *testing.T) {
	r := &actionRun{
		t:      t,
		inputs: map[string]string{"upload-sarif": "true", "path": "."},
		github: map[string]any{"event_name": "push", "event.pull_request.head.repo.full_name": nil, "repository": "o/r"},
		steps:  map[string]map[string]string{"lint": {"sarif-file": "/tmp/x.sarif"}},
	}
	r.a.Runs.Steps = []step{{ID: "lint"}}
	for expr, want := range map[string]any{
		"inputs.upload-sarif == 'TRUE'": true, // case-insensitive, as on GitHub
		"!cancelled() && inputs.upload-sarif == 'true' && (github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository) && steps.lint.outputs.sarif-file != ''": true,
		"steps.lint.outputs.findings":     nil,
		"inputs.path || 'x'":              ".",
		"'it''s'":                         "it's",
		"failure() || !success()":         false,
		"github.event_name == 'push'":     true,
		" steps.lint.outputs.sarif-file ": "/tmp/x.sarif",
		"!(inputs.path == 'x')":           true,
	} {
		if got, err := r.eval(expr); err != nil || got != want {
			t.Errorf("eval(%q) = %#v, %v; want %#v", expr, got, err, want)
		}
	}
	for _, expr := range []string{
		"inputs.nope", "steps.nope.outputs.x", "env.HOME", "github.sha", "format('{0}', inputs.path)",
		"hashFiles('go.sum')", "inputs.path == true", "1 == 1", "inputs.path ==", "(inputs.path", "a.b",
		"inputs.path)", "true", "fromJSON('{}')",
		"!inputs.path == 'x'", // ! binds tighter: false == 'x', a comparison of mixed types
	} {
		if v, err := r.eval(expr); err == nil {
			t.Errorf("eval(%q) = %#v, want an error", expr, v)
		}
	}

	outputs, err := parseOutputs("a=1\n\nb=x=y\nc<<EOF\nline 1\n\nc=not a key\nEOF\nd=\ne=<<x\n")
	want := map[string]string{"a": "1", "b": "x=y", "c": "line 1\n\nc=not a key", "d": "", "e": "<<x"}
	if err != nil || fmt.Sprint(outputs) != fmt.Sprint(want) {
		t.Errorf("parseOutputs = %q, %v; want %q", outputs, err, want)
	}
	for _, bad := range []string{"no separator\n", "x<<EOF\nunterminated\n", "=value\n"} {
		if _, err := parseOutputs(bad); err == nil {
			t.Errorf("parseOutputs(%q) succeeded, want an error", bad)
		}
	}
}
