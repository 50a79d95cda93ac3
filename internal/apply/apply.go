// Package apply is the stage behind the checks: `tollgate apply` hands a repository to the
// real applier (fleetctl gitops, or a configured command) only when the checks pass, every
// secret the configuration needs is set, and the files about to be applied are byte for byte
// the files that were checked; it takes a per-repository lock, and appends one audit record per
// attempt whatever its outcome.
//
// The order of an attempt: findings (refused-findings) → environment (refused-secrets) → lock
// (refused-locked) → the applier found on PATH (applier-missing) → files re-read and compared
// with the check (refused-changed), again before each hand-off → the changes since the last
// apply shown (since.go) → the applier runs (failed, applied, dry-run-ok) → the audit record.
package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/lint"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// Options describe one attempt. The checks have already run (lint.Run).
type Options struct {
	Targets   []string // what was checked: one directory, or entry files (empty: ".")
	FailLevel finding.Severity
	DryRun    bool
	AuditFile string         // --audit-file; "" means apply.audit_file, then DefaultAuditFile
	LockWait  *time.Duration // --lock-wait; nil means apply.lock_wait, then zero
	Getenv    func(string) string
	Environ   []string  // the applier's environment, passed through whole
	Stdout    io.Writer // the applier's standard output
	Stderr    io.Writer // the applier's standard error and tollgate's progress lines
	Version   string    // tollgate's version, for the record
	Now       func() time.Time
	GitHead   func(dir string) string // the commit when CI does not say; nil: `git rev-parse HEAD`
	// ReportErr, when set, is why the findings report could not be written: nothing is handed
	// off (a gate whose report is lost has not been seen to pass), and the attempt is recorded.
	ReportErr error
	// Bypass is the reason given with --emergency-bypass: apply despite findings at or above the
	// fail level (never those of rules that can't be suppressed), recorded and announced.
	Bypass string
}

// NewPlan decides the working directory, entry files, command lines, audit file, lock file and
// lock wait. Its errors are configuration errors.
func NewPlan(res *lint.Result, opts Options) (*Plan, error) {
	cfg := res.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	cfgErr := func(err error) error {
		if cfg.Path != "" {
			err = fmt.Errorf("%s: %w", cfg.Path, err)
		}
		return &ConfigError{err}
	}
	dir, entries, err := EntryFiles(opts.Targets, res.Repo)
	if err != nil {
		return nil, &ConfigError{err}
	}
	files := make([]string, len(entries))
	for i, e := range entries {
		files[i] = ArgPath(dir, e)
	}
	runs, err := Runs(cfg.Apply, files, res.Repo.Era, hasGlobal(res.Repo), opts.DryRun)
	if err != nil {
		return nil, cfgErr(err)
	}
	audit, err := AuditPath(opts.AuditFile, cfg, res.Repo.Root)
	if err != nil {
		return nil, &ConfigError{err}
	}
	wait, err := LockWait(opts.LockWait, cfg)
	if err != nil {
		if opts.LockWait != nil {
			return nil, &ConfigError{err}
		}
		return nil, cfgErr(err)
	}
	return &Plan{Dir: dir, Entries: entries, Runs: runs, AuditFile: audit, LockFile: LockPath(res.Repo.Root), LockWait: wait,
		DiscoverIn: DiscoveryDir(opts.Targets)}, nil
}

func hasGlobal(repo *load.Repo) bool {
	for _, e := range repo.Entries {
		if e.Kind == fleet.KindGlobal {
			return true
		}
	}
	return false
}

// Run makes one attempt and records it. A nil error means the applier ran and succeeded. A
// *ConfigError means nothing was attempted (no record); any other error means the attempt was
// refused or failed, and its message says why and whether anything was applied.
func Run(ctx context.Context, res *lint.Result, opts Options) (*Record, error) {
	plan, err := NewPlan(res, opts)
	if err != nil {
		return nil, err
	}
	audit, err := OpenAudit(plan.AuditFile)
	if err != nil {
		return nil, fmt.Errorf("cannot open the audit file, so nothing is applied: %w", err)
	}
	defer audit.Close()

	now, gitHead := opts.Now, opts.GitHead
	if now == nil {
		now = time.Now
	}
	if gitHead == nil {
		gitHead = GitHead
	}
	ci := DetectCI(opts.Getenv, func() string { return gitHead(res.Repo.Root) })
	rec := &Record{V: AuditVersion, Time: FormatTime(now()), Tollgate: opts.Version, DryRun: opts.DryRun,
		Commit: ci.Commit, Actor: ci.Actor, RunURL: ci.RunURL, Root: res.Repo.Root, Dir: plan.Dir,
		Files: Snapshot(res.Repo), Findings: Summarize(res.Findings, opts.FailLevel),
		Argv: plan.Runs[len(plan.Runs)-1], Runs: []RunRecord{}}
	if rec.GitCommit = gitHead(res.Repo.Root); rec.GitCommit != "" {
		rec.GitDirty = GitDirty(res.Repo.Root, rec.Files)
	}
	a := &attempt{res: res, plan: plan, opts: opts, rec: rec}
	rec.Outcome, rec.Message = a.run(ctx)
	ok := rec.Outcome == Applied || rec.Outcome == DryRunOK
	if !ok {
		rec.ExitCode = 1
	}
	if err := Append(audit, rec); err != nil {
		return rec, fmt.Errorf("%s; and the audit record could not be written to %s: %v", rec.Message, plan.AuditFile, err)
	}
	if !ok {
		return rec, errors.New(rec.Message)
	}
	fmt.Fprintf(opts.Stderr, "tollgate: %s\n", rec.Message)
	return rec, nil
}

type attempt struct {
	res  *lint.Result
	plan *Plan
	opts Options
	rec  *Record
}

const nothing = "; nothing was applied"

// run goes through the gates in order and returns the outcome and a message for people.
func (a *attempt) run(ctx context.Context) (Outcome, string) {
	res, plan, opts := a.res, a.plan, a.opts
	if opts.ReportErr != nil {
		return Failed, fmt.Sprintf("refusing to apply: %v%s", opts.ReportErr, nothing)
	}
	if opts.Bypass != "" {
		a.rec.Bypass = NewBypass(opts.Bypass, res, opts.FailLevel)
	}
	if finding.AtOrAbove(res.Findings, opts.FailLevel) {
		n := 0
		for _, f := range res.Findings {
			if f.Severity >= opts.FailLevel {
				n++
			}
		}
		refused := fmt.Sprintf("refusing to apply: %s at or above the fail level (%s)%s", plural(n, "finding"), opts.FailLevel, nothing)
		switch b := a.rec.Bypass; {
		case b == nil:
			return RefusedFindings, refused
		case len(b.Unbypassable) > 0:
			return RefusedFindings, fmt.Sprintf("%s: an emergency bypass cannot skip %s, which can't be suppressed either", refused, strings.Join(b.Unbypassable, ", "))
		}
		fmt.Fprintf(opts.Stderr, "tollgate: EMERGENCY BYPASS: applying despite %s at or above the fail level (%s: %s), by %s; reason: %s\n",
			plural(n, "finding"), opts.FailLevel, strings.Join(a.rec.Bypass.Rules, ", "), orUnknown(a.rec.Actor), a.rec.Bypass.Reason)
	}

	cfg := res.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	needs := RequiredEnv(res.Repo.EnvRefs, len(cfg.Apply.Command) == 0, cfg.Apply.Env)
	if missing := MissingEnv(needs, opts.Getenv); len(missing) > 0 {
		a.rec.MissingEnv = Names(missing)
		var b strings.Builder
		fmt.Fprintf(&b, "refusing to apply: %s unset or empty%s:", plural(len(missing), "environment variable"), nothing)
		for _, m := range missing {
			b.WriteString("\n  " + m.String())
		}
		return RefusedSecrets, b.String()
	}

	lock, err := AcquireLock(ctx, plan.LockFile, plan.LockWait, func(holder string) {
		if holder != "" {
			holder = ", pid " + holder
		}
		fmt.Fprintf(opts.Stderr, "tollgate: another apply is running on this repository (%s%s); waiting up to %s\n",
			plan.LockFile, holder, plan.LockWait)
	})
	if err != nil {
		if ctx.Err() != nil {
			return Failed, fmt.Sprintf("interrupted while waiting for the lock%s", nothing)
		}
		if errors.Is(err, ErrLocked) && plan.LockWait > 0 {
			err = fmt.Errorf("%w after waiting %s", err, plan.LockWait)
		}
		return RefusedLocked, fmt.Sprintf("refusing to apply: %v%s", err, nothing)
	}
	defer lock.Release()

	paths := make([]string, len(plan.Runs))
	for i, argv := range plan.Runs {
		if paths[i], err = LookApplier(argv[0], plan.Dir); err != nil {
			return ApplierMissing, fmt.Sprintf("the applier %q was not found (%v): install it or set apply.command in .tollgate.yaml%s",
				argv[0], unwrapExec(err), nothing)
		}
	}

	for i, argv := range plan.Runs {
		changes, err := plan.Recheck(ctx, a.res.Repo.Root, a.rec.Files)
		if err != nil {
			return Failed, fmt.Sprintf("cannot re-read the repository before the hand-off: %v%s", err, nothing)
		}
		if len(changes) > 0 {
			a.rec.Changed = changes
			var b strings.Builder
			fmt.Fprintf(&b, "refusing to apply: %s changed since the check%s:", plural(len(changes), "file"), nothing)
			for _, c := range changes {
				b.WriteString("\n  " + c.String())
			}
			return RefusedChanged, b.String()
		}
		if i == 0 {
			announcePruning(opts.Stderr, cfg, plan, res.Repo)
			a.showChangesSince(ctx)
		}
		fmt.Fprintf(opts.Stderr, "tollgate: running %s\n", Quote(argv))
		code, err := lock.Exec(ctx, paths[i], argv, plan.Dir, opts.Environ, opts.Stdout, opts.Stderr)
		a.rec.Runs = append(a.rec.Runs, RunRecord{Argv: argv, ExitCode: code})
		if err != nil {
			return Failed, fmt.Sprintf("the applier did not complete: %s: %v", Quote(argv), err)
		}
		if code != 0 {
			msg := fmt.Sprintf("the applier failed: %s exited with status %d", Quote(argv), code)
			if i < len(plan.Runs)-1 {
				msg += "; it was the dry run, so the real apply never started"
			}
			return Failed, msg
		}
	}
	last := plan.Runs[len(plan.Runs)-1]
	if opts.DryRun {
		return DryRunOK, fmt.Sprintf("dry run passed: %s exited 0%s", Quote(last), nothing)
	}
	return Applied, fmt.Sprintf("applied: %s exited 0", Quote(last))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// unwrapExec drops exec's repetition of the program name from a lookup error.
func unwrapExec(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// GitHead is `git rev-parse HEAD` in dir, or "" when git or the repository is not there.
func GitHead(dir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--verify", "--quiet", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
