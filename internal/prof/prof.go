// Package prof measures where a run spends its time and memory (`tollgate lint --profile`):
// per stage of the pipeline and per rule, summed over every batch, so a user whose own policy
// is slow can see which one. A nil *Profile measures nothing, at the cost of a nil check.
package prof

import (
	"cmp"
	"fmt"
	"io"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"time"
)

// Profile accumulates measurements; safe for concurrent use.
type Profile struct {
	mu     sync.Mutex
	start  Mark
	stages map[string]*Stat
	rules  map[string]*Stat
}

// Stat is what one stage or rule took, over every call.
type Stat struct {
	Name    string
	Calls   int
	Time    time.Duration
	Bytes   uint64 // allocated on the heap
	Objects uint64
}

// Mark is a point in time and in the heap's allocation counters.
type Mark struct {
	t              time.Time
	bytes, objects uint64
}

// New starts a profile: its total runs from now until Write.
func New() *Profile {
	p := &Profile{stages: map[string]*Stat{}, rules: map[string]*Stat{}}
	p.start = p.Mark()
	return p
}

// Mark reads the clock and the allocation counters; the zero Mark when p is nil.
func (p *Profile) Mark() Mark {
	if p == nil {
		return Mark{}
	}
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/allocs:objects"}}
	metrics.Read(s)
	return Mark{t: time.Now(), bytes: s[0].Value.Uint64(), objects: s[1].Value.Uint64()}
}

// Stage adds what happened since m to the stage name.
func (p *Profile) Stage(name string, m Mark) { p.add(p.stagesOf, name, m) }

// Rule adds what happened since m to the rule id (one evaluation of it).
func (p *Profile) Rule(id string, m Mark) { p.add(p.rulesOf, id, m) }

func (p *Profile) stagesOf() map[string]*Stat { return p.stages }
func (p *Profile) rulesOf() map[string]*Stat  { return p.rules }

func (p *Profile) add(table func() map[string]*Stat, name string, m Mark) {
	if p == nil {
		return
	}
	now := p.Mark()
	p.mu.Lock()
	defer p.mu.Unlock()
	t := table()
	s := t[name]
	if s == nil {
		s = &Stat{Name: name}
		t[name] = s
	}
	s.Calls++
	s.Time += now.t.Sub(m.t)
	s.Bytes += now.bytes - m.bytes
	s.Objects += now.objects - m.objects
}

// Stages and Rules are the measurements so far, slowest first (then by name).
func (p *Profile) Stages() []Stat { return p.sorted(p.stages) }

// Rules: see Stages.
func (p *Profile) Rules() []Stat { return p.sorted(p.rules) }

func (p *Profile) sorted(m map[string]*Stat) []Stat {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Stat, 0, len(m))
	for _, s := range m {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Stat) int {
		return cmp.Or(cmp.Compare(b.Time, a.Time), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// Write prints the profile: the run's total, then the stages and the rules, slowest first.
// Allocations are read from the runtime's counters, which move a span of memory at a time:
// they are exact over a run and close over many calls.
func (p *Profile) Write(w io.Writer) error {
	end := p.Mark()
	stages, rules := p.Stages(), p.Rules()
	width := len("total")
	for _, s := range append(slices.Clone(stages), rules...) {
		width = max(width, len(s.Name))
	}
	var b strings.Builder
	row := func(name, t, calls, bytes, objects string) {
		fmt.Fprintf(&b, "%-*s  %9s  %6s  %10s  %9s\n", width, name, t, calls, bytes, objects)
	}
	row("total", seconds(end.t.Sub(p.start.t)), "", size(end.bytes-p.start.bytes), count(end.objects-p.start.objects))
	for _, tab := range []struct {
		title string
		stats []Stat
	}{{"stage", stages}, {"rule", rules}} {
		b.WriteString("\n")
		row(tab.title, "time", "calls", "allocated", "objects")
		for _, s := range tab.stats {
			row(s.Name, seconds(s.Time), fmt.Sprint(s.Calls), size(s.Bytes), count(s.Objects))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

func size(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func count(n uint64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1f M", float64(n)/1e6)
	case n >= 1_000:
		return fmt.Sprintf("%.1f k", float64(n)/1e3)
	}
	return fmt.Sprintf("%d", n)
}
