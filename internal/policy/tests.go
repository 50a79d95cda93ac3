package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
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
// A test's print output is shown up to maxTestOutputLines lines. time.now_ns() returns now
// unless a test mocks it, as lint --now does (see pinClock).
func RunTests(ctx context.Context, mods []module, now time.Time, verbose bool, w io.Writer) (TestSummary, error) {
	var sum TestSummary
	modMap := map[string]*ast.Module{}
	for _, m := range mods {
		modMap[m.name] = pinClock(m.ast)
	}
	set, err := declaredRules(mods)
	if err != nil {
		return sum, err
	}
	params, err := set.params(Options{}) // the METADATA defaults
	if err != nil {
		return sum, err
	}
	osc := oscatalog.Embedded()
	decls := map[string]*ast.Builtin{pinnedNow.Name: pinnedNow}
	var custom []*tester.Builtin
	for _, f := range functions(osc, now) {
		decls[f.decl.Name] = f.decl
		custom = append(custom, &tester.Builtin{Decl: f.decl, Func: f.impl})
	}
	custom = append(custom, &tester.Builtin{Decl: pinnedNow, Func: rego.FunctionDyn(&rego.Function{Name: pinnedNow.Name, Decl: pinnedNow.Decl},
		func(rego.BuiltinContext, []*ast.Term) (*ast.Term, error) {
			return ast.NumberTerm(json.Number(strconv.FormatInt(now.UnixNano(), 10))), nil
		})})
	caps := DefaultCapabilities()
	compiler := ast.NewCompiler().WithBuiltins(decls).WithEnablePrintStatements(true).WithCapabilities(caps)
	store := inmem.NewFromObject(map[string]any{
		"tollgate":   map[string]any{"params": params},
		"os_catalog": osc.Data(),
	})
	runner := tester.NewRunner().SetCompiler(compiler).SetStore(store).AddCustomBuiltins(custom).
		RaiseBuiltinErrors(true).SetTimeout(30 * time.Second).CapturePrintOutput(true).SetModules(modMap)
	ch, err := runner.RunTests(ctx, nil)
	if errs, ok := err.(ast.Errors); ok {
		for _, e := range errs {
			e.Message = strings.ReplaceAll(e.Message, pinnedNow.Name, ast.NowNanos.Name)
		}
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

// pinnedNow stands in for time.now_ns in tests. OPA's test runner has no way to set the time
// its queries see (lint passes rego.EvalTime; the runner prepares and evaluates each test
// itself), and a custom builtin can't replace a standard one of the same name, so pinClock
// renames the calls, and the targets of `with time.now_ns as …`, to this builtin, which returns
// --now: a test mocking the clock still gets its mock.
var pinnedNow = &ast.Builtin{
	Name: "tollgate.__test_now_ns",
	Decl: ast.NowNanos.Decl,
}

// pinClock returns a copy of m whose references to time.now_ns name pinnedNow (m itself is
// shared: the bundled modules are parsed once).
func pinClock(m *ast.Module) *ast.Module {
	clock := ast.NowNanos.Ref()
	uses := false
	ast.WalkRefs(m, func(r ast.Ref) bool {
		uses = uses || r.Equal(clock)
		return uses
	})
	if !uses {
		return m
	}
	out := m.Copy()
	pinned := ast.MustParseRef(pinnedNow.Name)
	if _, err := ast.TransformRefs(out, func(r ast.Ref) (ast.Value, error) {
		if r.Equal(clock) {
			return pinned.Copy(), nil
		}
		return r, nil
	}); err != nil {
		return m // TransformRefs fails only when the function does; this one never does
	}
	return out
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
