package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/apply"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/lint"
	"github.com/tollgate-dev/tollgate/internal/report"
)

type applyFlags struct {
	checkFlags
	reportFlags
	dryRun    bool
	auditFile string
	lockWait  string
	bypass    string
}

func newApplyCmd(e *env) *cobra.Command {
	var fl applyFlags
	cmd := &cobra.Command{
		Use:   "apply [DIR | FILE...]",
		Short: "Check the repository, then hand it to fleetctl gitops only if the checks pass",
		Long: `Apply runs the same checks as lint and refuses (exit 1, nothing applied) on any
finding at or above --fail-level, on an environment variable the configuration needs
that is unset or empty, on another apply holding the repository's lock, or on a file
that changed after it was checked. Otherwise it runs the applier, by default
'fleetctl gitops -f default.yml -f teams/….yml' in DIR, preceded by its --dry-run
(or only the dry run, with --dry-run). Before the hand-off it prints what changes
since the last successful apply recorded in the audit file (the plan of tollgate diff
from that commit). Every attempt appends one JSON line to the audit file, with the
commit applied. See docs/apply.md.

Exit codes: 0 applied (or dry run passed), 1 refused or failed, 2 usage or
configuration error, 3 internal error.`,
		Example: `  tollgate apply                    # push to main
  tollgate apply --dry-run          # pull request
  tollgate apply it-and-security --audit-file audit.jsonl --lock-wait 5m`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(cmd.Context(), e, &fl, args)
		},
	}
	fl.checkFlags.register(cmd)
	fl.kube.kind = lint.KindFleet // fleetctl applies Fleet repositories; Argo CD and Flux pull theirs
	fl.reportFlags.register(cmd, "findings report")
	f := cmd.Flags()
	f.BoolVar(&fl.dryRun, "dry-run", false, "hand off the dry run only (fleetctl gitops --dry-run, or apply.dry_run_command)")
	f.StringVar(&fl.auditFile, "audit-file", "", "append the audit record to FILE (default: apply.audit_file, else "+apply.DefaultAuditFile+" in the repository root)")
	f.StringVar(&fl.lockWait, "lock-wait", "", "how long to wait for another apply on the same repository, e.g. 5m (default: apply.lock_wait, else refuse at once)")
	f.StringVar(&fl.bypass, "emergency-bypass", "", "apply despite findings at or above the fail level, for this REASON (recorded, announced; default: $"+bypassEnv+")")
	return cmd
}

func runApply(ctx context.Context, e *env, fl *applyFlags, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var lockWait *time.Duration
	if fl.lockWait != "" {
		d, err := time.ParseDuration(fl.lockWait)
		if err != nil || d < 0 {
			return usagef("--lock-wait %q: want a duration such as 30s or 5m", fl.lockWait)
		}
		lockWait = &d
	}
	bypass := fl.bypass
	if bypass == "" {
		bypass = e.getenv(bypassEnv)
	}
	if bypass != "" {
		if err := apply.CheckBypassReason(bypass); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
	}
	res, level, _, err := checkAndReport(ctx, e, &fl.checkFlags, &fl.reportFlags, report.DefaultCategory, args)
	var reportErr error // the report could not be written: apply refuses and records it
	if re := (*reportError)(nil); errors.As(err, &re) {
		reportErr = re
	} else if err != nil {
		return err
	}
	if (fl.format != "text" || fl.output != "") && finding.AtOrAbove(res.Findings, level) {
		// The refusal's reasons, in text, wherever the report went.
		for _, f := range res.Findings {
			if f.Severity >= level {
				fmt.Fprintln(e.stderr, report.TextLine(f))
			}
		}
	}
	// From here on an interrupt (a cancelled CI job) stops the lock wait or is passed to the
	// applier, and the attempt is still recorded.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	rec, err := apply.Run(ctx, res, apply.Options{
		Targets:   args,
		FailLevel: level,
		DryRun:    fl.dryRun,
		AuditFile: fl.auditFile,
		LockWait:  lockWait,
		Getenv:    e.getenv,
		Environ:   os.Environ(),
		Stdout:    e.stdout,
		Stderr:    e.stderr,
		Version:   version(),
		ReportErr: reportErr,
		Bypass:    bypass,
	})
	announceBypass(e, rec)
	var ce *apply.ConfigError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return &exitError{code: ExitUsage, err: err}
	}
	return &exitError{code: ExitFindings, err: err}
}

// bypassEnv lets a workflow pass a bypass reason from a workflow_dispatch input without
// building a command line from it.
const bypassEnv = "TOLLGATE_EMERGENCY_BYPASS"

// announceBypass shows an emergency bypass where a GitHub run is read: a warning annotation
// and the job summary (the audit record has it whatever the CI).
func announceBypass(e *env, rec *apply.Record) {
	if rec == nil || rec.Bypass == nil || e.getenv("GITHUB_ACTIONS") != "true" {
		return
	}
	fmt.Fprint(e.stdout, apply.BypassAnnotation(rec))
	if path := e.getenv("GITHUB_STEP_SUMMARY"); path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			fmt.Fprintf(e.stderr, "tollgate: cannot write the job summary: %v\n", err)
			return
		}
		defer f.Close()
		if _, err := f.WriteString(apply.BypassSummary(rec)); err != nil {
			fmt.Fprintf(e.stderr, "tollgate: cannot write the job summary: %v\n", err)
		}
	}
}
