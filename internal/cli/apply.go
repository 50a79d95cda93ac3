package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
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
	format    string
	output    string
	color     string
	dryRun    bool
	auditFile string
	lockWait  string
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
(or only the dry run, with --dry-run). Every attempt appends one JSON line to the
audit file. See docs/apply.md.

Exit codes: 0 applied (or dry run passed), 1 refused or failed, 2 usage or
configuration error, 3 internal error.`,
		Example: `  tollgate apply                    # push to main
  tollgate apply --dry-run          # pull request
  tollgate apply it-and-security --audit-file audit.jsonl --lock-wait 5m`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(cmd.Context(), e, &fl, args)
		},
	}
	fl.register(cmd)
	f := cmd.Flags()
	f.StringVar(&fl.format, "format", "text", "findings report format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&fl.output, "output", "o", "", "write the findings report to FILE instead of standard output")
	f.StringVar(&fl.color, "color", "auto", "colour in text output: auto, always or never (NO_COLOR is honoured)")
	f.BoolVar(&fl.dryRun, "dry-run", false, "hand off the dry run only (fleetctl gitops --dry-run, or apply.dry_run_command)")
	f.StringVar(&fl.auditFile, "audit-file", "", "append the audit record to FILE (default: apply.audit_file, else "+apply.DefaultAuditFile+" in the repository root)")
	f.StringVar(&fl.lockWait, "lock-wait", "", "how long to wait for another apply on the same repository, e.g. 5m (default: apply.lock_wait, else refuse at once)")
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
	color, err := useColor(fl.color, fl.output, e)
	if err != nil {
		return err
	}
	rep, err := report.New(fl.format, report.Options{Color: color, SummaryPath: summaryPath(fl.format, e)})
	if err != nil {
		return usagef("--format: %v", err)
	}
	opts, err := fl.options(e, args)
	if err != nil {
		return err
	}
	res, err := lint.Run(ctx, opts)
	if err != nil {
		return err
	}
	level, err := fl.level(res)
	if err != nil {
		return err
	}
	if err := writeReport(rep, reportInput(res, report.DefaultCategory), fl.output, e.stdout); err != nil {
		return &exitError{code: ExitInternal, err: err}
	}
	if (fl.format != "text" || fl.output != "") && finding.AtOrAbove(res.Findings, level) {
		// The refusal's reasons, in text, wherever the report went.
		for _, f := range res.Findings {
			if f.Severity >= level {
				fmt.Fprintln(e.stderr, f.String())
			}
		}
	}
	// From here on an interrupt (a cancelled CI job) stops the lock wait or is passed to the
	// applier, and the attempt is still recorded.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err = apply.Run(ctx, res, apply.Options{
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
	})
	var ce *apply.ConfigError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return &exitError{code: ExitUsage, err: err}
	}
	return &exitError{code: ExitFindings, err: err}
}
