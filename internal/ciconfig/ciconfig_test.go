package ciconfig

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

const root = "../.."

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{".github/workflows/*.yml", "docs/examples/*.yml"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 3 {
		t.Fatalf("found only %v", files)
	}
	return files
}

// TestActionlint runs actionlint as a library on every workflow. The project root is given
// explicitly so `uses: ./` resolves to action.yml (and its inputs are checked) even without .git.
func TestActionlint(t *testing.T) {
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	proj, err := actionlint.NewProject(abs)
	if err != nil {
		t.Fatal(err)
	}
	opts := &actionlint.LinterOptions{WorkingDir: abs}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc // stricter where it is installed
	}
	l, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFiles(workflowFiles(t), proj)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
}

type step struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
	ContinueOnError  bool              `yaml:"continue-on-error"`
}

type action struct {
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true) // a misspelt key (shel:, continue-on-eror:) must fail here
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// pinned is owner/repo[/path]@<40 hex digits>.
var pinned = regexp.MustCompile(`^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$`)

// TestActionYAML checks what actionlint can't see in a composite action.
func TestActionYAML(t *testing.T) {
	var a action
	data, _ := os.ReadFile(filepath.Join(root, "action.yml"))
	// KnownFields is off for action.yml's top level (name, branding, ...); steps are checked below.
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q", a.Runs.Using)
	}
	for _, in := range []string{"path", "config", "policy", "fail-level", "category", "upload-sarif", "format", "version", "base", "comment", "token"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %q missing", in)
		}
	}
	for _, out := range []string{"exit-code", "sarif-file", "findings", "base", "plan-file", "changes", "change-sarif-file", "change-findings", "comment-url"} {
		if a.Outputs[out].Value == "" {
			t.Errorf("output %q has no value:", out)
		}
	}

	byID := map[string]step{}
	for i, s := range a.Runs.Steps {
		at := s.Name
		if at == "" {
			at = fmt.Sprint("step ", i+1)
		}
		byID[s.ID] = s
		if s.Run != "" {
			if s.Shell != "bash" {
				t.Errorf("%s: run step without shell: bash (composite steps have no default shell)", at)
			}
			// Expressions in a script are pasted in before bash parses it: an input holding
			// "$(...)" or a quote would run. Values reach scripts through env: only.
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s: ${{ }} inside run:; pass the value through env:", at)
			}
		}
		if s.Uses != "" && !pinned.MatchString(s.Uses) {
			t.Errorf("%s: uses %q is not pinned to a full commit SHA", at, s.Uses)
		}
	}

	// Every input reaches the scripts, through env: or with:.
	var plumbing strings.Builder
	for _, s := range a.Runs.Steps {
		for _, v := range s.Env {
			plumbing.WriteString(v + "\n")
		}
		for _, v := range s.With {
			plumbing.WriteString(v + "\n")
		}
		plumbing.WriteString(s.If + "\n")
	}
	for in := range a.Inputs {
		if !strings.Contains(plumbing.String(), "inputs."+in+" ") {
			t.Errorf("input %q is never used", in)
		}
	}

	steps := a.Runs.Steps
	// With a version, the release is installed first; otherwise (and when the release has no
	// file for the runner) Go is set up from the action's go.mod and tollgate built.
	release := byID["release"]
	if release.If != "inputs.version != ''" || !strings.Contains(release.Run, `scripts/install-release.sh" "$TOLLGATE_VERSION" "$RUNNER_TEMP/tollgate"`) ||
		!strings.Contains(release.Run, "installed=true") || release.Env["GH_TOKEN"] != "${{ github.token }}" {
		t.Errorf("release step: %+v", release)
	}
	setup := findStep(t, steps, func(s step) bool { return strings.HasPrefix(s.Uses, "actions/setup-go@") })
	if setup.With["go-version-file"] != "${{ github.action_path }}/go.mod" {
		t.Errorf("Go must be set up from the action's go.mod: %+v", setup)
	}
	for _, s := range steps {
		building := strings.HasPrefix(s.Uses, "actions/setup-go@") || strings.HasPrefix(s.Uses, "actions/cache@") || strings.Contains(s.Run, "go build") || s.ID == "go-cache"
		if building && s.If != "steps.release.outputs.installed != 'true'" {
			t.Errorf("%s: a build step must be skipped when the release was installed (if: steps.release.outputs.installed != 'true'), has if: %q", s.Name, s.If)
		}
	}
	build := findStep(t, steps, func(s step) bool { return strings.Contains(s.Run, "go build") })
	if !strings.Contains(build.Run, `go build -trimpath -o "$RUNNER_TEMP/tollgate" ./cmd/tollgate`) ||
		build.WorkingDirectory != "${{ github.action_path }}" {
		t.Errorf("build step: %+v", build)
	}
	lint := byID["lint"]
	for _, want := range []string{`--format "$TOLLGATE_FORMAT"`, `--sarif-file "$sarif"`, `sarif="$RUNNER_TEMP/tollgate.sarif"`,
		"--fail-level", "--category", "--config", "--policy", "set +e", "exit-code=", "sarif-file=", "findings=",
		`--change-sarif-file "$change_sarif"`, `--base "$TOLLGATE_BASE_SHA"`, "change-category=", "change-sarif-file="} {
		if !strings.Contains(lint.Run, want) {
			t.Errorf("lint step lacks %q", want)
		}
	}

	upload := findStep(t, steps, func(s step) bool { return strings.Contains(s.Uses, "upload-sarif") })
	if !strings.HasPrefix(upload.Uses, "github/codeql-action/upload-sarif@") {
		t.Errorf("upload step uses %q", upload.Uses)
	}
	for _, want := range []string{"!cancelled()", "inputs.upload-sarif == 'true'",
		"github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository"} {
		if !strings.Contains(upload.If, want) {
			t.Errorf("upload step's if lacks %q", want)
		}
	}
	if upload.With["category"] != "${{ inputs.category }}" || !upload.ContinueOnError {
		t.Errorf("upload step: the same category as the SARIF run and continue-on-error (best effort): %+v", upload)
	}

	// The change rules' SARIF: its own upload, under its own category, on the same conditions.
	var uploads []step
	for _, s := range steps {
		if strings.Contains(s.Uses, "upload-sarif") {
			uploads = append(uploads, s)
		}
	}
	if len(uploads) != 2 {
		t.Fatalf("%d upload-sarif steps, want 2 (the lint's and the change rules')", len(uploads))
	}
	change := uploads[1]
	if change.With["category"] != "${{ steps.lint.outputs.change-category }}" || change.With["sarif_file"] != "${{ steps.lint.outputs.change-sarif-file }}" ||
		!change.ContinueOnError || change.Uses != upload.Uses ||
		change.If != strings.Replace(upload.If, "steps.lint.outputs.sarif-file", "steps.lint.outputs.change-sarif-file", 1) {
		t.Errorf("change SARIF upload: its own file and category, otherwise as the lint's upload: %+v", change)
	}
	if byID["base"].Run == "" || byID["plan"].If != "steps.base.outputs.sha != ''" ||
		byID["comment"].If != "inputs.comment == 'true' && steps.plan.outputs.plan-file != ''" {
		t.Errorf("change review steps: base %+v, plan if %q, comment if %q", byID["base"], byID["plan"].If, byID["comment"].If)
	}

	last := steps[len(steps)-1]
	if !strings.HasPrefix(strings.TrimSpace(last.Run), "exit ") || last.Env["TOLLGATE_EXIT_CODE"] != "${{ steps.lint.outputs.exit-code }}" {
		t.Errorf("the last step must exit with tollgate's code: %+v", last)
	}
}

func findStep(t *testing.T, steps []step, match func(step) bool) step {
	t.Helper()
	i := slices.IndexFunc(steps, match)
	if i < 0 {
		t.Fatal("step not found")
	}
	return steps[i]
}

// TestWorkflowsPinned: every third-party action in the workflows and examples is pinned to a
// commit SHA, except tollgate's own action in the examples (users pin it to a release).
func TestWorkflowsPinned(t *testing.T) {
	for _, f := range workflowFiles(t) {
		var doc yaml.Node
		data, _ := os.ReadFile(f)
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		walk(&doc, func(key, value *yaml.Node) {
			if key.Value != "uses" {
				return
			}
			u := value.Value
			if strings.HasPrefix(u, "./") || strings.HasPrefix(u, "tollgate-dev/tollgate@") || pinned.MatchString(u) {
				return
			}
			t.Errorf("%s:%d: %q is not pinned to a full commit SHA", f, value.Line, u)
		})
	}
}

func walk(n *yaml.Node, visit func(key, value *yaml.Node)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			visit(n.Content[i], n.Content[i+1])
		}
	}
	for _, c := range n.Content {
		walk(c, visit)
	}
}

func TestPreCommitHooks(t *testing.T) {
	type hook struct {
		ID              string `yaml:"id"`
		Name            string `yaml:"name"`
		Description     string `yaml:"description"`
		Entry           string `yaml:"entry"`
		Language        string `yaml:"language"`
		LanguageVersion string `yaml:"language_version"`
		PassFilenames   *bool  `yaml:"pass_filenames"`
		RequireSerial   bool   `yaml:"require_serial"`
		Files           string `yaml:"files"`
	}
	var hooks []hook
	readYAML(t, ".pre-commit-hooks.yaml", &hooks)
	want := map[string]string{"tollgate": "golang", "tollgate-system": "system"}
	if len(hooks) != len(want) {
		t.Fatalf("%d hooks, want %d", len(hooks), len(want))
	}
	for _, h := range hooks {
		if want[h.ID] != h.Language {
			t.Errorf("hook %q: language %q", h.ID, h.Language)
		}
		if h.Entry != "tollgate lint" || h.PassFilenames == nil || *h.PassFilenames || !h.RequireSerial {
			t.Errorf("hook %q: entry %q, pass_filenames %v, require_serial %v", h.ID, h.Entry, h.PassFilenames, h.RequireSerial)
		}
		// With language_version set, pre-commit downloads a Go toolchain of its own.
		if h.LanguageVersion != "" {
			t.Errorf("hook %q sets language_version", h.ID)
		}
		if _, err := regexp.Compile(h.Files); err != nil {
			t.Errorf("hook %q: files: %v", h.ID, err)
		}
	}
}
