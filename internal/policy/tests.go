package policy

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/tollgate-dev/tollgate/internal/oscatalog"
)

// TestSummary counts Rego unit test results.
type TestSummary struct {
	Passed, Failed, Errored int
}

// RunTests runs the Rego unit tests (test_* rules in *_test.rego) of the given modules, as
// `opa test` and `conftest verify` do, with tollgate's library, its builtins and its data
// (rule parameter defaults, the OS catalog) available. It writes one line per failure and a
// summary to w. Policies run with the default capabilities, whatever .tollgate.yaml allows:
// OPA's test runner evaluates without them, so it would not hold http.send to allow_net.
// A test's print output is shown up to maxTestOutputLines lines.
func RunTests(ctx context.Context, mods []module, now time.Time, verbose bool, w io.Writer) (TestSummary, error) {
	var sum TestSummary
	modMap := map[string]*ast.Module{}
	params := map[string]any{}
	for _, m := range mods {
		modMap[m.name] = m.ast
		if r, isRule, err := ruleMeta(m); err != nil {
			return sum, err
		} else if isRule {
			p := map[string]any{}
			for _, prm := range r.Params {
				p[prm.Name] = prm.Default
			}
			params[r.ID] = p
		}
	}
	osc := oscatalog.Embedded()
	decls, impls := builtins(osc, now)
	caps := DefaultCapabilities()
	compiler := ast.NewCompiler().WithBuiltins(decls).WithEnablePrintStatements(true).WithCapabilities(caps)
	var custom []*tester.Builtin
	for i, impl := range impls {
		custom = append(custom, &tester.Builtin{Decl: builtinOrder[i], Func: impl})
	}
	store := inmem.NewFromObject(map[string]any{
		"tollgate":   map[string]any{"params": params},
		"os_catalog": osc.Data(),
	})
	runner := tester.NewRunner().SetCompiler(compiler).SetStore(store).AddCustomBuiltins(custom).
		RaiseBuiltinErrors(true).SetTimeout(30 * time.Second).CapturePrintOutput(true).SetModules(modMap)
	ch, err := runner.RunTests(ctx, nil)
	if errs, ok := err.(ast.Errors); ok {
		return sum, compileError(errs, caps, "", true)
	}
	if err != nil {
		return sum, err
	}
	var lines []string
	for r := range ch {
		name := r.Package + "." + r.Name
		where := ""
		if r.Location != nil {
			where = fmt.Sprintf("%s:%d: ", r.Location.File, r.Location.Row)
		}
		switch {
		case r.Error != nil:
			sum.Errored++
			lines = append(lines, fmt.Sprintf("ERROR %s%s: %v", where, name, r.Error))
		case r.Fail:
			sum.Failed++
			lines = append(lines, fmt.Sprintf("FAIL  %s%s", where, name))
		default:
			sum.Passed++
			if verbose {
				lines = append(lines, fmt.Sprintf("PASS  %s", name))
			}
		}
		if (r.Fail || r.Error != nil || verbose) && len(r.Output) > 0 {
			lines = append(lines, "      "+strings.Join(testOutput(r.Output), "\n      "))
		}
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", sum.Passed, sum.Failed+sum.Errored)
	return sum, nil
}

// TestModules gathers the modules for RunTests: the library and bundled rules (with their
// tests when bundledTests), plus user directories with their tests.
func TestModules(userDirs []string, bundledTests bool) ([]module, error) {
	mods, err := Bundled(bundledTests)
	if err != nil {
		return nil, err
	}
	for _, d := range userDirs {
		um, err := UserDir(d, true)
		if err != nil {
			return nil, err
		}
		mods = append(mods, um...)
	}
	return mods, nil
}

// maxTestOutputLines bounds the print output shown for one test.
const maxTestOutputLines = 50

// testOutput is a test's print output as safe lines (print.go's printable), at most
// maxTestOutputLines of them.
func testOutput(out []byte) []string {
	var lines []string
	all := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, l := range all {
		if i == maxTestOutputLines {
			lines = append(lines, fmt.Sprintf("(%d more lines of output not shown)", len(all)-i))
			break
		}
		lines = append(lines, printable(l))
	}
	return lines
}
