package lint

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// batchHeadroom is the memory the batches in flight and their garbage get on top of what stays
// live for the whole run (compiled rules and schemas, the repository facts, one record per file).
const batchHeadroom = 40 << 20

// minMemoryLimit is the smallest soft limit set: below it the collector would run for nothing.
const minMemoryLimit = 64 << 20

// limitMemory sets a soft memory limit for the rest of the run, unless GOMEMLIMIT is set: what
// is live once the facts are built plus batchHeadroom. A run allocates gigabytes of short-lived
// YAML trees and Rego values over a small live heap; left alone, the collector lets the heap
// grow to twice what is live and the process keeps pages it no longer needs. With the limit the
// collector and the scavenger keep the process near what it uses: on 10,000 team files 88 MB
// peak instead of ≈ 120 MB, for ≈ 10–15 % more CPU and wall time (bench/run.sh against
// GOMEMLIMIT=4GiB). The limit grows with the repository, so a large one is never starved into
// constant collection; GOMEMLIMIT (and GOGC) give the trade back to whoever prefers speed. Only the CLI asks for it (Options.LimitMemory):
// it is a process-wide setting.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	runtime.GC() // settle what is live: the facts were just built, the prescan's garbage is gone
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	live := int64(0)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		live = int64(sample[0].Value.Uint64())
	}
	debug.SetMemoryLimit(max(minMemoryLimit, live+batchHeadroom))
}
