package conftest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The differential test runs conftest v0.71.1 itself and this package on conftest's own
// examples, in the same process environment, and compares what each reports.
//
// conftest comes from TOLLGATE_CONFTEST (a path to the binary; .ci/run installs it and sets
// it), or else is built with `go install` into a temporary GOBIN. Where that cannot be done
// (no module proxy, no cache), the test skips and says why; with TOLLGATE_REQUIRE_CONFTEST=1
// (.ci/run) it fails instead.

const conftestModule = "github.com/open-policy-agent/conftest@v0.71.1"

var (
	conftestOnce          sync.Once
	conftestBin, modDir   string
	conftestWhy           string
	conftestBuildFailures []string
)

// conftestSetup finds conftest and its module directory (holding examples/).
func conftestSetup(t *testing.T) (bin, dir string) {
	t.Helper()
	conftestOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "tollgate-conftest-")
		if err != nil {
			conftestWhy = err.Error()
			return
		}
		// The module's files: go mod download puts them in the module cache (read-only).
		cmd := exec.Command("go", "mod", "download", "-json", conftestModule)
		cmd.Dir = tmp // outside tollgate's module, so its go.mod is left alone
		out, err := cmd.Output()
		if err != nil {
			conftestWhy = fmt.Sprintf("go mod download %s failed: %v", conftestModule, err)
			return
		}
		var info struct{ Dir string }
		if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
			conftestWhy = "go mod download gave no module directory"
			return
		}
		modDir = info.Dir
		if b := os.Getenv("TOLLGATE_CONFTEST"); b != "" {
			conftestBin = b
			return
		}
		cmd = exec.Command("go", "install", conftestModule)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=")
		if msg, err := cmd.CombinedOutput(); err != nil {
			conftestWhy = fmt.Sprintf("go install %s failed: %v\n%s", conftestModule, err, lastLines(msg, 5))
			return
		}
		conftestBin = filepath.Join(tmp, "conftest")
	})
	if conftestBin == "" || modDir == "" {
		msg := "conftest v0.71.1 is not available (" + conftestWhy + "); set TOLLGATE_CONFTEST to its binary"
		if os.Getenv("TOLLGATE_REQUIRE_CONFTEST") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// A binary built by go install says "Conftest: dev"; its build information names the module.
	out, err := exec.Command("go", "version", "-m", conftestBin).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "github.com/open-policy-agent/conftest\tv0.71.1") {
		t.Fatalf("%s is not conftest v0.71.1: %v\n%s", conftestBin, err, lastLines(out, 3))
	}
	return conftestBin, modDir
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// outcome is one result as both tools report it.
type outcome struct {
	File, Namespace, Kind, Message, Metadata string
}

func TestConftestExamplesDifferential(t *testing.T) {
	bin, dir := conftestSetup(t)
	cases := []struct {
		name     string
		policies []string
		data     []string
		files    []string
		flags    []string
		none     bool // conftest reports no result and no success
	}{
		{name: "kubernetes", policies: []string{"examples/kubernetes/policy"},
			files: []string{"examples/kubernetes/deployment.yaml", "examples/kubernetes/service.yaml", "examples/kubernetes/deployment+service.yaml"}},
		{name: "kubernetes, all namespaces", policies: []string{"examples/kubernetes/policy"}, flags: []string{"--all-namespaces"},
			files: []string{"examples/kubernetes/deployment.yaml", "examples/kubernetes/deployment+service.yaml"}},
		{name: "kubernetes, namespace glob", policies: []string{"examples/kubernetes/policy"}, flags: []string{"--namespace", "k*", "--namespace", "ma?n"},
			files: []string{"examples/kubernetes/deployment+service.yaml"}},
		{name: "kubernetes, a namespace with no policy", policies: []string{"examples/kubernetes/policy"}, flags: []string{"--namespace", "notpresent"},
			files: []string{"examples/kubernetes/deployment.yaml"}, none: true},
		{name: "kubernetes combine", policies: []string{"examples/kubernetes/combine/combine.rego"}, flags: []string{"--combine"},
			files: []string{"examples/kubernetes/combine/combine.yaml"}},
		{name: "kubernetes combine, separate files", policies: []string{"examples/kubernetes/combine/combine.rego"}, flags: []string{"--combine"},
			files: []string{"examples/kubernetes/combine/service.yaml", "examples/kubernetes/combine/deployment.yaml"}},
		{name: "kustomize", policies: []string{"examples/kustomize/policy"},
			files: []string{"examples/kustomize/configMap.yaml", "examples/kustomize/deployment.yaml", "examples/kustomize/kustomization.yaml", "examples/kustomize/service.yaml"}},
		{name: "combine", policies: []string{"examples/combine/policy"}, flags: []string{"--combine"},
			files: []string{"examples/combine/team.yaml", "examples/combine/user1.yaml", "examples/combine/user2.yaml"}},
		{name: "combine, multi-document", policies: []string{"examples/combine/policy"}, flags: []string{"--combine"},
			files: []string{"examples/combine/team.yaml", "examples/combine/users.yaml"}},
		{name: "exceptions", policies: []string{"examples/exceptions/policy"},
			files: []string{"examples/exceptions/deployments.yaml"}},
		{name: "data", policies: []string{"examples/data/policy"}, data: []string{"examples/data/exclusions"},
			files: []string{"examples/data/service.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"test", "--no-color", "-o", "json"}
			for _, p := range tc.policies {
				args = append(args, "-p", p)
			}
			for _, d := range tc.data {
				args = append(args, "-d", d)
			}
			args = append(append(args, tc.flags...), tc.files...)
			theirs, theirSuccesses := runConftest(t, bin, dir, args)
			ours, ourSuccesses := runOurs(t, dir, tc.policies, tc.data, tc.files, tc.flags)
			if nothing := len(theirs) == 0 && theirSuccesses == 0; nothing != tc.none {
				t.Fatalf("conftest reported nothing: %v, want %v", nothing, tc.none)
			}
			if !slices.Equal(theirs, ours) {
				t.Errorf("results differ\nconftest: %s\ntollgate: %s", show(theirs), show(ours))
			}
			if theirSuccesses != ourSuccesses {
				t.Errorf("successes: conftest %d, tollgate %d", theirSuccesses, ourSuccesses)
			}
		})
	}
}

func show(list []outcome) string {
	var b strings.Builder
	for _, o := range list {
		fmt.Fprintf(&b, "\n  %s %s %s %q %s", o.File, o.Namespace, o.Kind, o.Message, o.Metadata)
	}
	return b.String()
}

// runConftest runs conftest test -o json in dir and reads its results.
func runConftest(t *testing.T, bin, dir string, args []string) ([]outcome, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1 || stderr.Len() > 0) {
		t.Fatalf("conftest %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var results []struct {
		Filename   string
		Namespace  string
		Successes  int
		Warnings   []map[string]any
		Failures   []map[string]any
		Exceptions []map[string]any
	}
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("conftest output: %v\n%s", err, stdout.String())
	}
	var out []outcome
	successes := 0
	for _, r := range results {
		successes += r.Successes
		for kind, list := range map[string][]map[string]any{"failure": r.Failures, "warning": r.Warnings, "exception": r.Exceptions} {
			for _, x := range list {
				msg, _ := x["msg"].(string)
				out = append(out, outcome{File: r.Filename, Namespace: r.Namespace, Kind: kind, Message: msg, Metadata: canonical(x["metadata"])})
			}
		}
	}
	sortOutcomes(out)
	return out, successes
}

// runOurs loads the same policies, data and files as conftest would and checks them.
func runOurs(t *testing.T, dir string, policies, data, files, flags []string) ([]outcome, int) {
	t.Helper()
	mods := map[string]*ast.Module{}
	for _, p := range policies {
		err := filepath.WalkDir(filepath.Join(dir, p), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			m, err := ParseModule(path, src, ast.RegoV1)
			mods[path] = m
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	opts := Options{}
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case "--all-namespaces":
			opts.AllNamespaces = true
		case "--combine":
			opts.Combine = true
		case "--namespace":
			i++
			opts.Namespaces = append(opts.Namespaces, flags[i])
		default:
			t.Fatalf("flag %s is not mapped", flags[i])
		}
	}
	var err error
	if opts.Data, err = LoadData(os.DirFS(dir), data); err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), mods, opts)
	if err != nil {
		t.Fatal(err)
	}
	var docs []Document
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		ds, _, err := ParseYAML(f, src)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, ds...)
	}
	rep, err := e.Check(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, er := range rep.Errors {
		t.Errorf("tollgate: %v", er)
	}
	var out []outcome
	for _, r := range rep.Results {
		file := docs[r.Document].File
		if opts.Combine {
			file = "Combined"
		}
		var meta any = r.Metadata
		if r.Kind == Exception {
			meta = nil // conftest's exceptions carry no metadata
		}
		out = append(out, outcome{File: file, Namespace: r.Namespace, Kind: r.Kind.String(), Message: r.Message, Metadata: canonical(meta)})
		if r.Location.Start.Line < 1 || r.Location.File == "" {
			t.Errorf("result %q has no place: %+v", r.Message, r.Location)
		}
	}
	sortOutcomes(out)
	return out, rep.Successes
}

// canonical renders metadata as JSON with sorted keys (encoding/json sorts map keys).
func canonical(v any) string {
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		v = nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sortOutcomes(list []outcome) {
	slices.SortFunc(list, func(a, b outcome) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
}
