package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/policy"
	"github.com/tollgate-dev/tollgate/internal/ruledoc"
)

// catalogFlags are what `rules` and `explain` read besides the bundled rules: the repository's
// .tollgate.yaml (its policies: and per-rule settings) and extra policy directories.
type catalogFlags struct {
	config   string
	policies []string
}

func (c *catalogFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.config, "config", "", "configuration file whose policies: are listed too (default: .tollgate.yaml found upward from the current directory)")
	f.StringArrayVar(&c.policies, "policy", nil, "also the rules of this policy directory (repeatable)")
}

// load reads the configuration (found as lint finds it, from the current directory) and the
// catalog of every rule it and the flags name.
func (c *catalogFlags) load() (*catalog.Catalog, *config.Config, error) {
	cfg := &config.Config{}
	path := c.config
	if path == "" {
		path = config.Find(".", config.FindRoot("."))
	}
	if path != "" {
		var err error
		if cfg, err = config.Load(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, nil, usagef("config file %s does not exist", path)
			}
			return nil, nil, usagef("%v", err)
		}
	}
	cat, err := ruleCatalog(append(cfg.AbsAll(cfg.Policies), c.policies...))
	return cat, cfg, err
}

func newRulesCmd(e *env) *cobra.Command {
	var asJSON bool
	var fl catalogFlags
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule with its ID, severity and title",
		Long: `Rules lists the built-in and bundled rules, and the rules of the policies that
.tollgate.yaml (found upward from the current directory, or --config) and --policy name.
SEVERITY is the one the configuration sets, "off" for a disabled rule.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, cfg, err := fl.load()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, cat.Rules())
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tSOURCE\tTITLE")
			for _, r := range cat.Rules() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, effectiveSeverity(r, cfg), r.Category, displaySource(r.Source), r.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the catalog as JSON (the rules' own metadata)")
	fl.register(cmd)
	return cmd
}

func newExplainCmd(e *env) *cobra.Command {
	var fl catalogFlags
	cmd := &cobra.Command{
		Use:   "explain RULE-ID",
		Short: "Print a rule's documentation",
		Long: `Explain prints a rule's documentation: a built-in or bundled rule, or one of the
policies that .tollgate.yaml (found upward from the current directory, or --config) and
--policy name, with the severity and parameters the configuration sets.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, cfg, err := fl.load()
			if err != nil {
				return err
			}
			r, ok := cat.Get(args[0])
			if !ok {
				return usagef("unknown rule %q; `tollgate rules` lists them (with the policies of .tollgate.yaml, or --config / --policy)", args[0])
			}
			fmt.Fprint(e.stdout, explain(r, cfg))
			return nil
		},
	}
	fl.register(cmd)
	return cmd
}

// effectiveSeverity is the rule's severity after the configuration: its override, or "off".
func effectiveSeverity(r catalog.Rule, cfg *config.Config) string {
	if !cfg.RuleEnabled(r.ID) {
		return "off"
	}
	if s := strings.ToLower(cfg.Rules[r.ID].Severity); s != "" {
		return s
	}
	return r.Severity.String()
}

// explain renders a rule's documentation as plain text, with what the configuration changes.
func explain(r catalog.Rule, cfg *config.Config) string {
	r.Source = displaySource(r.Source)
	return ruledoc.Text(r, ruledoc.Configured{File: cfg.Path, Severity: effectiveSeverity(r, cfg), Params: cfg.RuleParams(r.ID)})
}

// displaySource shows a user policy directory relative to the current directory, so the
// listing reads the same on every machine.
func displaySource(src string) string {
	if !filepath.IsAbs(src) {
		return filepath.ToSlash(src)
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, src); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(src)
}

// ruleCatalog is every rule tollgate knows: built in, bundled Rego, and user policies.
func ruleCatalog(policyDirs []string) (*catalog.Catalog, error) {
	cat, err := policy.Catalog(slices.Compact(policyDirs))
	if err != nil {
		return nil, usagef("%v", err)
	}
	return cat, nil
}
