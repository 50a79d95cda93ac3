package schema

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// LargeTeam is a team file with n inline policies and n/4 inline queries (fleets: reports),
// each with its own name and query; with mistakes, every 97th policy misspells a key, every
// 89th has a wrong type and every 83rd lacks its query, so that issues land on items far
// apart. Exported for the report comparison (differential_test.go).
func LargeTeam(n int, mistakes, fleets bool) string {
	var b strings.Builder
	settings, queries := "team_settings", "queries"
	if fleets {
		settings, queries = "settings", "reports"
	}
	fmt.Fprintf(&b, "name: Large\n%s:\n  secrets:\n    - secret: $ENROLL\nagent_options:\ncontrols:\nsoftware:\npolicies:\n", settings)
	for i := range n {
		fmt.Fprintf(&b, "  - name: Policy %06d\n", i)
		if !mistakes || i%83 != 5 {
			fmt.Fprintf(&b, "    query: SELECT %d FROM os_version;\n", i)
		}
		switch {
		case mistakes && i%97 == 3:
			b.WriteString("    platfrom: darwin\n")
		case mistakes && i%89 == 7:
			b.WriteString("    critical: 'yes'\n")
		case fleets && i%61 == 1:
			b.WriteString("    install_software: false\n") // dropped before validation, like null
		default:
			b.WriteString("    platform: darwin\n")
		}
	}
	fmt.Fprintf(&b, "%s:\n", queries)
	for i := range n / 4 {
		fmt.Fprintf(&b, "  - name: Query %06d\n    query: SELECT %d;\n    interval: %d\n", i, i, 60+i)
		if mistakes && i%41 == 2 {
			b.WriteString("    logging: snap\n")
		}
	}
	return b.String()
}

// countingChecker counts what its checker hands to CUE: evaluations, and the list items of
// the documents evaluated.
type countingChecker struct {
	checker
	calls, items *atomic.Int64
}

func (c countingChecker) Check(def int, doc any, evaluate func(any) []Issue) []Issue {
	return c.checker.Check(def, doc, func(d any) []Issue {
		c.calls.Add(1)
		c.items.Add(int64(listItems(d)))
		return evaluate(d)
	})
}

// countEvaluations makes v count its CUE evaluations.
func countEvaluations(v *Validator) countingChecker {
	c := countingChecker{v.checker, &atomic.Int64{}, &atomic.Int64{}}
	v.checker = c
	return c
}

func listItems(x any) int {
	n := 0
	switch x := x.(type) {
	case map[string]any:
		for _, v := range x {
			n += listItems(v)
		}
	case []any:
		n += len(x)
		for _, v := range x {
			n += listItems(v)
		}
	}
	return n
}

// TestLargeListBounded: the schema stage's work on one document with a long list of items
// grows with the number of different items, not the number of items. Checked by what reaches
// CUE (the items of the documents it evaluates) and by the memory allocated per item, at two
// sizes; the issues must be CUE's own. Before items were checked apart, every item reached
// CUE in one evaluation of ≈ 50 KB each.
func TestLargeListBounded(t *testing.T) {
	base := bundledValidator(t)
	evaluated := map[int]int64{}
	for _, n := range []int{800, 3200} {
		doc := parseYAML(t, LargeTeam(n, true, false))
		v, _ := withEmptyMemo(base)
		items := countEvaluations(v).items
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got := v.Validate(fleet.KindTeam, fleet.EraTeams, doc)
		runtime.ReadMemStats(&after)
		evaluated[n] = items.Load()
		perItem := float64(after.TotalAlloc-before.TotalAlloc) / float64(n+n/4)
		t.Logf("%d policies: %d list items evaluated by CUE, %.0f bytes allocated per item, %d issues", n, items.Load(), perItem, len(got))
		if perItem > 4096 && !raceEnabled {
			t.Errorf("%d policies: %.0f bytes allocated per list item, want at most 4096", n, perItem)
		}
		if n == 800 {
			if want := cueAlone(base).Validate(fleet.KindTeam, fleet.EraTeams, doc); !reflect.DeepEqual(got, want) {
				t.Fatalf("%d policies: the memo's issues differ from CUE's:\n%s\nwant\n%s", n, dump(got), dump(want))
			}
			if len(got) < 20 {
				t.Fatalf("only %d issues: the test document lost its mistakes", len(got))
			}
		}
	}
	// The documents have eight different kinds of item (a clean policy, three mistakes, some
	// together; a clean query, one mistake); the secret is a list item too.
	if evaluated[800] > 16 || evaluated[3200] > 16 {
		t.Errorf("list items evaluated by CUE: %d for 800 policies, %d for 3200: want at most 16, as many as there are different items", evaluated[800], evaluated[3200])
	}
}

// BenchmarkValidateLargeTeam validates one team file just under the loader's 8 MB limit
// (≈ 100,000 inline policies and 25,000 queries, a few percent with mistakes) as a lint
// does: each op with an empty memo. It reports per op the file's items and cpu-ms (process
// CPU time, steadier than wall time on a shared machine).
//
//	go test -run '^$' -bench ValidateLargeTeam -benchmem ./internal/schema/
func BenchmarkValidateLargeTeam(b *testing.B) {
	n := yamlsrc.DefaultLimits.MaxBytes / 80
	src := LargeTeam(n, true, false)
	for len(src) > yamlsrc.DefaultLimits.MaxBytes {
		n -= 1000
		src = LargeTeam(n, true, false)
	}
	doc := parseYAML(b, src)
	v := bundledValidator(b)
	b.ReportAllocs()
	start := cpuTime()
	issues := 0
	for b.Loop() {
		w, _ := withEmptyMemo(v)
		issues = len(w.Validate(fleet.KindTeam, fleet.EraTeams, doc))
	}
	b.ReportMetric(float64(cpuTime()-start)/1e6/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(n+n/4), "items")
	b.ReportMetric(float64(len(src))/(1<<20), "MB")
	b.ReportMetric(float64(issues), "issues")
}
