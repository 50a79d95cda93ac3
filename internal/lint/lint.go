// Package lint runs tollgate's pipeline: discover and load the repository, check its structure
// (CUE) and policy (Rego), then pass the findings through configuration, suppressions, dedupe
// and sort. The CLI and `tollgate apply` both call Run.
package lint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/tollgate-dev/tollgate/internal/baseline"
	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/diff"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/gitsrc"
	"github.com/tollgate-dev/tollgate/internal/kube"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/oscatalog"
	"github.com/tollgate-dev/tollgate/internal/prof"
	"github.com/tollgate-dev/tollgate/internal/redact"
)

// Options describe one run.
type Options struct {
	Targets    []string // a directory, or entry files; empty means "."
	ConfigPath string   // --config; "" means search upward from the target
	SchemaDirs []string // --schema (added to the configuration's)
	PolicyDirs []string // --policy (added to the configuration's)
	OSCatalog  string   // --os-catalog
	// FleetVersion is --fleet-version: the Fleet release to check against ("" means the
	// configuration's fleet_version, else the newest release the schemas follow).
	FleetVersion string
	Now          time.Time
	Workers      int
	// SkipSchema and SkipPolicy turn a stage off (`--checks`): loading always runs.
	SkipSchema, SkipPolicy bool
	// Base, when set, reviews the change from that revision to Head ("" the working tree):
	// the plan (diff.Run) is in Result.Change and in the policies' input.change, where the
	// bundled change rules read it.
	Base, Head string
	// LimitMemory sets a soft memory limit sized to the repository (see memoryBudget): for a
	// process that runs one lint, not for a library caller. It stays in force until
	// Result.Release, so the caller's report is paced by it too.
	LimitMemory bool

	// Capabilities is an OPA capabilities file (--capabilities) widening what policies may use.
	Capabilities string

	// NewOnly, with Base, reports only the findings the base commit does not have: the base
	// is linted too, and findings are matched by fingerprint (identity.go), not by line.
	NewOnly bool
	// Baseline, when set, hides the findings it lists (--baseline FILE).
	Baseline *baseline.File
	// WriteBaseline records the run's findings in Result.Baseline, and then hides them as
	// Baseline would (--write-baseline FILE: adopting the gate leaves a clean run).
	WriteBaseline bool

	// source is what the repository is read from (nil: the working tree); the base's lint of
	// NewOnly reads a commit.
	source load.Source

	// Profile, when set, accounts the time and allocations of each stage and rule (lint
	// --profile); the checks then run on one worker, so each stage's allocations are its own.
	Profile *prof.Profile

	// Kind is --kind: KindFleet or KindKubernetes; KindAuto checks what the directory holds
	// (kind.go). Kube holds the Kubernetes kind's settings.
	Kind string
	Kube KubeOptions
}

// Result is what a run found.
type Result struct {
	// Repo is the repository checked: its entries (documents let go), files and environment
	// references (of the teams', the first to each variable: see load.FirstEnvRefs); of its
	// Refs only those the run read at the end (see laterRefs).
	Repo     *load.Repo // nil when the run checked no Fleet repository
	Kube     *kube.Repo // nil when it checked no Kubernetes manifests
	Config   *config.Config
	Catalog  *catalog.Catalog
	Findings []finding.Finding
	Change   *diff.Result // lint --base: what the change does; nil otherwise
	// Prints is what the policies printed with print(), bounded, for standard error (never
	// for the report).
	Prints []string
	// OSCatalog is the OS version catalog the rules used (nil with --checks schema).
	OSCatalog *oscatalog.Catalog
	// Baseline is the baseline of the run's findings (Options.WriteBaseline).
	Baseline *baseline.File
	// Notes are what the run tells its user on standard error: findings a baseline or
	// --new-only left out, acknowledgements a shallow clone may be missing.
	Notes []string

	release func()
}

// Release gives the collector back its usual pacing after a run with LimitMemory; the
// budget otherwise stays through the report (with GOGC's pacing back, a report of findings
// in included files doubled the heap of a 1,000-team run at its very end).
func (r *Result) Release() {
	if r != nil && r.release != nil {
		r.release()
		r.release = nil
	}
}

// UsageError is a problem with the command line or configuration (exit code 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usage(format string, args ...any) error { return &UsageError{fmt.Errorf(format, args...)} }

// Run lints the targets.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.NewOnly && opts.Base == "" {
		return nil, usage("--new-only needs --base: the revision whose findings are not new")
	}
	k, err := planKinds(opts)
	if err != nil {
		return nil, err
	}
	if !k.fleet {
		return kubeOnly(ctx, opts, k)
	}
	entries, root, err := resolveTargets(opts.Targets)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(opts.ConfigPath, entries, root)
	if err != nil {
		return nil, err
	}
	res := &Result{Config: cfg, Catalog: catalog.New()}
	setup := opts.Profile.Mark()
	// Compiling the schemas and rules and reading the repository's entries need nothing from
	// each other: done at once, the compilation costs no wall time on a large repository.
	type built struct {
		st  *stages
		err error
	}
	compiled := make(chan built, 1)
	go func() {
		st, err := newStages(ctx, opts, cfg, res.Catalog)
		compiled <- built{st, err}
	}()
	planned := make(chan error, 1)
	if opts.Base != "" {
		go func() {
			var err error
			res.Change, err = diff.Run(ctx, diff.Options{Dir: reviewDir(opts.Targets, root), Base: opts.Base, Head: opts.Head})
			planned <- err
		}()
	} else {
		planned <- nil
	}
	var acks *gitsrc.Range
	acked := make(chan error, 1)
	if opts.Base != "" {
		go func() {
			var err error
			acks, err = gitsrc.Trailers(ctx, root, opts.Base, opts.Head, AckTrailer)
			acked <- err
		}()
	} else {
		acked <- nil
	}
	o, openErr := openRepo(nil, root, entries, workerCount(opts), nil)
	b := <-compiled
	planErr := <-planned
	ackErr := <-acked
	if b.err != nil {
		return nil, b.err
	}
	if openErr != nil {
		return nil, openErr
	}
	if planErr != nil {
		return nil, usage("--base: %v", planErr)
	}
	if ackErr != nil {
		return nil, usage("--base: reading the acknowledgements of the reviewed commits: %v", ackErr)
	}
	if acks != nil && acks.Incomplete {
		res.Notes = append(res.Notes, fmt.Sprintf("tollgate: the clone is shallow and ends inside %s..%s: %s trailers of the commits it lacks are not read; fetch them (actions/checkout fetch-depth: 0)",
			opts.Base, cmp.Or(opts.Head, "HEAD"), AckTrailer))
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	// The base first: its findings are kept as fingerprints only, and its memory is free
	// before the head's run sets its budget.
	var baseFound map[string]int
	var baseName string
	if opts.NewOnly {
		if baseFound, baseName, err = baseKnown(ctx, b.st, root, opts.Targets, entries, res.Catalog, now); err != nil {
			if _, missing := diff.IsMissingCommit(err); missing {
				return nil, usage("--new-only: %v", err)
			}
			return nil, fmt.Errorf("--new-only: linting the base: %w", err)
		}
	}
	if res.Change != nil {
		if b.st.change, err = res.Change.Input(); err != nil {
			return nil, err
		}
	}
	opts.Profile.Stage("setup: compile, open, prescan", setup)
	repo, fs, sups, err := b.st.check(ctx, root, entries, o, true)
	if err != nil {
		return nil, err
	}
	res.Repo = repo
	res.release = b.st.budget.stop
	if k.kube {
		run, ok, err := runKube(ctx, opts, cfg, res.Catalog, k, root, repo, b.st.budget)
		if err != nil {
			return nil, err
		}
		if ok {
			res.Kube, fs, sups = run.res.Repo, append(fs, run.res.Findings...), append(sups, run.sups...)
			if res.Change != nil {
				if res.Change, err = kubeChange(ctx, opts, root, k, res.Change); err != nil {
					return nil, err
				}
			}
		}
	}
	post := opts.Profile.Mark()
	res.Findings = finish(fs, sups, repo, cfg, res.Catalog, now, res.Source)
	res.leaveOutKnown(opts, baseFound, baseName)
	res.Findings = acknowledge(res.Findings, acks, res.Catalog)
	finding.Sort(res.Findings)
	opts.Profile.Stage("post-process", post)
	res.OSCatalog = b.st.osCatalog
	if !opts.SkipPolicy {
		// After postProcess: the notes that the capabilities were widened can't be configured away.
		res.Findings = append(res.Findings, wideningNotes(b.st.policy, cfg, opts.Capabilities, root)...)
		finding.Sort(res.Findings)
		res.Prints = b.st.policy.PrintOutput()
	}
	return res, nil
}

// finish post-processes one checked repository's findings: suppressions (expired ones as of
// now are findings instead), configuration, dedupe, sort, and secret values masked.
func finish(fs []finding.Finding, sups []*suppression, repo *load.Repo, cfg *config.Config, cat *catalog.Catalog, now time.Time, source func(file string) []byte) []finding.Finding {
	expireSuppressions(sups, now)
	secrets := secretValues(fs, cat, source)
	return secrets.Findings(postProcess(fs, sups, includeSites(repo, fs, sups), cfg, cat))
}

// leaveOutKnown hides the findings the base has (--new-only) and those of the baseline, recorded
// first with WriteBaseline, and says how many on standard error.
func (res *Result) leaveOutKnown(opts Options, base map[string]int, baseName string) {
	var n int
	if base != nil {
		res.Findings, n = dropKnown(res.Findings, contentOf(res.Repo), res.Catalog, base)
		res.Notes = append(res.Notes, fmt.Sprintf("tollgate: --new-only: %s left out, which %s has too", count(n, "finding"), baseName))
	}
	b := opts.Baseline
	if opts.WriteBaseline {
		res.Baseline = baselineOf(res.Findings, contentOf(res.Repo), res.Catalog)
		b = res.Baseline
	}
	if b == nil {
		return
	}
	counts := b.Counts()
	res.Findings, n = dropKnown(res.Findings, contentOf(res.Repo), res.Catalog, counts)
	note := fmt.Sprintf("tollgate: %s left out, which the baseline holds", count(n, "finding"))
	stale := 0
	for _, c := range counts {
		stale += c
	}
	if stale > 0 {
		note += fmt.Sprintf("; %s no longer found (write the baseline again to drop them)", count(stale, "of its findings is", "of its findings are"))
	}
	res.Notes = append(res.Notes, note)
}

// count is "1 finding", "2 findings"; plural defaults to singular + "s".
func count(n int, singular string, plural ...string) string {
	if n == 1 {
		return "1 " + singular
	}
	if len(plural) > 0 {
		return fmt.Sprintf("%d %s", n, plural[0])
	}
	return fmt.Sprintf("%d %ss", n, singular)
}

// resolveTargets turns the command-line targets into entry files and a repository root.
func resolveTargets(targets []string) (entries []string, root string, err error) {
	if len(targets) == 0 {
		targets = []string{"."}
	}
	if len(targets) == 1 {
		fi, err := os.Stat(targets[0])
		if err != nil {
			return nil, "", usage("%v", err)
		}
		if fi.IsDir() {
			entries, err := load.Discover(targets[0])
			if err != nil {
				return nil, "", usage("%v", err)
			}
			return entries, config.FindRoot(targets[0]), nil
		}
	}
	for _, t := range targets {
		fi, err := os.Stat(t)
		if err != nil {
			return nil, "", usage("%v", err)
		}
		if fi.IsDir() {
			return nil, "", usage("%s is a directory: give one directory, or entry files (as fleetctl gitops -f takes them)", t)
		}
		entries = append(entries, t)
	}
	return entries, config.FindRoot(commonDir(entries)), nil
}

// reviewDir is the GitOps directory the change review compares: the directory given, or the
// repository root when entry files were given.
func reviewDir(targets []string, root string) string {
	if len(targets) == 1 {
		if fi, err := os.Stat(targets[0]); err == nil && fi.IsDir() {
			return targets[0]
		}
	}
	if len(targets) == 0 {
		return "."
	}
	return root
}

// commonDir is the deepest directory holding every file, so `lint teams/a.yml default.yml`
// roots the repository where default.yml is, not in teams/.
func commonDir(files []string) string {
	common := ""
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			abs = f
		}
		d := filepath.Dir(abs)
		if common == "" {
			common = d
			continue
		}
		for common != d && !strings.HasPrefix(d, common+string(filepath.Separator)) {
			parent := filepath.Dir(common)
			if parent == common {
				break
			}
			common = parent
		}
	}
	return common
}

func loadConfig(explicit string, entries []string, root string) (*config.Config, error) {
	path := explicit
	if path == "" {
		path = config.Find(filepath.Dir(entries[0]), root)
	}
	if path == "" {
		return &config.Config{}, nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usage("config file %s does not exist", path)
		}
		return nil, usage("%v", err)
	}
	return cfg, nil
}

// secretValues are the secret values the findings of the secret rules point at, taken before
// post-processing drops anything: every finding on their lines has them masked (package redact).
func secretValues(fs []finding.Finding, cat *catalog.Catalog, source func(file string) []byte) *redact.Secrets {
	return redact.New(fs, redact.IsSecretRule(func(id string) (bool, bool) {
		r, ok := cat.Get(id)
		return r.NotSuppressible, ok
	}), source)
}

// fleetSource reads the files of a Fleet repository, for secretValues.
func fleetSource(repo *load.Repo) func(file string) []byte {
	return func(file string) []byte {
		if f := repo.File(file); f != nil {
			return f.Content()
		}
		return nil
	}
}

// postProcess applies configuration (rules off, severities, ignored paths), suppressions (found
// while the files were read),
// dedupe and sort; each step is a small function tested on its own.
func postProcess(fs []finding.Finding, sups []*suppression, sites map[string][]site, cfg *config.Config, cat *catalog.Catalog) []finding.Finding {
	always, rest := unsilenceable(fs, cat)
	rest = configure(rest, cfg)
	rest = ignorePaths(rest, cfg.Ignore)
	fs = applySuppressions(append(rest, always...), sups, cat, sites)
	fs = configureSuppression(fs, cfg)
	finding.Sort(fs)
	return finding.Dedupe(fs)
}

// unsilenceable splits off the findings of rules that cannot be suppressed: no configuration
// turns them off or down (CheckRules refuses it) and no ignore glob hides them.
func unsilenceable(fs []finding.Finding, cat *catalog.Catalog) (always, rest []finding.Finding) {
	for _, f := range fs {
		if r, ok := cat.Get(f.RuleID); ok && r.NotSuppressible {
			always = append(always, f)
		} else {
			rest = append(rest, f)
		}
	}
	return always, rest
}

// configure drops disabled rules and applies severity overrides.
func configure(fs []finding.Finding, cfg *config.Config) []finding.Finding {
	out := fs[:0]
	for _, f := range fs {
		if !cfg.RuleEnabled(f.RuleID) {
			continue
		}
		if rc, ok := cfg.Rules[f.RuleID]; ok && rc.Severity != "" {
			if sev, err := finding.ParseSeverity(rc.Severity); err == nil && sev != finding.SeverityNone {
				f.Severity = sev
			}
		}
		out = append(out, f)
	}
	return out
}

// configureSuppression applies the configuration to the suppression rule's findings, which
// applySuppressions makes after configure has run on the others.
func configureSuppression(fs []finding.Finding, cfg *config.Config) []finding.Finding {
	out := fs[:0]
	for _, f := range fs {
		if f.RuleID == catalog.Suppression {
			out = append(out, configure([]finding.Finding{f}, cfg)...)
		} else {
			out = append(out, f)
		}
	}
	return out
}

// ignorePaths drops findings in files matching the configuration's ignore globs.
func ignorePaths(fs []finding.Finding, globs []string) []finding.Finding {
	if len(globs) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		ignored := false
		for _, g := range globs {
			if ok, _ := doublestar.Match(g, f.Location.File); ok {
				ignored = true
				break
			}
		}
		if !ignored {
			out = append(out, f)
		}
	}
	return out
}
