package model

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func provided(s CIStep) []string {
	var out []string
	for k := range s.Provided {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestReadCISteps: each step that runs fleetctl with what it gets, where it is.
func TestReadCISteps(t *testing.T) {
	root := writeFiles(t, map[string]string{
		".github/workflows/apply.yml": `on: push
env: {WF: x}
jobs:
  lint:
    steps:
      - uses: tollgate-dev/tollgate@v0.1.0
  apply:
    env: &shared
      JOB: x
    steps:
      - run: echo "LATER=$(cat f)" >> "$GITHUB_ENV"
      - name: Plan
        run: fleetctl gitops -f default.yml --dry-run
        env: {STEP: x}
      - name: Apply
        uses: ./.github/gitops-action
      - name: Opaque
        run: tollgate apply
        env: ${{ fromJSON(vars.ENV) }}
      - run: echo "TOO_LATE=1" >> "$GITHUB_ENV"
`,
		".gitlab-ci.yml": "apply:\n  script: [./gitops.sh]\n",
	})
	ci := ReadCI(os.DirFS(root))
	if !ci.Known || ci.Advisory {
		t.Fatalf("known %v advisory %v", ci.Known, ci.Advisory)
	}
	type want struct {
		label     string
		line, col int
		provided  []string
		opaque    bool
	}
	wants := []want{
		{`step "Plan" of job "apply"`, 12, 9, []string{"JOB", "LATER", "STEP", "WF"}, false},
		{`step "Apply" of job "apply"`, 15, 9, []string{"JOB", "LATER", "WF"}, false},
		{`step "Opaque" of job "apply"`, 17, 9, []string{"JOB", "LATER", "WF"}, true},
	}
	// The GitLab job is left out: GitHub applies here (the template ships both files).
	if len(ci.Steps) != len(wants) {
		t.Fatalf("%d steps, want %d: %+v", len(ci.Steps), len(wants), ci.Steps)
	}
	for i, w := range wants {
		s := ci.Steps[i]
		if s.Label != w.label || s.Line != w.line || s.Col != w.col || s.File != ".github/workflows/apply.yml" ||
			!slices.Equal(provided(s), w.provided) || s.Opaque != w.opaque || s.Advisory {
			t.Errorf("step %d: %+v (provided %v), want %+v", i, s, provided(s), w)
		}
	}

	gl := ReadCI(os.DirFS(writeFiles(t, map[string]string{".gitlab-ci.yml": `variables: {G: x}
plan:
  variables: {P: x}
  script:
    - fleetctl gitops -f default.yml --dry-run
apply:
  script: tollgate apply
other:
  script: [echo hi]
`})))
	if !gl.Advisory || len(gl.Steps) != 2 || gl.Steps[0].Label != `job "plan"` || gl.Steps[1].Label != `job "apply"` ||
		gl.Steps[1].Line != 6 || !slices.Equal(provided(gl.Steps[0]), []string{"G", "P"}) || !gl.Steps[1].Advisory {
		t.Errorf("GitLab jobs: %+v", gl.Steps)
	}
}
