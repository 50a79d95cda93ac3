package schema_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/benchgen"
	"github.com/tollgate-dev/tollgate/internal/cli"
	"github.com/tollgate-dev/tollgate/internal/schema"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// TestMemoOffSameReports lints every fixture repository under testdata/, generated
// repositories and every corpus twice, once with the schema memo and once with CUE alone
// (TOLLGATE_SCHEMA_MEMO=off), and requires byte-identical JSON reports and exit codes.
// .ci/run runs it by name, and fails when a part of it skips.
func TestMemoOffSameReports(t *testing.T) {
	t.Run("fixtures", func(t *testing.T) {
		testdata := filepath.Join("..", "..", "testdata")
		var targets []target
		targets = addDirs(t, targets, filepath.Join(testdata, "rules", "*", "*"))
		targets = addDirs(t, targets, filepath.Join(testdata, "examples", "*"))
		targets = addDirs(t, targets, filepath.Join(testdata, "stream", "*"))
		// The organisation schema of testdata/schema, over the examples.
		targets = addDirs(t, targets, filepath.Join(testdata, "examples", "*"), "--schema", filepath.Join(testdata, "schema", "org"))
		if len(targets) < 20 {
			t.Fatalf("only %d fixture repositories found under %s", len(targets), testdata)
		}
		gen := t.TempDir()
		if err := benchgen.Write(filepath.Join(gen, "bench"), 300); err != nil {
			t.Fatal(err)
		}
		targets = addDirs(t, targets, filepath.Join(gen, "bench"))
		// One team with long lists, whose items the memo checks apart (memo/split.go).
		for _, era := range []struct{ dir, global string }{
			{"teams", "policies:\nqueries:\nagent_options:\ncontrols:\norg_settings:\n  secrets:\n    - secret: $GLOBAL\n"},
			{"fleets", "org_settings:\n  secrets:\n    - secret: $GLOBAL\n"},
		} {
			repo := filepath.Join(gen, "large-"+era.dir)
			writeFile(t, filepath.Join(repo, "default.yml"), era.global)
			writeFile(t, filepath.Join(repo, era.dir, "large.yml"), schema.LargeTeam(1500, true, era.dir == "fleets"))
			targets = addDirs(t, targets, repo)
		}
		// The comparison means something only if schema findings are among the outputs.
		if n := compareReports(t, targets); n < 5 {
			t.Errorf("only %d of %d repositories have schema findings: the comparison tests too little", n, len(targets))
		}
	})
	t.Run("corpora", func(t *testing.T) {
		dirs := sharedtest.CorpusDirs(t)
		var targets []target
		for _, d := range dirs {
			targets = addDirs(t, targets, d)
		}
		if like := filepath.Join(sharedtest.Corpora(t), "fleet-it-and-security"); slices.Contains(dirs, like) {
			gen := filepath.Join(t.TempDir(), "like")
			if err := benchgen.WriteLike(gen, like, 60); err != nil {
				t.Fatal(err)
			}
			targets = addDirs(t, targets, gen)
		}
		compareReports(t, targets)
	})
}

type target struct {
	dir  string
	args []string
}

// addDirs adds the directories matching pattern, linted with args.
func addDirs(t *testing.T, targets []target, pattern string, args ...string) []target {
	t.Helper()
	dirs, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		if !isRepo(d) && isRepo(filepath.Join(d, "base")) {
			// A change rule's fixture: the two sides of the change, each a repository.
			for _, side := range []string{"base", "head"} {
				if !isRepo(filepath.Join(d, side)) {
					t.Fatalf("%s has a base repository but no head", d)
				}
				targets = append(targets, target{filepath.Join(d, side), args})
			}
			continue
		}
		// A Fleet repository, or one of Kubernetes manifests: the memo never sees those, and
		// their reports must not change with it either.
		targets = append(targets, target{d, args})
	}
	return targets
}

// isRepo reports a directory with Fleet GitOps entry files.
func isRepo(dir string) bool {
	for _, entry := range []string{"default.yml", "teams", "fleets"} {
		if _, err := os.Stat(filepath.Join(dir, entry)); err == nil {
			return true
		}
	}
	return false
}

// compareReports lints each target with the memo on and off and compares; it returns how
// many reports hold schema findings.
func compareReports(t *testing.T, targets []target) (withFindings int) {
	t.Helper()
	for _, tg := range targets {
		on := lintJSON(t, "on", tg.dir, tg.args)
		off := lintJSON(t, "off", tg.dir, tg.args)
		if !bytes.Equal(on, off) {
			t.Errorf("%s %v: the report with the memo differs from CUE's alone:\n%s", filepath.ToSlash(tg.dir), tg.args, firstDifference(on, off))
		}
		if bytes.Contains(on, []byte(`"source": "cue"`)) {
			withFindings++
		}
	}
	return withFindings
}

// lintJSON runs `tollgate lint --format json` on dir with the memo on or off and returns the
// exit code and report.
func lintJSON(t *testing.T, memo, dir string, args []string) []byte {
	t.Helper()
	t.Setenv(schema.MemoEnv, memo)
	var out, errOut bytes.Buffer
	code := cli.Main(append([]string{"lint", "--format", "json", "--now", "2026-03-01"}, append(args, dir)...), strings.NewReader(""), &out, &errOut)
	if code > 1 {
		t.Fatalf("%s (memo %s): exit %d: %s", dir, memo, code, errOut.String())
	}
	return fmt.Appendf(out.Bytes(), "exit %d\n%s", code, errOut.String())
}

func firstDifference(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  memo: %s\n  cue:  %s", i+1, x, y)
		}
	}
	return "(no line differs)"
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
