package yamlsrc

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZYAMLFloor(t *testing.T) {
	dir := os.Getenv("PROF_REPO")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "teams", "*.yml"))
	for _, mode := range []string{"read", "unmarshal-node", "parse", "unmarshal-any"} {
		for r := 0; r < 2; r++ {
			start, c0 := time.Now(), cpuNow()
			var next atomic.Int64
			var wg sync.WaitGroup
			for w := 0; w < 2; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1) - 1)
						if i >= len(files) {
							return
						}
						data, _ := os.ReadFile(files[i])
						switch mode {
						case "unmarshal-node":
							var n yaml.Node
							yaml.Unmarshal(data, &n)
						case "unmarshal-any":
							var v any
							yaml.Unmarshal(data, &v)
						case "parse":
							Parse(data, DefaultLimits)
						}
					}
				}()
			}
			wg.Wait()
			t.Logf("%s: %v wall, %v cpu", mode, time.Since(start).Round(time.Millisecond), (cpuNow() - c0).Round(time.Millisecond))
		}
	}
}

func BenchmarkZZDecoder(b *testing.B) {
	data, _ := os.ReadFile("/tmp/bw/repo/teams/team-00001.yml")
	b.ReportAllocs()
	for b.Loop() {
		dec := yaml.NewDecoder(bytesReader(data))
		var n yaml.Node
		dec.Decode(&n)
		var m yaml.Node
		dec.Decode(&m)
	}
}

func BenchmarkZZUnmarshal(b *testing.B) {
	data, _ := os.ReadFile("/tmp/bw/repo/teams/team-00001.yml")
	b.ReportAllocs()
	for b.Loop() {
		var n yaml.Node
		yaml.Unmarshal(data, &n)
	}
}

func BenchmarkZZParse(b *testing.B) {
	data, _ := os.ReadFile("/tmp/bw/repo/teams/team-00001.yml")
	b.ReportAllocs()
	for b.Loop() {
		Parse(data, DefaultLimits)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
