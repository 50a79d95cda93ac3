package cli

import (
	"bytes"
	"context"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/diff"
	"github.com/tollgate-dev/tollgate/internal/lint"
	"github.com/tollgate-dev/tollgate/internal/report"
)

type diffFlags struct {
	base, head string
	format     string
	output     string
	color      string
	exitCode   bool
}

func newDiffCmd(e *env) *cobra.Command {
	var fl diffFlags
	cmd := &cobra.Command{
		Use:   "diff [DIR] --base REF [--head REF]",
		Short: "Show what a merge changes in the fleet: profiles, policies, software, teams, settings",
		Long: `Diff compares the Fleet GitOps repository in DIR (default: the current directory) at
--base (a commit, branch or tag) with --head (default: the working tree) as configuration,
not as text: both sides are loaded as fleetctl loads them, and every thing Fleet manages is
matched by what Fleet identifies it by. A file renamed, a key moved into an included file, the
teams/ → fleets/ migration are no change; a profile removed from a team, a policy's query
edited, a setting turned off are. The base is read from git objects: no checkout, the working
tree and the index are left alone.

Secret values never appear: an environment reference shows as its name, a literal secret as a
fingerprint.

Exit codes: 0 (with --exit-code: no change), 1 with --exit-code when something changes,
2 usage error or a revision missing from the clone (the message names the fetch command),
3 internal error.`,
		Example: `  tollgate diff --base origin/main
  tollgate diff it-and-security --base main --head HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"
  tollgate diff --base v1.4.0 --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.Context(), e, &fl, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.base, "base", "", "the revision to compare with (required): a commit, branch or tag")
	f.StringVar(&fl.head, "head", "", "the revision compared (default: the working tree)")
	f.StringVar(&fl.format, "format", "text", "plan format: text, json or markdown")
	f.StringVarP(&fl.output, "output", "o", "", "write the plan to FILE instead of standard output")
	f.StringVar(&fl.color, "color", "auto", "colour in text output: auto, always or never (NO_COLOR is honoured)")
	f.BoolVar(&fl.exitCode, "exit-code", false, "exit 1 when the merge changes something (like git diff --exit-code)")
	return cmd
}

func runDiff(ctx context.Context, e *env, fl *diffFlags, args []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if fl.base == "" {
		return usagef("--base is required: the revision to compare with (e.g. --base origin/main)")
	}
	color, err := useColor(fl.color, fl.output, e)
	if err != nil {
		return err
	}
	rep, err := report.NewPlan(fl.format, report.Options{Color: color})
	if err != nil {
		return usagef("--format: %v", err)
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	res, err := diff.Run(ctx, diff.Options{Dir: dir, Base: fl.base, Head: fl.head})
	if err != nil {
		if _, missing := diff.IsMissingCommit(err); missing {
			return &exitError{code: ExitUsage, err: err}
		}
		return &exitError{code: ExitUsage, err: err}
	}
	if res, err = lint.ReviewKubernetes(ctx, dir, fl.base, fl.head, res); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	var buf bytes.Buffer
	if err := rep.ReportPlan(&buf, res); err != nil {
		return &exitError{code: ExitInternal, err: err}
	}
	if err := writeBytes(buf.Bytes(), fl.output, e.stdout); err != nil {
		return &exitError{code: ExitInternal, err: err}
	}
	if fl.exitCode && len(res.Changes) > 0 {
		return &exitError{code: ExitFindings}
	}
	return nil
}
