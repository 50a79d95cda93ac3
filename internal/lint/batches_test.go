package lint

import (
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/load"
)

func entryAt(path string) *load.Entry {
	return &load.Entry{Doc: load.Doc{File: &load.File{Path: path}}}
}

// Batches start small, grow to batchSize for light entries and shrink to one entry for
// heavy ones; they cover every entry once, in order.
func TestBatcherSizes(t *testing.T) {
	idx := make([]int, 500)
	for i := range idx {
		idx[i] = i
	}
	b := newBatcher(idx, 0)
	var sizes []int
	covered := 0
	for {
		n, got, ok := b.take()
		if !ok {
			break
		}
		if got[0] != covered {
			t.Fatalf("batch %d starts at %d, want %d", n, got[0], covered)
		}
		covered += len(got)
		sizes = append(sizes, len(got))
		weight := int64(len(got)) * 1700 // synthetic teams
		if covered > 200 {
			weight = int64(len(got)) * 600 << 10 // teams that include 600 KB each
		}
		b.done(n, part{yaml: weight})
	}
	if covered != len(idx) {
		t.Fatalf("covered %d entries of %d", covered, len(idx))
	}
	if sizes[0] != firstBatch || sizes[1] != batchSize || sizes[len(sizes)-1] != 1 {
		t.Errorf("sizes %v: want %d first, then %d, then down to 1", sizes, firstBatch, batchSize)
	}
	fixed := newBatcher(idx, 3)
	if _, got, _ := fixed.take(); len(got) != 3 {
		t.Errorf("a set size gives %d entries", len(got))
	}
}

// A finding outside a batch's own entry files is kept once for the run: the first copy in
// finding.Compare's total order, whichever batch reports it first; copies of another severity
// are kept apart (a severity override may still make them equal).
func TestBatcherSharedFindings(t *testing.T) {
	b := newBatcher([]int{0, 1, 2}, 1)
	at := func(file, msg string, sev finding.Severity) finding.Finding {
		return finding.Finding{RuleID: "r", Severity: sev, Message: msg,
			Location: finding.Location{File: file, Start: finding.Position{Line: 1, Column: 1}}}
	}
	for range 3 {
		b.take()
	}
	own := at("teams/b.yml", "own", finding.Warning)
	lib := at("lib/p.yml", "shared", finding.Warning)
	withPath := func(f finding.Finding, p string) finding.Finding { f.Location.Path = p; return f }
	b.done(1, part{batch: &load.Batch{Entries: []*load.Entry{entryAt("teams/b.yml")}}, findings: []finding.Finding{own, withPath(lib, "policies[2]")}})
	b.done(2, part{batch: &load.Batch{Entries: []*load.Entry{entryAt("teams/c.yml")}}, findings: []finding.Finding{withPath(lib, "policies[0]")}})
	b.done(0, part{batch: &load.Batch{Entries: []*load.Entry{entryAt("teams/a.yml")}}, findings: []finding.Finding{withPath(lib, "policies[1]")}})
	if got := b.parts[1].findings; len(got) != 1 || got[0].Message != "own" {
		t.Errorf("batch 1 keeps %v, want its own finding only", got)
	}
	shared := b.sharedFindings()
	if len(shared) != 1 || shared[0].Location.Path != "policies[0]" {
		t.Errorf("shared %v, want the copy at policies[0]", shared)
	}
	b.done(2, part{batch: &load.Batch{Entries: []*load.Entry{entryAt("teams/c.yml")}}, findings: []finding.Finding{at("lib/p.yml", "shared", finding.Error)}})
	if shared := b.sharedFindings(); len(shared) != 2 || shared[0].Severity != finding.Error {
		t.Errorf("shared %v, want the error first and the warning", shared)
	}
}

// dropCopies keeps one of each set of copies, the first in the total order.
func TestDropCopies(t *testing.T) {
	f := finding.Finding{RuleID: "r", Severity: finding.Warning, Message: "m", Location: finding.Location{File: "a"}}
	g, h := f, f
	g.Hint, h.Severity = "b", finding.Error
	got := dropCopies([]finding.Finding{g, f, h, f})
	if len(got) != 2 || got[0].Severity != finding.Error || got[1].Hint != "" {
		t.Errorf("dropCopies kept %v", got)
	}
}
