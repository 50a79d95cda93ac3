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
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The differential test runs conftest v0.71.1 itself and this package on conftest's own
// examples, in the same process environment, and compares what each reports.
//
// conftest comes from TOLLGATE_CONFTEST (a path to the binary; .ci/run installs it and sets
// it), or else is built with `go install` into a temporary GOBIN. Where that cannot be done
// (no module proxy, or a cold build longer than installBudget), the test skips and says why;
// with TOLLGATE_REQUIRE_CONFTEST=1 (.ci/run) it fails instead.

const conftestModule = "github.com/open-policy-agent/conftest@v0.71.1"

// installBudget bounds building conftest inside the test.
const installBudget = 4 * time.Minute

// TestMain removes the conftest built for the test, if one was.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

var (
	builtDir               string // the temporary GOBIN, removed after the tests
	moduleOnce, binaryOnce sync.Once
	modDir, modWhy         string
	conftestBin, binWhy    string
)

// unavailable skips t, or fails it under TOLLGATE_REQUIRE_CONFTEST=1.
func unavailable(t *testing.T, what, why string) {
	t.Helper()
	msg := what + " is not available (" + why + ")"
	if os.Getenv("TOLLGATE_REQUIRE_CONFTEST") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// conftestModuleDir is conftest v0.71.1's module directory (holding examples/), which go mod
// download puts in the module cache (read-only).
func conftestModuleDir(t *testing.T) string {
	t.Helper()
	moduleOnce.Do(func() {
		cmd := exec.Command("go", "mod", "download", "-json", conftestModule)
		cmd.Dir = os.TempDir() // outside tollgate's module, so its go.mod is left alone
		out, err := cmd.Output()
		if err != nil {
			modWhy = fmt.Sprintf("go mod download %s failed: %v", conftestModule, err)
			return
		}
		var info struct{ Dir string }
		if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
			modWhy = "go mod download gave no module directory"
			return
		}
		modDir = info.Dir
	})
	if modDir == "" {
		unavailable(t, "conftest v0.71.1's module", modWhy)
	}
	return modDir
}

// conftestSetup finds the conftest binary and its module directory.
func conftestSetup(t *testing.T) (bin, dir string) {
	t.Helper()
	dir = conftestModuleDir(t)
	binaryOnce.Do(func() {
		if b := os.Getenv("TOLLGATE_CONFTEST"); b != "" {
			conftestBin = b
			return
		}
		tmp, err := os.MkdirTemp("", "tollgate-conftest-")
		if err != nil {
			binWhy = err.Error()
			return
		}
		builtDir = tmp
		// A cold build takes 10–25 minutes on 2 cores, more than go test allows a package:
		// past the budget the test skips (with a warm build cache it links in under a minute).
		ctx, cancel := context.WithTimeout(context.Background(), installBudget)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "install", conftestModule)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=")
		if msg, err := cmd.CombinedOutput(); err != nil {
			if ctx.Err() != nil {
				binWhy = fmt.Sprintf("go install %s did not finish within %v", conftestModule, installBudget)
				return
			}
			binWhy = fmt.Sprintf("go install %s failed: %v\n%s", conftestModule, err, lastLines(msg, 5))
			return
		}
		conftestBin = filepath.Join(tmp, "conftest")
	})
	if conftestBin == "" {
		unavailable(t, "conftest v0.71.1", binWhy+"; set TOLLGATE_CONFTEST to its binary")
	}
	// A binary built by go install says "Conftest: dev"; its build information names the module.
	out, err := exec.Command("go", "version", "-m", conftestBin).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "github.com/open-policy-agent/conftest\tv0.71.1") {
		t.Fatalf("%s is not conftest v0.71.1: %v\n%s", conftestBin, err, lastLines(out, 3))
	}
	return conftestBin, dir
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// The kubernetes example's policies, unchanged, on its deployment: each finding points at the
// field its rule tested (a missing field at its deepest existing ancestor).
func TestConftestExampleFindingsLocated(t *testing.T) {
	dir := conftestModuleDir(t)
	got := map[string]string{}
	for _, r := range locatedExample(t, dir, "examples/kubernetes/policy", "examples/kubernetes/deployment.yaml", "examples/kubernetes/service.yaml") {
		got[r.Message] = place(r)
	}
	want := map[string]string{
		// not input.spec.template.spec.securityContext.runAsNonRoot: spec.template.spec
		"Containers must not run as root in Deployment hello-kubernetes": "examples/kubernetes/deployment.yaml:20:5-9 (field)",
		// not required_deployment_selectors, which failed at matchLabels.release
		"Deployment hello-kubernetes must provide app/release labels for pod selectors": "examples/kubernetes/deployment.yaml:14:5-16 (field)",
		// not required_deployment_labels, which failed at the instance label
		"hello-kubernetes must include Kubernetes recommended labels: https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/#labels": "examples/kubernetes/deployment.yaml:5:3-9 (field)",
		// kubernetes.is_deployment: input.kind = "Deployment"
		"Found deployment hello-kubernetes but deployments are not allowed": "examples/kubernetes/deployment.yaml:2:7-17 (field)",
		"Found service hello-kubernetes but services are not allowed":       "examples/kubernetes/service.yaml:2:7-14 (field)",
	}
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d: %v", len(got), len(want), got)
	}
	for msg, w := range want {
		if got[msg] != w {
			t.Errorf("%q at %s, want %s", msg, got[msg], w)
		}
	}
}

func locatedExample(t *testing.T, dir, policy string, files ...string) []Result {
	t.Helper()
	e, err := New(context.Background(), examplePolicies(t, dir, policy), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return check(t, e, exampleDocs(t, dir, files)).Results
}

// examplePolicies parses every .rego file below the paths, as conftest's -p loads them.
func examplePolicies(t *testing.T, dir string, paths ...string) map[string]*ast.Module {
	t.Helper()
	mods := map[string]*ast.Module{}
	for _, p := range paths {
		err := filepath.WalkDir(filepath.Join(dir, p), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
				return err
			}
			src, err := os.ReadFile(path)
			if err == nil {
				mods[path], err = ParseModule(path, src, ast.RegoV1)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return mods
}

// exampleDocs parses YAML files named relative to dir.
func exampleDocs(t *testing.T, dir string, files []string) []Document {
	t.Helper()
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
	return docs
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
		local    bool // paths are in testdata/conftest, not in conftest's module
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
		// tollgate's own fixtures for conftest's parsing and counting quirks.
		{name: "quirks", local: true, policies: []string{"quirks/policy"},
			files: []string{"quirks/values.yaml", "quirks/list.yaml", "quirks/separator.yaml"}},
		{name: "quirks, combined", local: true, policies: []string{"quirks/policy"}, flags: []string{"--combine", "--namespace", "combined"},
			files: []string{"quirks/values.yaml", "quirks/list.yaml", "quirks/separator.yaml"}},
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
			dir := dir
			if tc.local {
				dir = filepath.Join("..", "..", "testdata", "conftest")
			}
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
	mods := examplePolicies(t, dir, policies...)
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
	docs := exampleDocs(t, dir, files)
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
