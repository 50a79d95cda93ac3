package cli

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/oscatalog"
	"github.com/tollgate-dev/tollgate/internal/policy"
)

func newTestCmd(e *env) *cobra.Command {
	var verbose, bundled bool
	var now string
	cmd := &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run the Rego unit tests of policies, as opa test and conftest verify do",
		Long: `Test runs the test_* rules of every *_test.rego file in DIR (default: policy) with
tollgate's Rego library (import data.tollgate.lib), its builtins and its data (rule
parameter defaults as data.tollgate.params, the OS catalog as data.os_catalog).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"policy"}
			}
			at, err := parseNow(now, e.getenv("SOURCE_DATE_EPOCH"))
			if err != nil {
				return err
			}
			mods, err := policy.TestModules(args, bundled)
			if err != nil {
				return usagef("%v", err)
			}
			sum, err := policy.RunTests(cmd.Context(), mods, at, verbose, e.stdout)
			if err != nil {
				return usagef("%v", err)
			}
			if sum.Passed+sum.Failed+sum.Errored == 0 {
				return &exitError{code: ExitFindings, err: fmt.Errorf("no tests found in %v", args)}
			}
			if sum.Failed+sum.Errored > 0 {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every test, passed or not")
	cmd.Flags().BoolVar(&bundled, "bundled", false, "also run the bundled rules' own tests")
	cmd.Flags().StringVar(&now, "now", "", "the date time.now_ns() returns in policies and tests unless a test mocks it, YYYY-MM-DD or RFC 3339 (default: SOURCE_DATE_EPOCH, else the clock)")
	return cmd
}

func newCatalogCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Show or refresh the Apple OS version catalog",
	}
	var output, macURL, iosURL, gdmfURL string
	var timeout time.Duration
	update := &cobra.Command{
		Use:   "update",
		Short: "Fetch the SOFA feeds and Apple's GDMF list into a catalog file for --os-catalog",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			urls := map[string]string{}
			for k, v := range oscatalog.DefaultFeedURLs {
				urls[k] = v
			}
			if macURL != "" {
				urls["macos"] = macURL
			}
			if iosURL != "" {
				urls["ios"] = iosURL
			}
			if gdmfURL != "" {
				urls["gdmf"] = gdmfURL
			}
			var buf bytes.Buffer
			client := &http.Client{Timeout: timeout}
			if err := oscatalog.Update(cmd.Context(), client, urls, &buf); err != nil {
				return &exitError{code: ExitFindings, err: fmt.Errorf("catalog update: %w", err)}
			}
			if output == "" || output == "-" {
				_, err := e.stdout.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(output, buf.Bytes(), 0o644); err != nil {
				return &exitError{code: ExitInternal, err: err}
			}
			c, err := oscatalog.Load(output)
			if err != nil {
				return &exitError{code: ExitInternal, err: fmt.Errorf("the new catalog does not load: %w", err)}
			}
			fmt.Fprintf(e.stderr, "wrote %s (catalog of %s)\n", output, c.SnapshotDay())
			return nil
		},
	}
	update.Flags().StringVarP(&output, "output", "o", "os-catalog.json", "file to write (- for standard output)")
	update.Flags().StringVar(&macURL, "macos-feed", "", "URL of the macOS SOFA v2 feed (default: SOFA's)")
	update.Flags().StringVar(&iosURL, "ios-feed", "", "URL of the iOS SOFA v2 feed (default: SOFA's)")
	update.Flags().StringVar(&gdmfURL, "gdmf-feed", "", "URL of Apple's GDMF list (default: https://gdmf.apple.com/v2/pmv)")
	update.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "time limit for the download")
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the catalog's date and latest versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := oscatalog.Embedded()
			if p, _ := cmd.Flags().GetString("os-catalog"); p != "" {
				var err error
				if c, err = oscatalog.Load(p); err != nil {
					return usagef("--os-catalog: %v", err)
				}
			}
			fmt.Fprintf(e.stdout, "catalog of %s\n", c.SnapshotDay())
			if d := c.GDMFDate(); d != "" {
				fmt.Fprintf(e.stdout, "  GDMF list of %s\n", d)
			}
			for _, p := range c.Platforms() {
				if r, ok := c.Latest(p); ok {
					fmt.Fprintf(e.stdout, "  %-7s latest %s\n", p, r.Version)
				}
			}
			return nil
		},
	}
	show.Flags().String("os-catalog", "", "catalog file (default: the embedded one)")
	cmd.AddCommand(update, show)
	return cmd
}
