// The CUE stage's benchmarks: a document evaluated, the same document from the memo, and a
// generated 10,000-team repository. Their figures, before and after the memo, are in
// docs/performance.md.

package schema

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/fleet"
)

// benchTeam is a typical ~2 KB teams-era team file with its includes spliced in.
func benchTeam(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: Team %d\nteam_settings:\n  secrets:\n    - secret: $ENROLL_%d\n  features:\n    enable_host_users: true\n    enable_software_inventory: true\n  host_expiry_settings:\n    host_expiry_enabled: false\n    host_expiry_window: 0\n", i, i)
	b.WriteString("agent_options:\n  config:\n    options:\n      distributed_interval: 10\n      logger_tls_period: 10\n    decorators:\n      load:\n        - SELECT uuid AS host_uuid FROM system_info;\n  update_channels:\n    orbit: stable\n    osqueryd: stable\n")
	b.WriteString("controls:\n  enable_disk_encryption: true\n  macos_updates:\n    deadline: '2025-06-30'\n    minimum_version: '15.5'\n  windows_updates:\n    deadline_days: 7\n    grace_period_days: 2\n  macos_settings:\n    custom_settings:\n      - path: ../lib/a.mobileconfig\n        labels_include_any: [Engineering]\n      - path: ../lib/b.mobileconfig\n  scripts:\n    - path: ../lib/a.sh\n")
	b.WriteString("policies:\n")
	for j := range 6 {
		fmt.Fprintf(&b, "  - name: Policy %d\n    query: SELECT 1 FROM os_version WHERE major >= 14;\n    platform: darwin\n    critical: false\n    description: Checks the OS.\n    resolution: Update.\n", j)
	}
	b.WriteString("queries:\n")
	for j := range 3 {
		fmt.Fprintf(&b, "  - name: Query %d\n    query: SELECT * FROM usb_devices;\n    interval: 300\n    platform: darwin,linux\n    logging: snapshot\n", j)
	}
	b.WriteString("software:\n  packages:\n    - path: ../lib/zoom.yml\n      self_service: true\n  app_store_apps:\n    - app_store_id: '803453959'\n")
	return b.String()
}

// BenchmarkValidate measures one document per op. Run with -cpu 2 for the 2-core target:
//
//	go test -run '^$' -bench Validate -benchmem -cpu 1,2 ./internal/schema/
func BenchmarkValidate(b *testing.B) {
	v := bundledValidator(b)
	docs := make([]any, 64)
	for i := range docs {
		docs[i] = parseYAML(b, benchTeam(i))
		if is := v.Validate(fleet.KindTeam, fleet.EraTeams, docs[i]); len(is) != 0 {
			b.Fatalf("bench doc has issues:\n%s", dump(is))
		}
	}
	bothPaths(b, v, func(v *Validator, pb *testing.PB) {
		i := 0
		for pb.Next() {
			v.Validate(fleet.KindTeam, fleet.EraTeams, docs[i%len(docs)])
			i++
		}
	})
}

// bothPaths runs f on the CUE evaluation alone (a document unlike any seen before) and with
// the memo (a document like one seen before: here, the same ones again).
func bothPaths(b *testing.B, v *Validator, f func(v *Validator, pb *testing.PB)) {
	for _, memo := range []bool{false, true} {
		name := "evaluate"
		if memo {
			name = "memo"
		}
		b.Run(name, func(b *testing.B) {
			w := v
			if !memo {
				w = cueAlone(v)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) { f(w, pb) })
		})
	}
}

// BenchmarkValidateFailing measures documents with several problems (the slow path).
func BenchmarkValidateFailing(b *testing.B) {
	v := bundledValidator(b)
	src := strings.Replace(benchTeam(1), "platform: darwin\n", "platfrom: darwin\n", 2)
	src = strings.Replace(src, "'15.5'", "15.10", 1)
	doc := parseYAML(b, src)
	if len(v.Validate(fleet.KindTeam, fleet.EraTeams, doc)) == 0 {
		b.Fatal("no issues")
	}
	bothPaths(b, v, func(v *Validator, pb *testing.PB) {
		for pb.Next() {
			v.Validate(fleet.KindTeam, fleet.EraTeams, doc)
		}
	})
}

// TestConcurrent shares one Validator between goroutines (run with -race): the results
// must equal a sequential run.
func TestConcurrent(t *testing.T) {
	v := bundledValidator(t)
	var docs []any
	for i := range 8 {
		src := benchTeam(i)
		if i%2 == 1 {
			src = strings.Replace(src, "platform: darwin\n", "platfrom: darwin\n", 1)
			src = strings.Replace(src, "'2025-06-30'", "'2025-02-30'", 1)
		}
		docs = append(docs, parseYAML(t, src))
	}
	want := make([][]Issue, len(docs))
	for i, d := range docs {
		want[i] = v.Validate(fleet.KindTeam, fleet.EraTeams, d)
	}
	// An empty memo, so that goroutines evaluate, store and look up at the same time.
	v, _ = withEmptyMemo(v)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 5 {
				i := (g + r) % len(docs)
				if got := v.Validate(fleet.KindTeam, fleet.EraTeams, docs[i]); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("doc %d: concurrent result differs:\n%s\nwant\n%s", i, dump(got), dump(want[i]))
				}
			}
		}()
	}
	wg.Wait()
}

// corpusDir holds the generated benchmark repository (go run ./bench/gen -n 10000 -o /tmp/tgbench).
const corpusDir = "/tmp/tgbench/teams"

// BenchmarkValidateCorpus validates the generated team files (10 % have a schema mistake)
// as a lint does: each op is one pass over all of them with an empty memo. It reports per
// document: ns/doc, cpu-ns/doc (process CPU time, GC included: steadier than wall time on a
// shared machine), B/doc and allocs/doc.
func BenchmarkValidateCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.yml"))
	if len(files) == 0 {
		b.Skip("no corpus: go run ./bench/gen -n 10000 -o /tmp/tgbench")
	}
	v := bundledValidator(b)
	docs := make([]any, len(files))
	for i, f := range files {
		docs[i] = readYAML(b, f)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mallocs, bytes := ms.Mallocs, ms.TotalAlloc
	start, cpu := time.Now(), cpuTime()
	n := 0
	for b.Loop() {
		w, _ := withEmptyMemo(v)
		for _, d := range docs {
			w.Validate(fleet.KindTeam, fleet.EraTeams, d)
		}
		n += len(docs)
	}
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(time.Since(start))/float64(n), "ns/doc")
	b.ReportMetric(float64(cpuTime()-cpu)/float64(n), "cpu-ns/doc")
	b.ReportMetric(float64(ms.TotalAlloc-bytes)/float64(n), "B/doc")
	b.ReportMetric(float64(ms.Mallocs-mallocs)/float64(n), "allocs/doc")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
