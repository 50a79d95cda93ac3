package cli

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the tollgate command inside scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tollgate": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scenarios in testdata/script/*.txtar: exit codes, formats,
// configuration errors, user rules, suppressions, apply.
func TestScripts(t *testing.T) {
	corpora, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("CORPORA", corpora+"/../../../shared/corpora")
			env.Setenv("NO_COLOR", "")
			env.Setenv("SOURCE_DATE_EPOCH", "1795564800") // 2026-11-25, so date rules are stable
			return nil
		},
		RequireExplicitExec: false,
	})
}
