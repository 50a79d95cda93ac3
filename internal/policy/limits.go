package policy

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// Bounds on evaluation (docs/security.md, "Bounded evaluation"). A policy that loops or
// builds a huge set is stopped and reported as a policy-error finding; the other rules' findings
// are still reported, and the run fails.
const (
	// DefaultRunTimeout bounds one run, from WithLimits on.
	DefaultRunTimeout = time.Minute
	// DefaultRuleTimeout bounds the time one rule (one conftest rule) spends evaluating, over
	// every input of the run: a slow rule can't use up the time of the others.
	DefaultRuleTimeout = 20 * time.Second
	// DefaultMaxMemory is the live heap past which evaluation stops.
	DefaultMaxMemory = 1 << 30
	// memoryCheckEvery is how often the live heap is looked at while policies run.
	memoryCheckEvery = 20 * time.Millisecond

	// Each input a run evaluates (a team file) adds to both limits, so a large repository is
	// not failed for its size: 20,000 real-shaped teams took a bundled rule 10 s and the run
	// 40 s on an idle 2-core machine, past 20 s and a minute on a busy one. The allowances are
	// several times what a bundled rule (0.5 ms) and a whole team (4 ms of CPU) took,
	// measured on 1,000 copies of Fleet's workstations team file (2026-12-07).
	runAllowancePerInput  = 10 * time.Millisecond
	ruleAllowancePerInput = 2 * time.Millisecond
)

// Why an evaluation was stopped: the cause of its context's cancellation.
var (
	errRunTimeout  = errors.New("run time limit")
	errRuleTimeout = errors.New("rule time limit")
	errMemory      = errors.New("memory ceiling")
)

// runState is one run's account of the time each rule has spent.
type runState struct {
	spent       []atomic.Int64 // nanoseconds, indexed by prepared.index
	ruleTimeout time.Duration  // each rule's share
}

type runKey struct{}

// WithLimits bounds ctx for one run of inputs inputs (team files, manifests): the run's time
// limit, each rule's share of time (counted over all the jobs evaluated with the returned
// context), both with an allowance per input, and, with Options.MaxMemory, a memory
// ceiling. cancel releases them; call it when the run's evaluations are over.
func (e *Engine) WithLimits(ctx context.Context, inputs int) (context.Context, context.CancelFunc) {
	inputs = max(inputs, 0)
	ctx, stop := context.WithCancelCause(ctx)
	runLimit := e.opts.Timeout + time.Duration(inputs)*runAllowancePerInput
	ctx, cancelTimeout := context.WithTimeoutCause(ctx, runLimit, &limitError{errRunTimeout, runLimit})
	ctx = context.WithValue(ctx, runKey{}, &runState{spent: make([]atomic.Int64, e.prepared),
		ruleTimeout: e.opts.RuleTimeout + time.Duration(inputs)*ruleAllowancePerInput})
	if e.opts.MaxMemory > 0 {
		go watchMemory(ctx, e.opts.MaxMemory, stop)
	}
	return ctx, func() {
		cancelTimeout()
		stop(nil)
	}
}

// evalLimited evaluates p under its remaining share of the run's time, and accounts for it.
// It returns the context the query ran with, whose cause says why it was stopped.
func (e *Engine) evalLimited(ctx context.Context, st *runState, p *prepared, eval func(context.Context) error) (context.Context, error) {
	left := st.ruleTimeout - time.Duration(st.spent[p.index].Load())
	if left <= 0 {
		ctx, cancel := context.WithCancelCause(ctx)
		cancel(&limitError{errRuleTimeout, st.ruleTimeout})
		return ctx, context.Canceled
	}
	rctx, cancel := context.WithTimeoutCause(ctx, left, &limitError{errRuleTimeout, st.ruleTimeout})
	defer cancel()
	start := time.Now()
	err := eval(rctx)
	st.spent[p.index].Add(int64(time.Since(start)))
	return rctx, err
}

// runOf returns the run state WithLimits put in ctx, or a new one for a single call.
func (e *Engine) runOf(ctx context.Context) *runState {
	if st, ok := ctx.Value(runKey{}).(*runState); ok && len(st.spent) == e.prepared {
		return st
	}
	return &runState{spent: make([]atomic.Int64, e.prepared), ruleTimeout: e.opts.RuleTimeout}
}

// limitError is the cause of a stop at a time limit, with the limit (it scales with the run).
type limitError struct {
	kind  error // errRunTimeout or errRuleTimeout
	limit time.Duration
}

func (l *limitError) Error() string { return l.kind.Error() }
func (l *limitError) Unwrap() error { return l.kind }

// limitOf is the limit that cause names, or def.
func limitOf(cause error, def time.Duration) time.Duration {
	var l *limitError
	if errors.As(cause, &l) {
		return l.limit
	}
	return def
}

// stopReason words why an evaluation that ended with a cancellation was stopped.
func (e *Engine) stopReason(cause error) string {
	switch {
	case errors.Is(cause, errRuleTimeout):
		return fmt.Sprintf("it used up its time limit (%v for the run)", limitOf(cause, e.opts.RuleTimeout))
	case errors.Is(cause, errMemory):
		return fmt.Sprintf("tollgate's memory passed its ceiling (%d MiB of live heap), so evaluation was stopped", e.opts.MaxMemory>>20)
	case errors.Is(cause, errRunTimeout):
		return fmt.Sprintf("the run's time limit (%v) passed", limitOf(cause, e.opts.Timeout))
	case errors.Is(cause, context.DeadlineExceeded):
		return "evaluation timed out"
	}
	return "evaluation was cancelled"
}

// watchMemory stops the run (stop with errMemory) once the live heap passes ceiling. The live
// heap is what the last garbage collection found reachable; when the heap (garbage included)
// is over the ceiling but the last collection is old (GOGC off or high), one is forced, at
// most once a second, to know.
func watchMemory(ctx context.Context, ceiling int64, stop context.CancelCauseFunc) {
	t := time.NewTicker(memoryCheckEvery)
	defer t.Stop()
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	read := func() (live, heap int64) {
		metrics.Read(samples)
		return sampleBytes(samples[0]), sampleBytes(samples[1])
	}
	var forced time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		live, heap := read()
		if live <= ceiling && heap > ceiling && time.Since(forced) > time.Second {
			runtime.GC()
			forced = time.Now()
			live, _ = read()
		}
		if live > ceiling {
			stop(errMemory)
			return
		}
	}
}

func sampleBytes(s metrics.Sample) int64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(min(s.Value.Uint64(), math.MaxInt64))
}
