package policy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestRunTestsNow: `tollgate test --now D` pins time.now_ns() to D in the policies and their
// tests, as lint --now does, so lib.today and a rule's own clock read D; a test that mocks the
// clock (with time.now_ns as …) still gets its mock. The modules given are not changed: a
// second run with another date sees that date.
func TestRunTestsNow(t *testing.T) {
	rule := mustParse(t, "policy/deadline.rego", `package org.deadline

import data.tollgate.lib

today := time.format([time.now_ns(), "UTC", "2006-01-02"])

lib_today := lib.today

past(d) if lib.days_between(d, lib.today) > 0
`)
	tests := mustParse(t, "policy/deadline_test.rego", `package org.deadline_test

import data.org.deadline

test_clock if deadline.today == "2026-01-02"

test_library if deadline.lib_today == "2026-01-02"

test_past if deadline.past("2026-01-01")

test_mocked if {
	deadline.today == "2030-05-05" with time.now_ns as 1904169600000000000
	not deadline.past("2030-01-01") with time.now_ns as 1577836800000000000
}
`)
	lib, err := Bundled(false)
	if err != nil {
		t.Fatal(err)
	}
	mods := append(lib, module{name: "policy/deadline.rego", ast: rule}, module{name: "policy/deadline_test.rego", ast: tests})

	var out strings.Builder
	sum, err := RunTests(context.Background(), mods, time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC), false, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Passed != 4 || sum.Failed+sum.Errored != 0 {
		t.Errorf("--now 2026-01-02: %+v, want 4 passed\n%s", sum, out.String())
	}

	// Another date: test_clock, test_library fail (they expect 2026-01-02); past and the mocks pass.
	out.Reset()
	sum, err = RunTests(context.Background(), mods, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), false, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Passed != 2 || sum.Failed != 2 || !strings.Contains(out.String(), "FAIL  policy/deadline_test.rego:5: data.org.deadline_test.test_clock") {
		t.Errorf("--now 2027-06-01: %+v, want 2 passed and test_clock failing at its line\n%s", sum, out.String())
	}
	if s := rule.String(); !strings.Contains(s, "time.now_ns()") {
		t.Errorf("RunTests changed the module it was given:\n%s", s)
	}
}

func mustParse(t *testing.T, name, src string) *ast.Module {
	t.Helper()
	m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A mistake in a call of time.now_ns is reported under that name, not the stand-in's.
func TestRunTestsNowErrorName(t *testing.T) {
	mods := []module{{name: "policy/p_test.rego", ast: mustParse(t, "policy/p_test.rego", "package p_test\n\ntest_clock if time.now_ns(1) > 0\n")}}
	_, err := RunTests(context.Background(), mods, time.Now(), false, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "time.now_ns") || strings.Contains(err.Error(), pinnedNow.Name) {
		t.Errorf("error = %v, want one naming time.now_ns", err)
	}
}
