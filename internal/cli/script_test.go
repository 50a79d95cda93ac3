package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
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
	corpora, _ := sharedtest.Dir() // "" without ../shared: scripts that need it skip (see apply_template.txtar)
	if corpora != "" {
		corpora = filepath.Join(corpora, "corpora")
	} else if sharedtest.Required() {
		t.Fatal("TOLLGATE_REQUIRE_SHARED=1 but ../shared is missing")
	}
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("CORPORA", corpora)
			env.Setenv("NO_COLOR", "")
			env.Setenv("SOURCE_DATE_EPOCH", "1795564800") // 2026-11-25, so date rules are stable
			return nil
		},
		// [shared]: the corpora beside the checkout are present.
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				return corpora != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		RequireExplicitExec: false,
	})
}
