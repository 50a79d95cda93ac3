package lint

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// batchHeadroom is the memory the batches in flight and their garbage get on top of what is
// live (compiled rules and schemas, the repository facts, one record per file).
const batchHeadroom = 34 << 20

// minMemoryLimit is the smallest budget set: the garbage of two batches in flight fits in it
// many times over, and with the binary's own pages (≈ 26 MB resident) a lint of 10,000 team
// files stays under 100 MB.
const minMemoryLimit = 56 << 20

// memoryBudget paces the collector by memory instead of by GOGC. A run allocates gigabytes of
// short-lived YAML trees and Rego values over a small live heap. GOGC=100 lets the heap grow
// to twice what is live, which grows with the repository (a record per file); the budget
// instead turns GOGC off and sets a soft memory limit of what is live plus batchHeadroom (at
// least minMemoryLimit), raised after every batch, and after any collection that leaves the live
// heap near it (watchCollections), so the collector is never starved into
// running back to back. It bounds the peak as the repository grows, for some more CPU than
// GOGC=100 spends (docs/performance.md has the figures). Whoever sets GOGC or GOMEMLIMIT keeps
// their own settings. Only the CLI asks for it (Options.LimitMemory): it is a process-wide
// setting.
type memoryBudget struct {
	mu       sync.Mutex
	limit    int64
	headroom int64 // above the live heap; grows when the collector runs more than once a batch
	sample   []metrics.Sample
	percent  int // GOGC before the budget, restored by stop
	// batches and cycles count the batches done and the collections run; atBatches and
	// atCycles are their values at the last look at the collector's pace.
	batches, cycles     uint64
	atBatches, atCycles uint64
	stopped             bool // stop ran: the collection watcher does nothing more
}

// paceWindow is how many batches the collector's pace is judged over.
const paceWindow = 8

// startMemoryBudget settles what is live after setup and sets the first limit; nil when the
// environment already configures the collector.
func startMemoryBudget() *memoryBudget {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		return nil
	}
	runtime.GC() // the facts were just built and the prescan's garbage is gone
	b := &memoryBudget{headroom: batchHeadroom,
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}}
	b.update()
	b.percent = debug.SetGCPercent(-1)
	watchCollections(b)
	return b
}

// watchCollections runs b.collected after every collection until the budget stops. update only
// runs between batches, and one batch can be the whole repository (a single team file of
// 8 MB): while it is in flight, a live heap that outgrows the limit would keep the collector
// running back to back (Go caps it at about half the CPU, which is what an 8 MB team file cost
// before: 46 % of the run's CPU in the collector). A finalizer runs once per collection that
// finds its object unreachable, so re-arming it from itself follows every cycle.
func watchCollections(b *memoryBudget) {
	sentinel := new([16]byte)
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		if b.collected() {
			watchCollections(b)
		}
	})
}

// collected is called after a collection: when what is live no longer leaves half the headroom
// under the limit, the limit rises to what is live plus the headroom or half what is live,
// whichever is more (a large live heap then costs a collection per half of itself allocated,
// as GOGC=50 would, instead of one per few megabytes). It reports whether to keep watching.
func (b *memoryBudget) collected() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return false
	}
	metrics.Read(b.sample[:1])
	if b.sample[0].Value.Kind() != metrics.KindUint64 {
		return true
	}
	if want, raise := b.raiseFor(int64(min(b.sample[0].Value.Uint64(), math.MaxInt64/4))); raise {
		b.limit = want
		debug.SetMemoryLimit(want)
	}
	return true
}

// raiseFor is the limit a live heap of live bytes needs, and whether it is above the current one.
func (b *memoryBudget) raiseFor(live int64) (int64, bool) {
	if live+b.headroom/2 <= b.limit {
		return b.limit, false
	}
	return live + max(b.headroom, live/2), true
}

// update is called after every batch: it raises the limit to keep the headroom above the live
// heap measured by the last collection.
func (b *memoryBudget) update() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	metrics.Read(b.sample)
	var live int64
	var cycles uint64
	if b.sample[0].Value.Kind() == metrics.KindUint64 {
		live = int64(min(b.sample[0].Value.Uint64(), math.MaxInt64/2))
	}
	if b.sample[1].Value.Kind() == metrics.KindUint64 {
		cycles = b.sample[1].Value.Uint64()
	}
	if want := b.observe(live, cycles); want > b.limit {
		b.limit = want
		debug.SetMemoryLimit(want)
	}
}

// observe records a batch done, with the live heap and the collections run so far, and returns
// the limit the budget wants. The headroom must hold the batches in flight and their garbage:
// when it does not, the collector finds the heap at the limit again as soon as it is done and
// runs back to back. So once the collections of the last paceWindow batches outnumber them,
// the headroom grows by half, until they no longer do: the budget grows with what the live
// heap needs instead of the collector looping.
func (b *memoryBudget) observe(live int64, cycles uint64) int64 {
	if b.batches == 0 { // the first look, at the start: setup's collections are not the batches'
		b.atCycles = cycles
	}
	b.batches++
	b.cycles = cycles
	if n := b.batches - b.atBatches; n >= paceWindow {
		if b.cycles-b.atCycles > n {
			b.headroom += b.headroom / 2
		}
		b.atBatches, b.atCycles = b.batches, b.cycles
	}
	return max(minMemoryLimit, live+b.headroom)
}

// stop gives the collector back its usual pacing.
func (b *memoryBudget) stop() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
	debug.SetGCPercent(b.percent)
	debug.SetMemoryLimit(math.MaxInt64)
}
