package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/baseline"
	"github.com/tollgate-dev/tollgate/internal/lint"
	"github.com/tollgate-dev/tollgate/internal/report"
)

// reviewFlags are lint's change-review flags: --base/--head (what input.change holds) and
// where the change findings and the plan go.
type reviewFlags struct {
	changeSARIF string
}

func (r *reviewFlags) register(cmd *cobra.Command, cf *checkFlags) {
	f := cmd.Flags()
	f.StringVar(&cf.base, "base", "", "review the change from REF (a commit, branch or tag): adds input.change and the change rules")
	f.StringVar(&cf.head, "head", "", "with --base: the revision reviewed (default: the working tree, which is what is linted)")
	f.StringVar(&r.changeSARIF, "change-sarif-file", "", "with --base: write the change rules' findings to this SARIF file (category <category>change/), and leave them out of --sarif-file")
	f.BoolVar(&cf.newOnly, "new-only", false, "with --base: report only the findings the base does not have (matched by rule and entity, not by line)")
	f.StringVar(&cf.baseline, "baseline", "", "leave out the findings listed in this baseline file (docs/baseline.md)")
	f.StringVar(&cf.writeBase, "write-baseline", "", "write the run's findings to this baseline file, and leave them out of the report")
}

// known fills the options that leave known findings out: --new-only, --baseline and
// --write-baseline. A baseline that can't be read is a usage error, never an empty one.
func (c *checkFlags) known(opts *lint.Options) error {
	switch {
	case c.newOnly && c.base == "":
		return usagef("--new-only needs --base: the revision whose findings are not new")
	case c.writeBase != "" && (c.baseline != "" || c.newOnly):
		return usagef("--write-baseline records every finding of the run: give it without --baseline and --new-only")
	}
	opts.NewOnly = c.newOnly
	opts.WriteBaseline = c.writeBase != ""
	if c.baseline == "" {
		return nil
	}
	data, err := os.ReadFile(c.baseline)
	if errors.Is(err, fs.ErrNotExist) {
		return usagef("--baseline %s does not exist; write it with --write-baseline %s", c.baseline, c.baseline)
	}
	if err != nil {
		return usagef("--baseline: %v", err)
	}
	if opts.Baseline, err = baseline.Parse(data); err != nil {
		return usagef("--baseline %s: %v", c.baseline, err)
	}
	return nil
}

// writeBaseline writes the baseline of a --write-baseline run.
func (c *checkFlags) writeBaseline(res *lint.Result, e *env) error {
	if c.writeBase == "" || res.Baseline == nil {
		return nil
	}
	data, err := res.Baseline.Marshal()
	if err != nil {
		return err
	}
	if err := writeBytes(data, c.writeBase, nil); err != nil {
		return err
	}
	n := 0
	for _, f := range res.Baseline.Findings {
		n += f.Count
	}
	fmt.Fprintf(e.stderr, "tollgate: wrote %d finding(s) to the baseline %s\n", n, c.writeBase)
	return nil
}

// changeCategory is the rule category of the change rules (their METADATA says so).
const changeCategory = "change"

// write writes the SARIF file(s) and, for the github format, appends the plan to the job summary.
func (r *reviewFlags) write(res *lint.Result, in *report.Input, sarifFile, category, summary string) error {
	state, change := in, in
	if r.changeSARIF != "" {
		state, change = splitChange(in)
		change.Category = strings.TrimSuffix(category, "/") + "/change/"
	}
	sarif, _ := report.New("sarif", report.Options{})
	if sarifFile != "" {
		if err := writeReport(sarif, state, sarifFile, nil); err != nil {
			return err
		}
	}
	if r.changeSARIF != "" {
		if err := writeReport(sarif, change, r.changeSARIF, nil); err != nil {
			return err
		}
	}
	if res.Change != nil && summary != "" {
		var buf bytes.Buffer
		md, _ := report.NewPlan("markdown", report.Options{})
		if err := md.ReportPlan(&buf, res.Change); err != nil {
			return err
		}
		f, err := os.OpenFile(summary, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Write(append([]byte("\n"), buf.Bytes()...)); err != nil {
			return err
		}
	}
	return nil
}

// splitChange separates the findings of change rules from the others.
func splitChange(in *report.Input) (state, change *report.Input) {
	s, c := *in, *in
	s.Findings, c.Findings = nil, nil
	for _, f := range in.Findings {
		if r, ok := in.Catalog.Get(f.RuleID); ok && in.Catalog != nil && r.Category == changeCategory {
			c.Findings = append(c.Findings, f)
		} else {
			s.Findings = append(s.Findings, f)
		}
	}
	return &s, &c
}
