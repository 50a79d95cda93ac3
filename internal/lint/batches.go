package lint

import (
	"slices"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// batchYAML is the YAML a batch aims at: its entries' files and every file spliced into them.
// A batch's memory (YAML trees, documents, the Rego input, the findings in the files it
// includes) follows its YAML, not its number of teams: 64 synthetic teams are ≈ 110 KB, 64
// teams that each include 446 CIS policies are megabytes. Measured on bench/run.sh's synthetic
// repository this keeps every batch at batchSize entries.
const batchYAML = 192 << 10

// firstBatch is the size of the first batches, cut before any entry's weight is known.
const firstBatch = 8

// batcher cuts the team entries into batches as the workers ask for them: up to batchSize
// entries, fewer once the entries checked so far proved heavy (see batchYAML). Which entries
// share a batch does not change any result (TestStreamBatchSizeDoesNotMatter); the batches
// are numbered in entry order, so the parts are merged in entry order whatever the timing.
type batcher struct {
	mu      sync.Mutex
	idx     []int // team entries, in order
	next    int   // first entry of the next batch
	max     int
	fixed   bool  // every batch max entries (a size set for tests)
	entries int   // entries checked so far
	bytes   int64 // their YAML
	batches [][]int
	parts   []part
	// shared holds one of each finding outside a batch's own entry files (in a file many
	// teams include, or in the global file every batch sees), instead of one per batch.
	shared map[findingKey]finding.Finding
}

// findingKey tells copies of a finding from other findings: finding.Dedupe's key and the
// severity (a configured severity override may still make copies of different severities
// equal, and postProcess must see one copy of each to choose as it always did).
type findingKey struct {
	rule, file, msg string
	start           finding.Position
	severity        finding.Severity
}

func keyOf(f finding.Finding) findingKey {
	return findingKey{f.RuleID, f.Location.File, f.Message, f.Location.Start, f.Severity}
}

// dropCopies sorts fs and keeps the first (in finding.Compare's total order) of each set of
// copies: the one the run's final sort and dedupe would keep from all of them, whichever
// batches they came from.
func dropCopies(fs []finding.Finding) []finding.Finding {
	finding.Sort(fs)
	out := fs[:0]
	for _, f := range fs {
		if n := len(out); n > 0 && keyOf(out[n-1]) == keyOf(f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// texts shares the strings of the findings a run keeps until its report (see compact).
type texts struct {
	mu sync.Mutex
	m  map[string]string
}

// compact readies a batch's findings to be kept until the report: a copy as long as they are
// (the array they were gathered in can go), with their texts shared. Teams copied from one
// template get the same messages, hints and data paths: 10,000 such teams with two findings
// each held 20,000 copies of the same few strings.
func (t *texts) compact(fs []finding.Finding) []finding.Finding {
	out := slices.Clone(fs)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]string{}
	}
	for i := range out {
		f := &out[i]
		f.Message, f.Hint, f.Source = t.intern(f.Message), t.intern(f.Hint), t.intern(f.Source)
		f.Location.Path = t.intern(f.Location.Path)
	}
	return out
}

func (t *texts) intern(s string) string {
	if s == "" {
		return s
	}
	if c, ok := t.m[s]; ok {
		return c
	}
	t.m[s] = s
	return s
}

func newBatcher(idx []int, size int) *batcher {
	if size > 0 {
		return &batcher{idx: idx, max: size, fixed: true, shared: map[findingKey]finding.Finding{}}
	}
	return &batcher{idx: idx, max: batchSize, shared: map[findingKey]finding.Finding{}}
}

// take returns the next batch and its number; ok is false when every entry is taken.
func (b *batcher) take() (n int, idx []int, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next >= len(b.idx) {
		return 0, nil, false
	}
	size := b.max
	switch {
	case b.fixed:
	case b.entries == 0:
		size = min(size, firstBatch)
	default:
		avg := max(b.bytes/int64(b.entries), 1)
		size = int(min(max(batchYAML/avg, 1), int64(b.max)))
	}
	idx = b.idx[b.next:min(b.next+size, len(b.idx))]
	b.next += len(idx)
	b.batches = append(b.batches, idx)
	b.parts = append(b.parts, part{})
	return len(b.batches) - 1, idx, true
}

// done records batch n's part and the YAML its entries read.
func (b *batcher) done(n int, pt part) {
	own := map[string]bool{}
	if pt.batch != nil {
		for _, e := range pt.batch.Entries {
			own[e.File.Path] = true
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := pt.findings[:0]
	for _, f := range pt.findings {
		if own[f.Location.File] {
			kept = append(kept, f)
			continue
		}
		// Keep the copy dropCopies would keep from all of them: which batch came first and
		// where the batches were cut change nothing.
		k := keyOf(f)
		if old, seen := b.shared[k]; !seen || finding.Compare(f, old) < 0 {
			b.shared[k] = f
		}
	}
	pt.findings = kept
	b.parts[n] = pt
	b.entries += len(b.batches[n])
	b.bytes += pt.yaml
}

// sharedFindings are the kept findings outside the batches' own entry files.
func (b *batcher) sharedFindings() []finding.Finding {
	out := make([]finding.Finding, 0, len(b.shared))
	for _, f := range b.shared {
		out = append(out, f)
	}
	finding.Sort(out)
	return out
}

// yamlOf is the YAML the entries of a batch read: their own files and the files spliced into
// them, counted for every entry that includes one. Their items are the same values in all of
// them (yamlsrc.Shared), but a batch's Rego evaluation still walks one copy per team: counted
// once, batches of real-shaped teams doubled, for 25 MB more and no less CPU (1,000 copies of
// Fleet's workstations team file, 2026-12-07).
func yamlOf(entries []*load.Entry, refs []load.Ref) int64 {
	var n int64
	for _, e := range entries {
		n += int64(len(e.File.Data))
	}
	for _, r := range refs {
		if r.Role == "include" && r.File != nil {
			n += int64(len(r.File.Data))
		}
	}
	return n
}
