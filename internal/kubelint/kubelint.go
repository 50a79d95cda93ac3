// Package kubelint is the Kubernetes kind's part of the lint pipeline: it loads a repository
// of manifests (internal/kube), checks their structure (internal/kubeschema), evaluates the
// kind's Rego rules through the shared policy engine, runs plain conftest policies as conftest
// does (internal/conftest), and, with Render, builds each Kustomize overlay and checks what it
// renders. It returns findings located in the repository's files; internal/lint post-processes
// and reports them with the Fleet kind's.
package kubelint

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/kube"
	"github.com/tollgate-dev/tollgate/internal/kubeschema"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/policy"
)

// Options describe one run of the Kubernetes kind.
type Options struct {
	Source load.Source // nil: the working tree at Root
	Root   string      // repository root, absolute
	Dir    string      // the directory checked, an io/fs name under Root ("." for all)
	// Exclude names files the Fleet kind of the same run reads.
	Exclude    func(name string) bool
	SchemaDirs []string
	// Policy builds the engine of the kind's rules (Kind policy.KindKubernetes); it is called
	// only once the directory is known to hold manifests, so a Fleet-only run compiles no
	// Kubernetes rule. nil skips the rules.
	Policy func() (*policy.Engine, error)
	// Conftest configures plain conftest policies; nil (or no policy) skips them.
	Conftest *ConftestOptions
	// Render builds each Kustomize overlay and checks the resources it renders too.
	Render                 bool
	SkipSchema, SkipPolicy bool
	Workers                int
	Now                    time.Time
	// Progress, when set, is called as the live heap grows (after each file read, each batch
	// of rules): the CLI paces its collector by memory (internal/lint's memoryBudget).
	Progress func()
}

// Result is what the kind found.
type Result struct {
	Repo     *kube.Repo
	Findings []finding.Finding
	// Rules are catalog entries for rule IDs the findings use that no engine listed (the
	// conftest rules, named by namespace and rule).
	Rules []catalog.Rule
}

// ErrNoManifests: the directory holds no Kubernetes manifest.
var ErrNoManifests = kube.ErrNoManifests

// Run checks the Kubernetes manifests under opts.Dir.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	repo, err := kube.Load(kube.Options{Source: opts.Source, Root: opts.Root, Dir: opts.Dir, Exclude: opts.Exclude,
		Workers: opts.Workers, Progress: opts.Progress})
	if err != nil {
		if errors.Is(err, kube.ErrNoManifests) {
			return &Result{Repo: repo}, err
		}
		return nil, err
	}
	res := &Result{Repo: repo, Findings: repo.Problems}
	var rendered []*kube.Doc
	if opts.Render {
		var fs []finding.Finding
		rendered, fs = render(repo, opts)
		res.Findings = append(res.Findings, fs...)
	}
	if !opts.SkipSchema {
		v, err := kubeschema.New(opts.SchemaDirs)
		if err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
		res.Findings = append(res.Findings, repo.Structure(v, opts.Workers)...)
	}
	if !opts.SkipPolicy && opts.Policy != nil {
		eng, err := opts.Policy()
		if err != nil {
			return nil, err
		}
		fs, err := evalRules(ctx, eng, repo, repo.Docs, opts.Workers, opts.Progress)
		if err != nil {
			return nil, err
		}
		res.Findings = append(res.Findings, fs...)
		if len(rendered) > 0 {
			rfs, err := evalRules(ctx, eng, repo, rendered, opts.Workers, opts.Progress)
			if err != nil {
				return nil, err
			}
			res.Findings = append(res.Findings, renderedOnly(rfs, fs)...)
		}
	}
	if !opts.SkipPolicy && opts.Conftest != nil {
		fs, rules, err := runConftest(ctx, repo, *opts.Conftest, opts)
		if err != nil {
			return nil, err
		}
		res.Findings = append(res.Findings, fs...)
		res.Rules = append(res.Rules, rules...)
	}
	finding.Sort(res.Findings)
	return res, nil
}

// renderedOnly keeps the findings on rendered resources that the source documents do not
// already have (the same rule at the same place): what an overlay's patches, images or
// namespace change, not every finding of its bases once more per overlay.
func renderedOnly(rendered, source []finding.Finding) []finding.Finding {
	type key struct {
		rule, file string
		line, col  int
	}
	seen := map[key]bool{}
	for _, f := range source {
		seen[key{f.RuleID, f.Location.File, f.Location.Start.Line, f.Location.Start.Column}] = true
	}
	var out []finding.Finding
	for _, f := range rendered {
		if !seen[key{f.RuleID, f.Location.File, f.Location.Start.Line, f.Location.Start.Column}] {
			out = append(out, f)
		}
	}
	return out
}
