package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/lint"
	"github.com/tollgate-dev/tollgate/internal/prof"
	"github.com/tollgate-dev/tollgate/internal/report"
)

// checkFlags are shared by lint and apply: they decide what is checked and what fails.
type checkFlags struct {
	config    string
	schemas   []string
	policies  []string
	osCatalog string
	fleetVer  string
	now       string
	failLevel string
	checks    []string
	base      string // lint --base (registered by lint only: see review.go)
	head      string
	newOnly   bool
	caps      string
	baseline  string // lint --baseline and --write-baseline (registered by lint only)
	writeBase string
	profile   *prof.Profile // lint --profile: set by runLint
	kube      kubeFlags     // registered by lint only; apply checks Fleet repositories
}

func (c *checkFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.config, "config", "", "configuration file (default: .tollgate.yaml found upward from the target)")
	f.StringArrayVar(&c.schemas, "schema", nil, "directory of organisation CUE schemas (repeatable)")
	f.StringArrayVar(&c.policies, "policy", nil, "directory of Rego policies (repeatable)")
	f.StringVar(&c.osCatalog, "os-catalog", "", "OS version catalog file, fresher than the embedded one")
	f.StringVar(&c.fleetVer, "fleet-version", "", "Fleet release the repository is applied to, e.g. 4.91 (default: fleet_version in .tollgate.yaml, else the newest release the schemas follow)")
	f.StringVar(&c.now, "now", "", "the date rules treat as today, YYYY-MM-DD or RFC 3339 (default: today, or SOURCE_DATE_EPOCH)")
	f.StringVar(&c.failLevel, "fail-level", "", "lowest severity that fails the run: error, warning, note or none (default error)")
	f.StringSliceVar(&c.checks, "checks", []string{"schema", "policy"}, "stages to run besides loading: schema, policy")
	f.StringVar(&c.caps, "capabilities", "", "OPA capabilities JSON file: the builtins and hosts policies may use (default: tollgate's sandbox, docs/security.md)")
}

// options builds lint options from the flags and the environment.
func (c *checkFlags) options(e *env, targets []string) (lint.Options, error) {
	now, err := parseNow(c.now, e.getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return lint.Options{}, err
	}
	opts := lint.Options{Targets: targets, ConfigPath: c.config, SchemaDirs: c.schemas, PolicyDirs: c.policies,
		OSCatalog: c.osCatalog, FleetVersion: c.fleetVer, Now: now, SkipSchema: true, SkipPolicy: true, LimitMemory: true,
		Base: c.base, Head: c.head, Capabilities: c.caps, Profile: c.profile}
	c.kube.apply(&opts)
	if c.head != "" && c.base == "" {
		return lint.Options{}, usagef("--head needs --base")
	}
	if err := c.known(&opts); err != nil {
		return lint.Options{}, err
	}
	for _, ch := range c.checks {
		switch strings.TrimSpace(ch) {
		case "schema":
			opts.SkipSchema = false
		case "policy":
			opts.SkipPolicy = false
		default:
			return lint.Options{}, usagef("--checks: unknown stage %q (want schema, policy)", ch)
		}
	}
	return opts, nil
}

// level resolves --fail-level, falling back to the configuration, then "error".
func (c *checkFlags) level(res *lint.Result) (finding.Severity, error) {
	lvl := c.failLevel
	if lvl == "" && res != nil && res.Config != nil {
		lvl = res.Config.FailLevel
	}
	if lvl == "" {
		return finding.Error, nil
	}
	sev, err := finding.ParseSeverity(lvl)
	if err != nil {
		return 0, usagef("--fail-level: %v", err)
	}
	return sev, nil
}

func parseNow(flag, epoch string) (time.Time, error) {
	switch {
	case flag != "":
		for _, layout := range []string{"2006-01-02", time.RFC3339} {
			if t, err := time.Parse(layout, flag); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, usagef("--now %q: want YYYY-MM-DD or RFC 3339", flag)
	case epoch != "":
		secs, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, usagef("SOURCE_DATE_EPOCH %q is not a number of seconds", epoch)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	return time.Now().UTC(), nil
}

// reportFlags choose how the findings are shown; lint and apply share them.
type reportFlags struct {
	format string
	output string
	color  string
}

func (r *reportFlags) register(cmd *cobra.Command, what string) {
	f := cmd.Flags()
	f.StringVar(&r.format, "format", "text", what+" format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&r.output, "output", "o", "", "write the "+what+" to FILE instead of standard output")
	f.StringVar(&r.color, "color", "auto", "colour in text output: auto, always or never (NO_COLOR is honoured)")
}

type lintFlags struct {
	checkFlags
	reportFlags
	sarifFile   string
	category    string
	review      reviewFlags
	profileFile string
}

func newLintCmd(e *env) *cobra.Command {
	var fl lintFlags
	cmd := &cobra.Command{
		Use:   "lint [DIR | FILE...]",
		Short: "Check a Fleet GitOps repository: structure, policy, secrets",
		Long: `Lint checks the Fleet GitOps repository in DIR (default: the current directory):
default.yml, teams/*.yml or fleets/*.yml, and every file they include. Given files,
it checks those entry files as 'fleetctl gitops -f' would read them.

A directory of Kubernetes manifests (Argo CD, Flux, Kustomize) is checked as a
Kubernetes repository, and one holding both as both; --kind picks one
(docs/kubernetes.md).

Exit codes: 0 no finding at or above --fail-level, 1 findings, 2 usage or
configuration error, 3 internal error.`,
		Example: `  tollgate lint
  tollgate lint it-and-security --format sarif -o tollgate.sarif
  tollgate lint default.yml teams/workstations.yml --fail-level warning
  tollgate lint deploy --kind kubernetes --render`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd.Context(), e, &fl, args)
		},
	}
	fl.checkFlags.register(cmd)
	fl.reportFlags.register(cmd, "report")
	f := cmd.Flags()
	f.StringVar(&fl.sarifFile, "sarif-file", "", "also write a SARIF report to FILE")
	f.StringVar(&fl.category, "category", report.DefaultCategory, "SARIF automationDetails.id (code scanning category)")
	f.StringVar(&fl.profileFile, "profile", "", "print the time and allocations of each stage and rule, slowest first, to standard error, or with --profile=FILE to FILE (the checks then run on one core)")
	f.Lookup("profile").NoOptDefVal = "-"
	fl.review.register(cmd, &fl.checkFlags)
	fl.kube.register(cmd)
	return cmd
}

func runLint(ctx context.Context, e *env, fl *lintFlags, args []string) error {
	if sameFile(fl.output, fl.sarifFile) {
		return usagef("-o %s and --sarif-file %s name the same file: one report would overwrite the other", fl.output, fl.sarifFile)
	}
	if fl.profileFile != "" {
		if sameFile(fl.profileFile, fl.output) || sameFile(fl.profileFile, fl.sarifFile) {
			return usagef("--profile=%s names the file of a report: one would overwrite the other", fl.profileFile)
		}
		fl.profile = prof.New()
	}
	res, level, in, err := checkAndReport(ctx, e, &fl.checkFlags, &fl.reportFlags, fl.category, args)
	if err == nil && fl.profile != nil {
		err = writeProfile(fl.profile, fl.profileFile, e.stderr)
	}
	if err != nil {
		return internalOnReport(err)
	}
	if err := fl.review.write(res, in, fl.sarifFile, fl.category, summaryPath(fl.format, e)); err != nil {
		return &exitError{code: ExitInternal, err: fmt.Errorf("cannot write the report: %w", err)}
	}
	if err := fl.writeBaseline(res, e); err != nil {
		return &exitError{code: ExitInternal, err: fmt.Errorf("cannot write the baseline: %w", err)}
	}
	if finding.AtOrAbove(res.Findings, level) {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// checkAndReport runs the checks and writes the findings report, as lint and apply both do.
// It returns the result, the fail level in force and the report input (for more formats).
func checkAndReport(ctx context.Context, e *env, cf *checkFlags, rf *reportFlags, category string, args []string) (*lint.Result, finding.Severity, *report.Input, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	color, err := useColor(rf.color, rf.output, e)
	if err != nil {
		return nil, 0, nil, err
	}
	rep, err := report.New(rf.format, report.Options{Color: color, SummaryPath: summaryPath(rf.format, e)})
	if err != nil {
		return nil, 0, nil, usagef("--format: %v", err)
	}
	opts, err := cf.options(e, args)
	if err != nil {
		return nil, 0, nil, err
	}
	if _, err := cf.level(nil); err != nil { // a bad --fail-level is a usage error before any work
		return nil, 0, nil, err
	}
	res, err := lint.Run(ctx, opts)
	if err != nil {
		return nil, 0, nil, err
	}
	defer res.Release() // after the report: its memory is paced by the run's budget too
	// What policies printed goes to standard error, never into the report: a policy can't
	// corrupt JSON or SARIF, nor forge a finding.
	for _, line := range res.Prints {
		fmt.Fprintln(e.stderr, "tollgate: "+line)
	}
	for _, note := range res.Notes {
		fmt.Fprintln(e.stderr, note)
	}
	level, err := cf.level(res)
	if err != nil {
		return nil, 0, nil, err
	}
	in := reportInput(res, category)
	mark := cf.profile.Mark()
	if err := writeReport(rep, in, rf.output, e.stdout); err != nil {
		return res, level, in, &reportError{err}
	}
	cf.profile.Stage("report", mark)
	if note := res.StaleCatalogNote(opts.Now); note != "" {
		fmt.Fprintln(e.stderr, note)
	}
	return res, level, in, nil
}

// writeProfile writes the profile of lint --profile to path ("-": stderr).
func writeProfile(p *prof.Profile, path string, stderr io.Writer) error {
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		return err
	}
	if path == "-" {
		_, err := stderr.Write(buf.Bytes())
		return err
	}
	if err := writeBytes(buf.Bytes(), path, nil); err != nil {
		return &reportError{fmt.Errorf("--profile: %w", err)}
	}
	return nil
}

// reportError is a report that could not be written (exit 3 for lint; apply refuses and records
// the attempt). The check's result comes with it.
type reportError struct{ err error }

func (e *reportError) Error() string { return "cannot write the report: " + e.err.Error() }
func (e *reportError) Unwrap() error { return e.err }

// internalOnReport turns a report that could not be written into exit code 3.
func internalOnReport(err error) error {
	var re *reportError
	if errors.As(err, &re) {
		return &exitError{code: ExitInternal, err: err}
	}
	return err
}

// sameFile reports whether two output paths name one file: writing both would leave only one.
func sameFile(a, b string) bool {
	if a == "" || b == "" || a == "-" || b == "-" {
		return false
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == ab {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func reportInput(res *lint.Result, category string) *report.Input {
	return &report.Input{
		Findings:    res.Findings,
		Catalog:     res.Catalog,
		Sources:     res.Source,
		ToolVersion: version(),
		Files:       res.FileCount(),
		Category:    category,
	}
}

// writeReport renders into memory first, so a failing reporter never leaves half a file, and
// creates the file anew (never appending to an older, longer report).
func writeReport(rep report.Reporter, in *report.Input, path string, stdout io.Writer) error {
	var buf bytes.Buffer
	if err := rep.Report(&buf, in); err != nil {
		return err
	}
	return writeBytes(buf.Bytes(), path, stdout)
}

// writeBytes writes a finished report to path ("" or "-": stdout), creating the file anew.
func writeBytes(data []byte, path string, stdout io.Writer) error {
	if path == "" || path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, data, 0o644)
}

func summaryPath(format string, e *env) string {
	if format != "github" {
		return ""
	}
	return e.getenv("GITHUB_STEP_SUMMARY")
}

// useColor decides on ANSI colour: never into a file, never with NO_COLOR, auto on a terminal.
func useColor(mode, output string, e *env) (bool, error) {
	switch mode {
	case "never":
		return false, nil
	case "always":
		return output == "", nil
	case "auto":
		if output != "" || e.getenv("NO_COLOR") != "" || e.getenv("TERM") == "dumb" {
			return false, nil
		}
		f, ok := e.stdout.(*os.File)
		if !ok {
			return false, nil
		}
		fi, err := f.Stat()
		return err == nil && fi.Mode()&os.ModeCharDevice != 0, nil
	}
	return false, usagef("--color %q: want auto, always or never", mode)
}
