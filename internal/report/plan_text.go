package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/tollgate-dev/tollgate/internal/diff"
)

// planText writes a plan for people, like `terraform plan`:
//
//	tollgate diff: main (1a2b3c4) → the working tree
//	Plan: 1 to remove, 1 to change.
//
//	Team "Workstations" (teams/workstations.yml)
//	  - profile "Firewall" (apple, ../lib/firewall.mobileconfig)   from teams/workstations.yml:37 (was …:52)
//	  ~ setting controls.macos_updates.minimum_version: "15.3" → "15.2"   teams/workstations.yml:73
type planText struct{ color bool }

func (t planText) style(action string) (string, string) {
	if !t.color {
		return "", ""
	}
	switch action {
	case diff.Added:
		return "\x1b[32m", "\x1b[0m"
	case diff.Removed:
		return "\x1b[31m", "\x1b[0m"
	}
	return "\x1b[33m", "\x1b[0m"
}

func (t planText) ReportPlan(w io.Writer, res *diff.Result) error {
	bw := bufio.NewWriter(w)
	bold, reset := "", ""
	if t.color {
		bold, reset = "\x1b[1m", "\x1b[0m"
	}
	fmt.Fprintf(bw, "tollgate diff: %s → %s\n", oneLine(res.Base.String()), oneLine(res.Head.String()))
	for _, p := range []string{problemsLine("the base", res.Base), problemsLine("the head", res.Head)} {
		if p != "" {
			fmt.Fprintf(bw, "warning: %s\n", oneLine(p))
		}
	}
	fmt.Fprintf(bw, "%sPlan: %s.%s\n", bold, planSummary(diff.Count(res.Changes)), reset)
	for _, g := range groupChanges(res.Changes) {
		fmt.Fprintf(bw, "\n%s%s%s", bold, oneLine(groupTitle(g)), reset)
		if g.file != "" {
			fmt.Fprintf(bw, " (%s)", oneLine(g.file))
		}
		bw.WriteString("\n")
		for _, c := range g.changes {
			on, off := t.style(c.Action)
			fmt.Fprintf(bw, "  %s%s%s", on, changeLine(c), off)
			if w := where(c); w != "" {
				fmt.Fprintf(bw, "   %s", oneLine(w))
			}
			bw.WriteString("\n")
			for _, l := range fieldLines(c) {
				fmt.Fprintf(bw, "      %s\n", l)
			}
		}
	}
	return bw.Flush()
}
