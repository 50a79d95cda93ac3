package model

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// CI is what the repository's CI configuration provides to the step that runs fleetctl.
type CI struct {
	// Known is false when the repository has no CI configuration tollgate can read; then
	// rules can't tell which variables CI sets and stay silent about missing ones.
	Known bool `json:"known"`
	// Provided lists the environment variable names CI sets, sorted.
	Provided []string `json:"provided"`
	// Workflows lists the files read, sorted.
	Workflows []string `json:"workflows"`
	// Advisory is true when only GitLab CI was found: its variables live in project settings,
	// outside the repository, so missing ones are reported as warnings.
	Advisory bool `json:"advisory"`
}

var (
	githubEnvRe = regexp.MustCompile(`(?m)\b([A-Za-z_][A-Za-z0-9_]*)=.*>>\s*"?\$\{?GITHUB_ENV`)
	secretIDRe  = regexp.MustCompile(`(?m)^\s*([A-Za-z_][A-Za-z0-9_]*)\s*,`)
)

// ReadCI reads GitHub workflows under .github/workflows and .gitlab-ci.yml at the root of fsys
// (the repository). In a workflow it keeps the env of the workflow and of the jobs that run
// fleetctl (a step whose run or uses mentions fleetctl or gitops), or of every job when none does.
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
		envKeys(doc["env"], provided)
		jobs, _ := doc["jobs"].(map[string]any)
		var chosen []map[string]any
		var all []map[string]any
		for _, name := range sortedKeys(jobs) {
			job, _ := jobs[name].(map[string]any)
			if job == nil {
				continue
			}
			all = append(all, job)
			if runsFleetctl(job) {
				chosen = append(chosen, job)
			}
		}
		if len(chosen) == 0 {
			chosen = all
		}
		for _, job := range chosen {
			envKeys(job["env"], provided)
			steps, _ := job["steps"].([]any)
			for _, s := range steps {
				step, _ := s.(map[string]any)
				envKeys(step["env"], provided)
				if run, ok := step["run"].(string); ok {
					for _, m := range githubEnvRe.FindAllStringSubmatch(run, -1) {
						provided[m[1]] = true
					}
				}
				if with, ok := step["with"].(map[string]any); ok {
					// aws-actions/aws-secretsmanager-get-secrets: "ALIAS, secret-id" lines.
					if ids, ok := with["secret-ids"].(string); ok {
						for _, m := range secretIDRe.FindAllStringSubmatch(ids, -1) {
							provided[m[1]] = true
						}
					}
				}
			}
		}
	}
	if gl := ".gitlab-ci.yml"; fileExists(fsys, gl) {
		if doc := readYAML(fsys, gl); doc != nil {
			ci.Workflows = append(ci.Workflows, ".gitlab-ci.yml")
			if !ci.Known {
				ci.Known, ci.Advisory = true, true
			}
			envKeys(doc["variables"], provided)
			for _, k := range sortedKeys(doc) {
				if job, ok := doc[k].(map[string]any); ok {
					envKeys(job["variables"], provided)
				}
			}
		}
	}
	for k := range provided {
		ci.Provided = append(ci.Provided, k)
	}
	slices.Sort(ci.Provided)
	return ci
}

func runsFleetctl(job map[string]any) bool {
	steps, _ := job["steps"].([]any)
	for _, s := range steps {
		step, _ := s.(map[string]any)
		for _, k := range []string{"run", "uses"} {
			if v, ok := step[k].(string); ok && (strings.Contains(v, "fleetctl") || strings.Contains(v, "gitops") || strings.Contains(v, "tollgate")) {
				return true
			}
		}
	}
	return false
}

func envKeys(v any, into map[string]bool) {
	m, _ := v.(map[string]any)
	for k := range m {
		into[k] = true
	}
}

func readYAML(fsys fs.FS, name string) map[string]any {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil
	}
	node, _ := yamlsrc.Parse(data, yamlsrc.DefaultLimits)
	if node == nil {
		return nil
	}
	v, err := yamlsrc.ToAny(node, yamlsrc.DefaultLimits.MaxNodes)
	if err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func fileExists(fsys fs.FS, name string) bool {
	fi, err := fs.Stat(fsys, name)
	return err == nil && fi.Mode().IsRegular()
}
