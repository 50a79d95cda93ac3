package schema

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
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
		if is := v.Validate(KindTeam, EraTeams, docs[i]); len(is) != 0 {
			b.Fatalf("bench doc has issues:\n%s", dump(is))
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			v.Validate(KindTeam, EraTeams, docs[i%len(docs)])
			i++
		}
	})
}

// BenchmarkValidateFailing measures documents with several problems (the slow path).
func BenchmarkValidateFailing(b *testing.B) {
	v := bundledValidator(b)
	src := strings.Replace(benchTeam(1), "platform: darwin\n", "platfrom: darwin\n", 2)
	src = strings.Replace(src, "'15.5'", "15.10", 1)
	doc := parseYAML(b, src)
	if len(v.Validate(KindTeam, EraTeams, doc)) == 0 {
		b.Fatal("no issues")
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			v.Validate(KindTeam, EraTeams, doc)
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
		want[i] = v.Validate(KindTeam, EraTeams, d)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 5 {
				i := (g + r) % len(docs)
				if got := v.Validate(KindTeam, EraTeams, docs[i]); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("doc %d: concurrent result differs:\n%s\nwant\n%s", i, dump(got), dump(want[i]))
				}
			}
		}()
	}
	wg.Wait()
}
