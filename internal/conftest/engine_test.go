package conftest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

const twoDocs = `kind: Deployment
metadata:
  name: a
---
kind: Service
metadata:
  name: b
`

// kinds lists results as "doc kind rule: message".
func kinds(rep *Report) []string {
	var out []string
	for _, r := range rep.Results {
		out = append(out, strings.Join([]string{string(rune('0' + r.Document)), r.Kind.String(), r.Namespace + "." + r.Rule + ":", r.Message}, " "))
	}
	return out
}

func TestRulesAndPrefixes(t *testing.T) {
	e := compile(t, map[string]string{"p.rego": `package main
import rego.v1
deny contains "d" if input.kind == "Deployment"
deny_named contains "dn" if input.kind == "Deployment"
violation_x contains {"msg": "v", "severity": "high"} if input.kind == "Service"
warn contains "w" if input.kind == "Service"
warn_a_b contains "wab" if input.kind == "Service"
denied contains "not a conftest rule" if true
deny_ contains "not a conftest rule either" if true
`}, Options{})
	rep := check(t, e, yamlDocs(t, "f.yaml", twoDocs))
	want := []string{"0 failure main.deny: d", "0 failure main.deny_named: dn",
		"1 failure main.violation_x: v", "1 warning main.warn: w", "1 warning main.warn_a_b: wab"}
	if got := kinds(rep); !reflect.DeepEqual(got, want) {
		t.Errorf("results %q\nwant %q", got, want)
	}
	// Per document: 5 rules, each document fires 2 or 3 of them; the rest are successes.
	if rep.Successes != 3+2 {
		t.Errorf("successes %d, want 5", rep.Successes)
	}
	v := rep.Results[2]
	if v.Metadata["severity"] != "high" || v.Metadata["query"] != "data.main.violation_x" {
		t.Errorf("metadata %v", v.Metadata)
	}
}

func TestNamespaces(t *testing.T) {
	policies := map[string]string{
		"main.rego": "package main\nimport rego.v1\ndeny contains \"main\" if true\n",
		"k8s.rego":  "package k8s.apps\nimport rego.v1\ndeny contains \"k8s\" if true\n",
		"kx.rego":   "package kx\nimport rego.v1\nwarn contains \"kx\" if true\n",
	}
	for _, tc := range []struct {
		name string
		opts Options
		want []string
	}{
		{"default is main", Options{}, []string{"main"}},
		{"named", Options{Namespaces: []string{"kx"}}, []string{"kx"}},
		{"all", Options{AllNamespaces: true}, []string{"k8s", "kx", "main"}},
		{"glob", Options{Namespaces: []string{"k*"}}, []string{"k8s", "kx"}},
		{"glob with a literal", Options{Namespaces: []string{"k8s.*", "main"}}, []string{"k8s", "main"}},
		{"absent", Options{Namespaces: []string{"none"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := check(t, compile(t, policies, tc.opts), yamlDocs(t, "f.yaml", "a: 1\n"))
			var got []string
			for _, r := range rep.Results {
				got = append(got, r.Message)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("messages %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExceptions(t *testing.T) {
	e := compile(t, map[string]string{"p.rego": `package main
import rego.v1
deny_root contains "runs as root" if input.kind == "Deployment"
deny_latest contains "uses latest" if input.kind == "Deployment"
exception contains rules if {
	input.metadata.name == "a"
	rules := ["root"]
}
exception contains rules if {
	input.metadata.name == "a"
	rules := ["root", "other"]
}`}, Options{})
	rep := check(t, e, yamlDocs(t, "f.yaml", twoDocs))
	// Two exception rules name "root": two exceptions, and deny_root reports nothing.
	want := []string{`0 exception main.deny_root: data.main.exception[_][_] == "root"`,
		`0 exception main.deny_root: data.main.exception[_][_] == "root"`,
		"0 failure main.deny_latest: uses latest"}
	got := kinds(rep)
	if !reflect.DeepEqual(got, []string{want[2], want[0], want[1]}) && !reflect.DeepEqual(got, want) {
		t.Errorf("results %q\nwant %q", got, want)
	}
	if f, w, x := rep.Totals(); f != 1 || w != 0 || x != 2 {
		t.Errorf("totals %d %d %d", f, w, x)
	}
	// Document 1: both rules pass (2); document 0: 3 results for 2 definitions, nothing more.
	if rep.Successes != 2 {
		t.Errorf("successes %d, want 2", rep.Successes)
	}
}

func TestSuccessCounting(t *testing.T) {
	// conftest counts one success per rule query that came back empty, then tops the count up
	// to the number of rule definitions.
	e := compile(t, map[string]string{"p.rego": `package main
import rego.v1
deny contains "x" if input.x
deny contains "y" if input.y
deny contains "z" if input.z
warn contains "" if true
violation := [] if true
`}, Options{})
	rep := check(t, e, yamlDocs(t, "f.yaml", "x: true\n"))
	if f, _, _ := rep.Totals(); f != 1 {
		t.Errorf("failures %d, want 1", f)
	}
	// deny: 1 failure (3 definitions); warn: "" is a success; violation: empty, a success.
	// 1 + 2 = 3 < 5 definitions, so 2 more: 4 successes.
	if rep.Successes != 4 {
		t.Errorf("successes %d, want 4", rep.Successes)
	}
}

func TestResultShapes(t *testing.T) {
	e := compile(t, map[string]string{"p.rego": `package main
import rego.v1
deny contains 42 if true
warn contains {"msg": "placed", "_loc": {"file": "other.yaml", "line": 7}} if true
violation := ["listed", {"msg": "object", "k": 1}] if true
`}, Options{})
	rep := check(t, e, yamlDocs(t, "f.yaml", "a: 1\n"))
	got := kinds(rep)
	want := []string{"0 failure main.violation: listed", "0 failure main.violation: object", "0 warning main.warn: placed"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("results %q\nwant %q", got, want)
	}
	if p := place(rep.Results[2]); p != "other.yaml:7:1-1 (policy)" {
		t.Errorf("_loc gave %s", p)
	}
	if _, ok := rep.Results[2].Metadata["_loc"]; ok {
		t.Error("_loc kept in metadata")
	}
}

func TestObjectWithoutMessageIsAnError(t *testing.T) {
	e := compile(t, map[string]string{"p.rego": `package main
import rego.v1
deny contains {"message": "no msg key"} if true
warn contains "still reported" if true
`}, Options{})
	rep, err := e.Check(context.Background(), yamlDocs(t, "f.yaml", "a: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Rule != "deny" || !strings.Contains(rep.Errors[0].Error(), `"msg"`) {
		t.Errorf("errors %v", rep.Errors)
	}
	if len(rep.Results) != 1 || rep.Results[0].Message != "still reported" {
		t.Errorf("the other rule's result is lost: %v", kinds(rep))
	}
}

func TestBuiltinErrors(t *testing.T) {
	policy := map[string]string{"p.rego": `package main
import rego.v1
deny contains "bad number" if to_number(input.count) > 3
`}
	docs := yamlDocs(t, "f.yaml", "count: abc\n")
	rep, err := compile(t, policy, Options{}).Check(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Error(), "to_number") {
		t.Errorf("a failing builtin is not reported: %v", rep.Errors)
	}
	rep = check(t, compile(t, policy, Options{IgnoreBuiltinErrors: true}), docs)
	if len(rep.Results) != 0 || rep.Successes != 1 {
		t.Errorf("ignored builtin error: %v, %d successes", kinds(rep), rep.Successes)
	}
}

func TestCapabilities(t *testing.T) {
	src := `package main
import rego.v1
deny contains "x" if http.send({"method": "GET", "url": "http://127.0.0.1:1"}).status_code == 200
`
	m, err := ParseModule("p.rego", []byte(src), ast.RegoV1)
	if err != nil {
		t.Fatal(err)
	}
	mods := map[string]*ast.Module{"p.rego": m}
	if _, err := New(context.Background(), mods, Options{}); err == nil || !strings.Contains(err.Error(), "http.send") {
		t.Errorf("http.send compiled under the default capabilities: %v", err)
	}
	if _, err := New(context.Background(), mods, Options{Capabilities: ast.CapabilitiesForThisVersion()}); err != nil {
		t.Errorf("the caller's capabilities are not used: %v", err)
	}
	narrow := &ast.Capabilities{Builtins: []*ast.Builtin{ast.Equality, ast.Assign, ast.Member}}
	m2, _ := ParseModule("q.rego", []byte("package main\nimport rego.v1\ndeny contains msg if msg := sprintf(\"%v\", [1])\n"), ast.RegoV1)
	if _, err := New(context.Background(), map[string]*ast.Module{"q.rego": m2}, Options{Capabilities: narrow}); err == nil {
		t.Error("sprintf compiled with capabilities that leave it out")
	}
}

func TestProblematicIf(t *testing.T) {
	m, err := ParseModule("p.rego", []byte("package main\nimport rego.v1\ndeny[msg] if { msg := \"foo\" }\n"), ast.RegoV1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(context.Background(), map[string]*ast.Module{"p.rego": m}, Options{}); err == nil || !strings.Contains(err.Error(), "contains") {
		t.Errorf("deny if without contains: %v", err)
	}
}

func TestFileInfoAndNow(t *testing.T) {
	e := compile(t, map[string]string{"p.rego": `package main
import rego.v1
warn contains msg if msg := sprintf("%s in %s at %d", [data.conftest.file.name, data.conftest.file.dir, time.now_ns()])
`}, Options{Root: "/repo", Now: time.Unix(5, 0)})
	rep := check(t, e, yamlDocs(t, "k8s/a.yaml", "a: 1\n", "b.yaml", "b: 1\n"))
	got := kinds(rep)
	want := []string{"0 warning main.warn: a.yaml in /repo/k8s at 5000000000", "1 warning main.warn: b.yaml in /repo at 5000000000"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results %q\nwant %q", got, want)
	}
	e = compile(t, map[string]string{"p.rego": `package main
import rego.v1
warn contains data.conftest.file.name if true
`}, Options{Combine: true})
	if got := kinds(check(t, e, yamlDocs(t, "a.yaml", "a: 1\n"))); !reflect.DeepEqual(got, []string{"0 warning main.warn: Combined"}) {
		t.Errorf("combined file name %q", got)
	}
}

func TestData(t *testing.T) {
	e := compile(t, map[string]string{"p.rego": `package main
import rego.v1
deny contains msg if {
	some p in input.spec.ports
	p.port in data.services.ports
	msg := sprintf("port %v is denied", [p.port])
}`}, Options{Data: map[string]any{"services": map[string]any{"ports": []any{22, 21}}}})
	rep := check(t, e, yamlDocs(t, "s.yaml", "spec:\n  ports:\n  - port: 80\n  - port: 22\n"))
	if len(rep.Results) != 1 || rep.Results[0].Message != "port 22 is denied" {
		t.Fatalf("results %q", kinds(rep))
	}
	if p := place(rep.Results[0]); p != "s.yaml:4:11-13 (field)" {
		t.Errorf("located at %s", p)
	}
}

func TestCombineLocatesInTheDocument(t *testing.T) {
	e := compile(t, map[string]string{"p.rego": `package main
import rego.v1
deny contains msg if {
	some i, j
	input[i].contents.metadata.name == input[j].contents.metadata.name
	i < j
	msg := sprintf("%s is defined twice", [input[j].contents.metadata.name])
}`}, Options{Combine: true})
	docs := yamlDocs(t, "b.yaml", "kind: Service\nmetadata:\n  name: web\n", "a.yaml", "kind: Deployment\n\nmetadata:\n    name: web\n")
	rep := check(t, e, docs)
	if len(rep.Results) != 1 {
		t.Fatalf("results %q", kinds(rep))
	}
	// The combined input is sorted by path: a.yaml is element 0, b.yaml element 1 (j).
	r := rep.Results[0]
	if p := place(r); p != "b.yaml:3:9-12 (field)" || r.Document != 0 {
		t.Errorf("located at %s in document %d", p, r.Document)
	}
}

func TestNoPoliciesAndCompileErrors(t *testing.T) {
	if _, err := New(context.Background(), nil, Options{}); err == nil {
		t.Error("no policies accepted")
	}
	m, _ := ParseModule("p.rego", []byte("package main\nimport rego.v1\ndeny contains x if y\n"), ast.RegoV1)
	if _, err := New(context.Background(), map[string]*ast.Module{"p.rego": m}, Options{}); err == nil {
		t.Error("an unsafe variable compiled")
	}
}

// One engine checks documents from several goroutines (the pipeline evaluates files in
// parallel); under -race this also shows it shares nothing unguarded.
func TestConcurrentChecks(t *testing.T) {
	for _, policy := range []string{corpusPolicy, corpusPolicy + "\nwarn contains data.conftest.file.name if true\n"} {
		e := compile(t, map[string]string{"p.rego": policy}, Options{})
		docs := yamlDocs(t, "d.yaml", deployment)
		want := kinds(check(t, e, docs))
		errs := make(chan string, 8)
		for range 8 {
			go func() {
				rep, err := e.Check(context.Background(), docs)
				if err != nil {
					errs <- err.Error()
					return
				}
				if got := kinds(rep); !reflect.DeepEqual(got, want) {
					errs <- strings.Join(got, "; ")
					return
				}
				errs <- ""
			}()
		}
		for range 8 {
			if msg := <-errs; msg != "" {
				t.Errorf("a concurrent check differs: %s", msg)
			}
		}
	}
}

// A document without a locator is placed at its file's first line, and nothing is traced.
func TestUnlocatedDocument(t *testing.T) {
	e := compile(t, map[string]string{"p.rego": corpusPolicy}, Options{})
	docs := yamlDocs(t, "d.yaml", deployment)
	docs[0].Locate = nil
	rep := check(t, e, docs)
	if len(rep.Results) == 0 {
		t.Fatal("no results")
	}
	for _, r := range rep.Results {
		if p := place(r); p != "d.yaml:1:1-1 (document)" || r.Path != nil {
			t.Errorf("%q at %s, path %v", r.Message, p, r.Path)
		}
	}
}
