// Package cli is tollgate's cobra command tree. Commands are thin: they fill an options
// struct, call the engine in another package, pick a reporter and return an exit error.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/buildinfo"
	"github.com/tollgate-dev/tollgate/internal/lint"
	"github.com/tollgate-dev/tollgate/internal/report"
)

// Exit codes, documented in the README; CI systems rely on them.
const (
	ExitOK       = 0 // no finding at or above --fail-level
	ExitFindings = 1 // findings at or above --fail-level, or apply refused/failed
	ExitUsage    = 2 // bad command line or configuration
	ExitInternal = 3 // tollgate itself failed
)

// version is this build's version (a release tag, a Go module or pseudo-version, or "devel"),
// as the SARIF driver and the audit record carry it; `--version` prints buildinfo's whole line.
func version() string { return buildinfo.Get().Version }

// exitError carries an exit code up to Main.
type exitError struct {
	code int
	err  error // nil: nothing more to print
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// Main runs tollgate with args and returns the process exit code. Only main calls os.Exit.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "tollgate: internal error: %v\n%s", r, debug.Stack())
			code = ExitInternal
		}
	}()
	root := newRootCmd(&env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv})
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "tollgate: %s\n", report.CommandSafe(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "tollgate: %s\n", report.CommandSafe(err.Error()))
	var ue *lint.UsageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintln(stderr, "Run 'tollgate --help' for usage.")
		return ExitUsage
	}
	return ExitInternal
}

// env is what commands read from the outside world, so tests can substitute it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "tollgate",
		Short: "The policy gate for Fleet GitOps repositories",
		Long: `tollgate checks a Fleet GitOps repository before it is applied: its structure
against CUE schemas of Fleet's format (both the teams/ and the fleets/ eras), and
organisational policy in Rego (passcodes, OS versions and deadlines, secrets, labels).
Every finding points at file:line:column.`,
		Version:       buildinfo.Get().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("tollgate {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newLintCmd(e), newRulesCmd(e), newExplainCmd(e), newTestCmd(e), newCatalogCmd(e), newApplyCmd(e), newDiffCmd(e))
	return root
}

// usageError marks a command-line mistake (exit code 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }

func usagef(format string, args ...any) error { return &usageError{fmt.Errorf(format, args...)} }

// isCobraUsage reports cobra's own argument errors, which it returns as plain errors.
func isCobraUsage(err error) bool {
	var ue *usageError
	if errors.As(err, &ue) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
