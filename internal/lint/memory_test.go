package lint

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The budget turns GOGC off, keeps the limit batchHeadroom above the live heap (never below
// minMemoryLimit, never lowered), and gives the collector back when the run ends.
func TestMemoryBudget(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	b := startMemoryBudget()
	if b == nil {
		t.Fatal("no budget with GOGC and GOMEMLIMIT unset")
	}
	if pct := debug.SetGCPercent(-1); pct != -1 {
		t.Errorf("GOGC is %d during the run, want off", pct)
	}
	limit := debug.SetMemoryLimit(-1)
	if limit < minMemoryLimit || limit != b.limit {
		t.Errorf("limit %d (budget says %d), want at least %d", limit, b.limit, minMemoryLimit)
	}
	keep := make([]byte, 2*batchHeadroom) // live after the next collection
	runGC()
	b.update()
	if got := debug.SetMemoryLimit(-1); got < int64(len(keep))+batchHeadroom {
		t.Errorf("limit %d after the live heap grew past %d", got, len(keep))
	}
	runtime.KeepAlive(keep)
	runGC()
	before := b.limit
	b.update()
	if b.limit != before {
		t.Errorf("limit lowered from %d to %d", before, b.limit)
	}
	b.stop()
	if pct := debug.SetGCPercent(100); pct == -1 {
		t.Error("GOGC still off after stop")
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit %d after stop", got)
	}
}

// Settings in the environment are left alone.
func TestMemoryBudgetRespectsEnvironment(t *testing.T) {
	t.Setenv("GOGC", "200")
	if b := startMemoryBudget(); b != nil {
		b.stop()
		t.Error("budget set although GOGC is")
	}
	var nilBudget *memoryBudget
	nilBudget.update() // the disabled budget is a nil receiver the pipeline calls anyway
	nilBudget.stop()
}

func runGC() { debug.FreeOSMemory() }

// When the collector runs more than once a batch, the headroom grows until it no longer does;
// at a slower pace it stays.
func TestMemoryBudgetNeverLoops(t *testing.T) {
	b := &memoryBudget{headroom: batchHeadroom}
	cycles := uint64(20) // the collections of setup, before the first batch
	b.observe(10<<20, cycles)
	for range 4 * paceWindow { // one collection every other batch: paced as it should be
		cycles += uint64(b.batches % 2)
		b.observe(10<<20, cycles)
	}
	if b.headroom != batchHeadroom {
		t.Fatalf("headroom %d at one collection every other batch, want %d", b.headroom, batchHeadroom)
	}
	for range paceWindow { // three a batch: a loop
		cycles += 3
		b.observe(10<<20, cycles)
	}
	grown := b.headroom
	if grown <= batchHeadroom {
		t.Fatalf("headroom %d after three collections a batch, want more than %d", grown, batchHeadroom)
	}
	if want := int64(10<<20) + grown; b.observe(10<<20, cycles) != max(minMemoryLimit, want) {
		t.Errorf("limit does not follow the grown headroom %d", grown)
	}
}

// A live heap that outgrows the limit inside one batch (one team file of 8 MB is the whole
// repository's batch) raises the limit at the next collection, without waiting for the batch to
// end: the collector otherwise ran back to back, on half the CPU.
func TestMemoryBudgetRaisesWithinBatch(t *testing.T) {
	b := &memoryBudget{headroom: batchHeadroom, limit: 70 << 20}
	if _, raise := b.raiseFor(50 << 20); raise {
		t.Error("raised with more than half the headroom free")
	}
	if want, raise := b.raiseFor(60 << 20); !raise || want != 60<<20+batchHeadroom {
		t.Errorf("live 60 MiB under a 70 MiB limit: %d %v, want %d", want, raise, 60<<20+batchHeadroom)
	}
	if want, raise := b.raiseFor(300 << 20); !raise || want != 450<<20 {
		t.Errorf("live 300 MiB: %d %v, want half of it on top", want, raise)
	}

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	budget := startMemoryBudget()
	defer budget.stop()
	keep := make([]byte, 4*minMemoryLimit) // live, past the limit, and no batch ends
	for range 50 {
		runtime.GC()
		if debug.SetMemoryLimit(-1) > int64(len(keep)) {
			break
		}
		time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
	}
	if got := debug.SetMemoryLimit(-1); got <= int64(len(keep)) {
		t.Errorf("limit %d with %d bytes live: not raised by the collections", got, len(keep))
	}
	runtime.KeepAlive(keep)
	budget.stop()
	runtime.GC()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit %d after stop: the watcher raised it again", got)
	}
}
