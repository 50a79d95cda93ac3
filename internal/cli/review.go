package cli

import (
	"bytes"
	"os"
	"strings"

	"github.com/spf13/cobra"

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
