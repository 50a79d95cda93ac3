package model

import (
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// CI is what the repository's CI configuration provides to the steps that run fleetctl.
type CI struct {
	// Known is false when the repository has no CI configuration tollgate can read; then
	// rules can't tell which variables CI sets and stay silent about missing ones.
	Known bool `json:"known"`
	// Provided lists the environment variable names CI sets, sorted: in a workflow, the env of
	// the workflow and of the jobs that mention fleetctl, gitops or tollgate (every job when
	// none does); GitLab's variables.
	Provided []string `json:"provided"`
	// Workflows lists the files read, sorted.
	Workflows []string `json:"workflows"`
	// Advisory is true when only GitLab CI was found: its variables live in project settings,
	// outside the repository, so missing ones are reported as warnings.
	Advisory bool `json:"advisory"`
	// Steps are the places that hand the repository to fleetctl, each with what it gets: a
	// variable set on one of them and not on another fails the other one.
	Steps []CIStep `json:"steps"`
}

// CIStep is one GitHub Actions step that runs `fleetctl gitops`, `tollgate apply` or the
// template's gitops.sh (or uses an action named for gitops, as the template's workflow does),
// or one GitLab CI job whose script does.
type CIStep struct {
	File      string `json:"file"` // repo-relative
	Line, Col int
	EndCol    int
	Label     string // `step "Apply" of job "fleet-gitops"`, `job "fleet-gitops"`
	// Provided is every variable the step gets: the env of its workflow, job and step, and what
	// earlier steps of its job write to GITHUB_ENV (or export through
	// aws-secretsmanager-get-secrets); GitLab's global and job variables.
	Provided map[string]bool
	// Opaque is true when an env: is an expression tollgate can't read (env: ${{ fromJSON(…) }}):
	// the step may get any variable, so none is reported missing there.
	Opaque   bool
	Advisory bool // a GitLab job: project variables can provide more
}

var (
	githubEnvRe = regexp.MustCompile(`(?m)\b([A-Za-z_][A-Za-z0-9_]*)=.*>>\s*"?\$\{?GITHUB_ENV`)
	secretIDRe  = regexp.MustCompile(`(?m)^\s*([A-Za-z_][A-Za-z0-9_]*)\s*,`)
	// applyRe matches a script that hands the repository to fleetctl.
	applyRe = regexp.MustCompile(`\bfleetctl(?:\.exe)?\s+gitops\b|\btollgate\S*\s+apply\b|\bgitops(?:-fleets)?\.sh\b`)
)

// ReadCI reads GitHub workflows under .github/workflows and .gitlab-ci.yml at the root of fsys
// (the repository, load.Repo.FS).
func ReadCI(fsys fs.FS) CI {
	var ci CI
	provided := map[string]bool{}
	files, _ := fs.Glob(fsys, ".github/workflows/*.y*ml")
	slices.Sort(files)
	for _, f := range files {
		doc := readYAML(fsys, f)
		if doc == nil {
			continue
		}
		ci.Known = true
		ci.Workflows = append(ci.Workflows, f)
		readWorkflow(f, doc, provided, &ci)
	}
	if gl := ".gitlab-ci.yml"; fileExists(fsys, gl) {
		if doc := readYAML(fsys, gl); doc != nil {
			ci.Workflows = append(ci.Workflows, ".gitlab-ci.yml")
			if !ci.Known {
				ci.Known, ci.Advisory = true, true
			}
			github := len(ci.Steps) > 0
			readGitLab(".gitlab-ci.yml", doc, provided, &ci)
			if github {
				// A repository that applies from GitHub Actions and also carries the template's
				// .gitlab-ci.yml (the template ships both) runs only one of them; GitLab's
				// variables live in its project settings anyway. The GitHub steps are checked.
				ci.Steps = slices.DeleteFunc(ci.Steps, func(s CIStep) bool { return s.Advisory })
			}
		}
	}
	for k := range provided {
		ci.Provided = append(ci.Provided, k)
	}
	slices.Sort(ci.Provided)
	return ci
}

// readWorkflow adds a GitHub workflow's variables to provided (see CI.Provided) and its apply
// steps to ci.Steps.
func readWorkflow(file string, doc *yaml.Node, provided map[string]bool, ci *CI) {
	wfEnv, wfOpaque := envOf(get(doc, "env"))
	for k := range wfEnv {
		provided[k] = true
	}
	jobs := get(doc, "jobs")
	var chosen, all []*yaml.Node
	for _, jk := range keys(jobs) {
		job := get(jobs, jk.Value)
		if job == nil || job.Kind != yaml.MappingNode {
			continue
		}
		all = append(all, job)
		if mentionsFleetctl(job) {
			chosen = append(chosen, job)
		}
		readJob(file, jk.Value, job, wfEnv, wfOpaque, ci)
	}
	if len(chosen) == 0 {
		chosen = all
	}
	for _, job := range chosen {
		jobEnv, _ := envOf(get(job, "env"))
		for k := range jobEnv {
			provided[k] = true
		}
		for _, step := range items(get(job, "steps")) {
			stepEnv, _ := envOf(get(step, "env"))
			for k := range stepEnv {
				provided[k] = true
			}
			for k := range exported(step) {
				provided[k] = true
			}
		}
	}
}

// readJob adds the job's apply steps, each with the variables it gets.
func readJob(file, jobID string, job *yaml.Node, wfEnv map[string]bool, wfOpaque bool, ci *CI) {
	jobEnv, jobOpaque := envOf(get(job, "env"))
	earlier := map[string]bool{} // written to GITHUB_ENV by earlier steps of the job
	for i, step := range items(get(job, "steps")) {
		if step.Kind != yaml.MappingNode {
			continue
		}
		stepEnv, stepOpaque := envOf(get(step, "env"))
		if applyRe.MatchString(scalar(get(step, "run"))) || strings.Contains(strings.ToLower(scalar(get(step, "uses"))), "gitops") {
			got := map[string]bool{}
			for _, m := range []map[string]bool{wfEnv, jobEnv, earlier, stepEnv} {
				for k := range m {
					got[k] = true
				}
			}
			label := "step " + strconv.Itoa(i+1)
			if n := scalar(get(step, "name")); n != "" {
				label = "step " + strconv.Quote(n)
			}
			ci.Steps = append(ci.Steps, ciStep(file, label+" of job "+strconv.Quote(jobID), step, got, wfOpaque || jobOpaque || stepOpaque, false))
		}
		for k := range exported(step) {
			earlier[k] = true
		}
	}
}

// readGitLab adds GitLab's variables to provided and the jobs that apply to ci.Steps.
func readGitLab(file string, doc *yaml.Node, provided map[string]bool, ci *CI) {
	global, globalOpaque := envOf(get(doc, "variables"))
	for k := range global {
		provided[k] = true
	}
	for _, jk := range keys(doc) {
		job := get(doc, jk.Value)
		if job == nil || job.Kind != yaml.MappingNode {
			continue
		}
		vars, opaque := envOf(get(job, "variables"))
		for k := range vars {
			provided[k] = true
		}
		applies := false
		for _, key := range []string{"before_script", "script"} {
			s := get(job, key)
			for _, line := range append(items(s), s) {
				if applyRe.MatchString(scalar(line)) {
					applies = true
				}
			}
		}
		if !applies {
			continue
		}
		got := map[string]bool{}
		for _, m := range []map[string]bool{global, vars} {
			for k := range m {
				got[k] = true
			}
		}
		ci.Steps = append(ci.Steps, ciStep(file, "job "+strconv.Quote(jk.Value), jk, got, globalOpaque || opaque, true))
	}
}

func ciStep(file, label string, at *yaml.Node, got map[string]bool, opaque, advisory bool) CIStep {
	line, col, end := at.Line, at.Column, at.Column+1
	if at.Kind == yaml.MappingNode && len(at.Content) > 0 {
		line, col = at.Content[0].Line, at.Content[0].Column // `- name: …`: the step's first key
		end = col + utf8.RuneCountInString(at.Content[0].Value)
	} else if at.Kind == yaml.ScalarNode {
		end = col + utf8.RuneCountInString(at.Value)
	}
	return CIStep{File: file, Line: line, Col: col, EndCol: end, Label: label, Provided: got, Opaque: opaque, Advisory: advisory}
}

// exported is what a step makes available to the later steps of its job.
func exported(step *yaml.Node) map[string]bool {
	out := map[string]bool{}
	for _, m := range githubEnvRe.FindAllStringSubmatch(scalar(get(step, "run")), -1) {
		out[m[1]] = true
	}
	// aws-actions/aws-secretsmanager-get-secrets: "ALIAS, secret-id" lines.
	for _, m := range secretIDRe.FindAllStringSubmatch(scalar(get(get(step, "with"), "secret-ids")), -1) {
		out[m[1]] = true
	}
	return out
}

// mentionsFleetctl is CI.Provided's job-level guess that a job applies the configuration (the
// per-step account is CI.Steps): a step whose run or uses mentions fleetctl, gitops or tollgate.
func mentionsFleetctl(job *yaml.Node) bool {
	for _, step := range items(get(job, "steps")) {
		for _, k := range []string{"run", "uses"} {
			if v := scalar(get(step, k)); strings.Contains(v, "fleetctl") || strings.Contains(v, "gitops") || strings.Contains(v, "tollgate") {
				return true
			}
		}
	}
	return false
}

// envOf is the names an env: or variables: mapping sets; opaque when it is something else
// than a mapping (an expression).
func envOf(n *yaml.Node) (names map[string]bool, opaque bool) {
	names = map[string]bool{}
	if n == nil {
		return names, false
	}
	if n.Kind != yaml.MappingNode {
		return names, !(n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == ""))
	}
	for _, k := range keys(n) {
		names[k.Value] = true
	}
	return names, false
}

// get is the value of key in mapping n (aliases followed), or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// keys are the key nodes of mapping n, in order.
func keys(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i])
	}
	return out
}

// items are the elements of sequence n (aliases followed).
func items(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

func scalar(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func deref(n *yaml.Node) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode && depth < 16; depth++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return deref(n.Content[0])
	}
	return n
}

// readYAML parses a CI file under tollgate's limits; nil when it can't be read.
func readYAML(fsys fs.FS, name string) *yaml.Node {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil
	}
	node, _ := yamlsrc.Parse(data, yamlsrc.DefaultLimits)
	if node = deref(node); node == nil || node.Kind != yaml.MappingNode {
		return nil
	}
	return node
}

func fileExists(fsys fs.FS, name string) bool {
	fi, err := fs.Stat(fsys, name)
	return err == nil && fi.Mode().IsRegular()
}

// ciSteps is input.repo.ci.steps: provided as a set ({"NAME": true}), so a rule looks a name
// up instead of scanning a list.
func ciSteps(steps []CIStep) []any {
	out := make([]any, 0, len(steps))
	for _, s := range steps {
		provided := make(map[string]any, len(s.Provided))
		for k := range s.Provided {
			provided[k] = true
		}
		out = append(out, map[string]any{
			"file": s.File, "line": s.Line, "col": s.Col, "end_col": s.EndCol, "label": s.Label,
			"provided": provided, "opaque": s.Opaque, "advisory": s.Advisory,
		})
	}
	return out
}
