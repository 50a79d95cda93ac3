package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/policy"
)

func newRulesCmd(e *env) *cobra.Command {
	var asJSON bool
	var policies []string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule with its ID, severity and title",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := ruleCatalog(policies)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, cat.Rules())
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tTITLE")
			for _, r := range cat.Rules() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the catalog as JSON")
	cmd.Flags().StringArrayVar(&policies, "policy", nil, "also list the rules of this policy directory (repeatable)")
	return cmd
}

func newExplainCmd(e *env) *cobra.Command {
	var policies []string
	cmd := &cobra.Command{
		Use:   "explain RULE-ID",
		Short: "Print a rule's documentation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := ruleCatalog(policies)
			if err != nil {
				return err
			}
			r, ok := cat.Get(args[0])
			if !ok {
				return usagef("unknown rule %q; `tollgate rules` lists them", args[0])
			}
			fmt.Fprint(e.stdout, explain(r))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&policies, "policy", nil, "also know the rules of this policy directory (repeatable)")
	return cmd
}

// explain renders a rule's documentation as plain text (the docs pages use the same fields).
func explain(r catalog.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\n", r.ID, r.Title)
	fmt.Fprintf(&b, "Severity: %s    Category: %s", r.Severity, r.Category)
	if r.NotSuppressible {
		b.WriteString("    Cannot be suppressed")
	}
	b.WriteString("\n\n")
	b.WriteString(r.Description)
	b.WriteString("\n")
	if len(r.Params) > 0 {
		b.WriteString("\nParameters (set under rules." + r.ID + ".params in .tollgate.yaml):\n")
		for _, p := range r.Params {
			fmt.Fprintf(&b, "  %s (default %v): %s%s\n", p.Name, p.Default, p.Description, bounds(p))
		}
	}
	if u := r.DocURL(); u != "" {
		fmt.Fprintf(&b, "\nMore: %s\n", u)
	}
	return b.String()
}

// ruleCatalog is every rule tollgate knows: built in, bundled Rego, and user policies.
func ruleCatalog(policyDirs []string) (*catalog.Catalog, error) {
	cat := catalog.New()
	rs, err := policy.Catalog(policyDirs)
	if err != nil {
		return nil, usagef("%v", err)
	}
	for _, r := range rs {
		if err := cat.Add(r); err != nil {
			return nil, usagef("%v", err)
		}
	}
	return cat, nil
}
