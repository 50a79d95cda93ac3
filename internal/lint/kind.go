package lint

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/diff"
	"github.com/tollgate-dev/tollgate/internal/kubelint"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/policy"
)

// Repository kinds (--kind): discovery decides per run, the flag overrides it.
const (
	KindAuto       = ""
	KindFleet      = "fleet"
	KindKubernetes = "kubernetes"
)

// KubeOptions are the Kubernetes kind's settings of a run (command line; .tollgate.yaml adds
// its kubernetes and conftest sections).
type KubeOptions struct {
	Render bool // --render
	// Namespaces, AllNamespaces, Combine and Data are conftest's flags; Data paths are
	// relative to the working directory.
	Namespaces    []string
	AllNamespaces bool
	Combine       bool
	Data          []string
}

// kinds is which kinds of repository a run checks, and the directory of the Kubernetes one.
type kinds struct {
	fleet, kube bool
	dir         string // absolute
}

// planKinds decides the kinds: entry files are Fleet's; a directory is Fleet when it has
// Fleet's entry files and Kubernetes when it has manifests (found while loading: an empty
// result drops the kind), both when it has both.
func planKinds(opts Options) (kinds, error) {
	switch opts.Kind {
	case KindAuto, KindFleet, KindKubernetes:
	default:
		return kinds{}, usage("--kind %q: want fleet or kubernetes", opts.Kind)
	}
	dir := "."
	if len(opts.Targets) > 0 {
		dir = opts.Targets[0]
	}
	fi, err := os.Stat(dir)
	isDir := err == nil && fi.IsDir() && len(opts.Targets) <= 1
	if opts.Kind == KindFleet || !isDir {
		if opts.Kind == KindKubernetes {
			return kinds{}, usage("--kind kubernetes takes one directory, not files")
		}
		return kinds{fleet: true}, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return kinds{}, usage("%v", err)
	}
	k := kinds{kube: true, dir: abs}
	if opts.Kind == KindAuto {
		_, err := load.Discover(dir)
		k.fleet = err == nil
	}
	return k, nil
}

// kubeRun is the Kubernetes kind's part of a run.
type kubeRun struct {
	res  *kubelint.Result
	sups []*suppression
}

// runKube checks the Kubernetes manifests of k.dir. Files the Fleet kind read (fleet, when it
// ran) are left to it. ok is false when the directory holds no manifest.
func runKube(ctx context.Context, opts Options, cfg *config.Config, cat *catalog.Catalog, k kinds, root string, fleet *load.Repo, budget *memoryBudget) (run *kubeRun, ok bool, err error) {
	// The rules compile only when the directory holds manifests; an error of theirs is
	// returned as kubePolicy gives it (a usage error or an internal one).
	var policyErr error
	compile := func() (*policy.Engine, error) {
		eng, err := kubePolicy(ctx, opts, cfg, cat)
		policyErr = err
		return eng, err
	}
	rel, err := filepath.Rel(root, k.dir)
	if err != nil {
		return nil, false, usage("%v", err)
	}
	ko := kubelint.Options{Root: root, Dir: filepath.ToSlash(rel), SchemaDirs: append(cfg.AbsAll(cfg.Schemas), opts.SchemaDirs...),
		Policy: compile, Render: opts.Kube.Render || cfg.Kubernetes.Render, SkipSchema: opts.SkipSchema,
		Workers: workerCount(opts), Now: opts.Now, Conftest: conftestOptions(opts, cfg)}
	if budget != nil {
		ko.Progress = budget.update
	}
	if fleet != nil {
		ko.Exclude = func(name string) bool { return fleet.File(name) != nil }
	}
	res, err := kubelint.Run(ctx, ko)
	if policyErr != nil {
		return nil, false, policyErr
	}
	if errors.Is(err, kubelint.ErrNoManifests) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, usage("%v", err)
	}
	for _, r := range res.Rules {
		if _, known := cat.Get(r.ID); !known {
			if err := cat.Add(r); err != nil {
				return nil, false, err
			}
		}
	}
	run = &kubeRun{res: res}
	for _, f := range res.Repo.Files {
		lines := f.Lines()
		run.sups = append(run.sups, findSuppressions(f.Path, lines.Line, lines.Count())...)
	}
	return run, true, nil
}

// kubePolicy compiles the Kubernetes kind's rules (and the user's), with the same parameters,
// sandbox and limits as the Fleet kind's. With --checks schema only the rules that cannot be
// suppressed run (their findings mask secret values everywhere else).
func kubePolicy(ctx context.Context, opts Options, cfg *config.Config, cat *catalog.Catalog) (*policy.Engine, error) {
	po := policy.Options{Kind: policy.KindKubernetes, UserDirs: append(cfg.AbsAll(cfg.Policies), opts.PolicyDirs...),
		Params: cfg.RuleParams, Enabled: cfg.RuleEnabled, Now: opts.Now,
		Sandbox: policy.Sandbox{File: opts.Capabilities, AllowBuiltins: cfg.Capabilities.AllowBuiltins, AllowNet: cfg.Capabilities.AllowNet}}
	if opts.LimitMemory {
		po.MaxMemory = policy.DefaultMaxMemory
	}
	if opts.SkipPolicy {
		po.UserDirs = nil
		po.Enabled = func(id string) bool {
			r, ok := cat.Get(id)
			return ok && r.NotSuppressible && r.Source == "bundled"
		}
	}
	eng, err := policy.New(ctx, po)
	if err != nil {
		return nil, usage("%v", err)
	}
	return eng, nil
}

// conftestOptions merges conftest's flags from the command line and .tollgate.yaml (the
// command line's namespaces replace the file's; the data paths add up).
func conftestOptions(opts Options, cfg *config.Config) *kubelint.ConftestOptions {
	if opts.SkipPolicy {
		return nil
	}
	c := cfg.Conftest
	co := &kubelint.ConftestOptions{PolicyDirs: append(cfg.AbsAll(cfg.Policies), opts.PolicyDirs...),
		Namespaces: c.Namespaces, AllNamespaces: c.AllNamespaces || opts.Kube.AllNamespaces, Combine: c.Combine || opts.Kube.Combine,
		Data:    append(cfg.AbsAll(c.Data), opts.Kube.Data...),
		Sandbox: policy.Sandbox{File: opts.Capabilities, AllowBuiltins: cfg.Capabilities.AllowBuiltins, AllowNet: cfg.Capabilities.AllowNet}}
	if len(opts.Kube.Namespaces) > 0 {
		co.Namespaces = opts.Kube.Namespaces
	}
	if len(co.PolicyDirs) == 0 {
		return nil
	}
	return co
}

// kubeOnly runs a repository that is Kubernetes only: the rules' catalog from METADATA (no
// Fleet rule is compiled), the configuration checked against it, then the kind's checks.
func kubeOnly(ctx context.Context, opts Options, k kinds) (*Result, error) {
	root := config.FindRoot(k.dir)
	cfg, err := loadConfig(opts.ConfigPath, []string{filepath.Join(k.dir, "kustomization.yaml")}, root)
	if err != nil {
		return nil, err
	}
	if opts.NewOnly || opts.Baseline != nil || opts.WriteBaseline {
		return nil, usage("--new-only, --baseline and --write-baseline check Fleet repositories only; %s holds Kubernetes manifests", k.dir)
	}
	cat, err := policy.Catalog(append(cfg.AbsAll(cfg.Policies), opts.PolicyDirs...))
	if err != nil {
		return nil, usage("%v", err)
	}
	res := &Result{Config: cfg, Catalog: cat}
	if err := cfg.CheckRules(ruleInfo(res.Catalog)); err != nil {
		return nil, usage("%v", err)
	}
	var budget *memoryBudget
	if opts.LimitMemory {
		budget = startMemoryBudget()
		res.release = budget.stop
	}
	run, ok, err := runKube(ctx, opts, cfg, res.Catalog, k, root, nil, budget)
	if err != nil {
		res.Release()
		return nil, err
	}
	if !ok && opts.Kind == KindAuto {
		_, fleetErr := load.Discover(k.dir)
		return nil, usage("%v; no Kubernetes manifests there either (YAML or JSON files of apiVersion/kind documents, kustomization.yaml)", fleetErr)
	}
	if !ok {
		return nil, usage("no Kubernetes manifests in %s: expected YAML or JSON files of apiVersion/kind documents, or kustomization.yaml", k.dir)
	}
	res.Kube = run.res.Repo
	if opts.Base != "" {
		if res.Change, err = kubeChange(ctx, opts, root, k, nil); err != nil {
			return nil, err
		}
	}
	fs := run.res.Findings
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	expireSuppressions(run.sups, now)
	secrets := secretValues(fs, res.Catalog, res.Source)
	res.Findings = secrets.Findings(postProcess(fs, run.sups, nil, cfg, res.Catalog))
	return res, nil
}

// Source is the text of a repository-relative file of either kind (nil when the run did not
// read it): for snippets and redaction.
func (r *Result) Source(file string) []byte {
	if r.Repo != nil {
		if f := r.Repo.File(file); f != nil {
			return f.Content()
		}
	}
	if f := r.Kube.File(file); f != nil {
		return f.Data
	}
	return nil
}

// FileCount is how many files the run read, of both kinds.
func (r *Result) FileCount() int {
	n := 0
	if r.Repo != nil {
		n += len(r.Repo.Files())
	}
	if r.Kube != nil {
		n += len(r.Kube.Files)
	}
	return n
}

// kubeChange adds the Kubernetes objects' changes from opts.Base to the plan of a review
// (lint --base), or makes the plan when there is none (a repository of manifests only).
func kubeChange(ctx context.Context, opts Options, root string, k kinds, plan *diff.Result) (*diff.Result, error) {
	rel, err := filepath.Rel(root, k.dir)
	if err != nil {
		return nil, usage("%v", err)
	}
	changes, base, head, err := kubelint.Diff(ctx, kubelint.DiffOptions{Root: root, Dir: filepath.ToSlash(rel), Base: opts.Base, Head: opts.Head})
	if err != nil {
		return nil, usage("--base: %v", err)
	}
	if plan == nil {
		return &diff.Result{Changes: changes, Base: base, Head: head}, nil
	}
	plan.Changes = append(plan.Changes, changes...)
	plan.Base.Problems = append(plan.Base.Problems, base.Problems...)
	plan.Head.Problems = append(plan.Head.Problems, head.Problems...)
	diff.Sort(plan.Changes)
	return plan, nil
}

// ReviewKubernetes adds to plan (`tollgate diff`'s) the changes of the Kubernetes objects
// under dir from base to head ("" for the working tree); plan is returned as it is when dir
// holds no manifest on either side.
func ReviewKubernetes(ctx context.Context, dir, base, head string, plan *diff.Result) (*diff.Result, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root := config.FindRoot(abs)
	if r, err := filepath.EvalSymlinks(root); err == nil {
		if a, err := filepath.EvalSymlinks(abs); err == nil {
			root, abs = r, a
		}
	}
	return kubeChange(ctx, Options{Base: base, Head: head}, root, kinds{kube: true, dir: abs}, plan)
}
