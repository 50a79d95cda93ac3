// Package workpool runs the items of a slice on a few goroutines: the lint pipeline, the
// change review and the Kubernetes kind spread their per-file work over the cores this way.
package workpool

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Run calls fn(0..n-1) on workers goroutines (every core when workers <= 0), each taking the
// next index from a shared counter: a channel hand-off per item cost more than small items
// themselves.
func Run(n, workers int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
