package policy

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown/print"
)

// hugeSet builds a set of 25 million strings: gigabytes and minutes if nothing stops it.
const hugeSet = `package main

deny contains sprintf("%d", [count(s)]) if {
	s := {sprintf("%d-%d", [x, y]) | some x in numbers.range(1, 5000); some y in numbers.range(1, 5000)}
}
`

// A second rule that finishes at once: its finding must survive the first one's stop.
const quickRule = `package quick

deny contains "quick rule ran" if { true }
`

// limitedRun evaluates srcs on one input, twice, under the limits of a run of inputs inputs:
// the findings and policy errors of each evaluation, and how long each took.
func limitedRun(t *testing.T, opts Options, inputs int, srcs ...string) (msgs [2][]string, errs [2][]string, took [2]time.Duration) {
	t.Helper()
	e, err := engineFor(t, opts, srcs...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := e.WithLimits(context.Background(), inputs)
	defer cancel()
	for i := range 2 {
		start := time.Now()
		msgs[i], errs[i] = evalConftest(t, ctx, e, `{}`)
		took[i] = time.Since(start)
	}
	return msgs, errs, took
}

// A rule that runs away is stopped at its own time limit; the other rules still run.
func TestRuleTimeLimit(t *testing.T) {
	msgs, errs, took := limitedRun(t, Options{RuleTimeout: 300 * time.Millisecond, Timeout: 30 * time.Second}, 0, hugeSet, quickRule)
	if took[0] > 10*time.Second {
		t.Errorf("took %v for a rule limited to 300ms", took[0])
	}
	if !slices.Equal(msgs[0], []string{"quick rule ran"}) {
		t.Errorf("findings %q, want the quick rule's", msgs[0])
	}
	if len(errs[0]) != 1 || !strings.Contains(errs[0][0], "rule conftest/main/deny did not finish, so its checks did not run: it used up its time limit (300ms for the run)") {
		t.Fatalf("errors %q", errs[0])
	}
	// The limit is the rule's for the whole run: the next input gets no more time.
	if len(errs[1]) != 1 || !strings.Contains(errs[1][0], "used up its time limit") || took[1] > time.Second {
		t.Errorf("second input: errors %q after %v, want the time limit at once", errs[1], took[1])
	}
}

// A run of many inputs gives each rule more time: a large repository is not failed for its
// size (2 ms more per input: 100 inputs make a 300ms limit 500ms).
func TestRuleTimeLimitGrowsWithInputs(t *testing.T) {
	_, errs, took := limitedRun(t, Options{RuleTimeout: 300 * time.Millisecond, Timeout: 30 * time.Second}, 100, hugeSet, quickRule)
	if len(errs[0]) != 1 || !strings.Contains(errs[0][0], "it used up its time limit (500ms for the run)") {
		t.Fatalf("errors %q, want the rule stopped at 500ms", errs[0])
	}
	if took[0] < 400*time.Millisecond {
		t.Errorf("stopped after %v, before its 500ms", took[0])
	}
}

// The run's time limit stops what is still running when it passes.
func TestRunTimeLimit(t *testing.T) {
	_, errs, took := limitedRun(t, Options{RuleTimeout: time.Minute, Timeout: 300 * time.Millisecond}, 0, hugeSet)
	if took[0] > 10*time.Second {
		t.Errorf("took %v for a run limited to 300ms", took[0])
	}
	if len(errs[0]) != 1 || !strings.Contains(errs[0][0], "the run's time limit (300ms) passed") {
		t.Errorf("errors %q", errs[0])
	}
}

// Past the memory ceiling, evaluation stops and says why, long before the time limits. The
// policy doubles a string 23 times (512 MiB at the end, twice that allocated): it is stopped
// near the ceiling, 16 MiB above what the test started with.
func TestMemoryCeiling(t *testing.T) {
	var doubling strings.Builder
	doubling.WriteString("package main\n\ndeny contains sprintf(\"%d\", [count(s23)]) if {\n\ts0 := \"" + strings.Repeat("x", 64) + "\"\n")
	for i := 1; i <= 23; i++ {
		fmt.Fprintf(&doubling, "\ts%d := concat(\"\", [s%d, s%d])\n", i, i-1, i-1)
	}
	doubling.WriteString("}\n")
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	ceiling := int64(s[0].Value.Uint64()) + 16<<20
	_, errs, took := limitedRun(t, Options{RuleTimeout: time.Minute, Timeout: time.Minute, MaxMemory: ceiling}, 0, doubling.String())
	if len(errs[0]) != 1 || !strings.Contains(errs[0][0], "tollgate's memory passed its ceiling") {
		t.Fatalf("errors %q after %v", errs[0], took[0])
	}
	if took[0] > 20*time.Second {
		t.Errorf("stopped after %v", took[0])
	}
	t.Logf("stopped after %v at a ceiling of %d MiB", took[0], ceiling>>20)
}

// What print() writes is bounded, one safe line per call, and the same whatever order the
// parallel evaluations printed in.
func TestPrintLog(t *testing.T) {
	type call struct {
		row int
		msg string
	}
	var calls []call
	for i := range 1000 {
		calls = append(calls, call{row: i % 7, msg: fmt.Sprintf("value %04d", i%400)})
	}
	for range 50 { // the first line, 51 times in all: one line with its count
		calls = append(calls, call{row: 0, msg: "value 0000"})
	}
	calls = append(calls, call{row: 1, msg: "::error::forged\nline\x1b[31m"})
	render := func(seed uint64) []string {
		order := slices.Clone(calls)
		rand.New(rand.NewPCG(seed, seed)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var l printLog
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := w; i < len(order); i += 4 {
					c := order[i]
					l.Print(print.Context{Location: &ast.Location{File: "p.rego", Row: c.row}}, c.msg)
				}
			})
		}
		wg.Wait()
		return l.lines()
	}
	first := render(1)
	if len(first) != maxPrintLines+1 {
		t.Fatalf("%d lines, want %d and a count of the rest", len(first), maxPrintLines+1)
	}
	if !slices.Equal(first, render(2)) {
		t.Error("the output depends on the order of the calls")
	}
	if first[0] != "print: p.rego:0: value 0000 (×51)" {
		t.Errorf("first line %q, want the line printed 51 times, with its count", first[0])
	}
	kept := 0
	for _, l := range first[:maxPrintLines] {
		if strings.ContainsAny(l, "\n\x1b") {
			t.Errorf("line %q is not escaped", l)
		}
		n := 1
		if i := strings.LastIndex(l, " (×"); i >= 0 {
			fmt.Sscanf(l[i:], " (×%d)", &n)
		}
		kept += n
	}
	if want := fmt.Sprintf("print: %d more lines not shown (the first %d distinct lines in file order are)", len(calls)-kept, maxPrintLines); first[maxPrintLines] != want {
		t.Errorf("last line %q, want %q", first[maxPrintLines], want)
	}
	if got := printable(strings.Repeat("é", 2*maxPrintChars)); len([]rune(got)) != maxPrintChars+1 {
		t.Errorf("a long line keeps %d characters, want %d and an ellipsis", len([]rune(got)), maxPrintChars)
	}
	if got := printable("::error::x\nnext\r\x1b"); got != `::error::x\nnext\r\x1b` {
		t.Errorf("printable = %q", got)
	}
}
