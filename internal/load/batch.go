package load

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// A Batch is some entry files read in full with everything they reach: the unit a caller
// checks and lets go, so a large repository is never in memory at once.
type Batch struct {
	Entries  []*Entry     // the entries that could be read, in the order asked
	Facts    []EntryFacts // per entry asked, in order (Present is false for one that could not be read)
	Findings []finding.Finding
	Refs     []Ref
	EnvRefs  []EnvRef
	Packages []*Doc
	// Claimed are the files this batch was the first to reach: each file of the repository is
	// scanned (environment references here; secrets and suppressions by the caller) by one
	// batch, however many entries reach it.
	Claimed []*File
}

// LoadBatch reads the entry files abs (absolute, as Open returns them) with their includes,
// the files they refer to and the environment references of the files it claims. Safe for
// concurrent use: batches share the files they both reach, read once.
func (r *Repo) LoadBatch(abs []string) *Batch {
	b := &Batch{}
	for _, a := range abs {
		e, fs, refs, pkgs := r.loadEntry(a)
		b.Findings = append(b.Findings, fs...)
		b.Facts = append(b.Facts, FactsOf(e))
		if e == nil {
			continue
		}
		b.Entries = append(b.Entries, e)
		b.Refs = append(b.Refs, refs...)
		b.Packages = append(b.Packages, pkgs...)
		roles := FileRoles(refs)
		for _, f := range e.Files(refs) {
			if !r.Claim(f) {
				continue
			}
			b.Claimed = append(b.Claimed, f)
			env, efs := ScanFileEnv(f, roles[f.Path])
			b.EnvRefs = append(b.EnvRefs, env...)
			b.Findings = append(b.Findings, efs...)
		}
	}
	return b
}

// Release lets go of a batch's entry documents once they are checked (see Forget).
func (r *Repo) Release(b *Batch) {
	for _, e := range b.Entries {
		r.Forget(e)
	}
}

// Complete records the batches, in the order given, as the repository's entries (the global
// file first), references, environment references and package files (each once), and returns
// the findings of fleetctl's checks across entry files.
func (r *Repo) Complete(batches []*Batch) []finding.Finding {
	r.Entries, r.Refs, r.EnvRefs, r.Packages = nil, nil, nil, nil
	seen := map[string]bool{}
	for _, b := range batches {
		r.Entries = append(r.Entries, b.Entries...)
		r.Refs = append(r.Refs, b.Refs...)
		r.EnvRefs = append(r.EnvRefs, b.EnvRefs...)
		for _, d := range b.Packages {
			if d.Value != nil && !seen[d.File.Path] {
				seen[d.File.Path] = true
				r.Packages = append(r.Packages, d)
			}
		}
	}
	// Which batch claimed a file shared by entries depends on timing: the list does not.
	sortEnvRefs(r.EnvRefs)
	return r.CheckGlobals()
}

// FirstEnvRefs keeps, of each variable, the first reference (in file, line and column order)
// of each kind and escaping, in that order: what a caller checking that every variable is set
// needs (apply's RequiredEnv reads Repo.EnvRefs), without the thousands of references a large
// repository makes to the same few variables. refs is reordered; the result is a new slice.
func FirstEnvRefs(refs []EnvRef) []EnvRef {
	sortEnvRefs(refs)
	type key struct {
		name, kind string
		literal    bool
	}
	seen := map[key]bool{}
	out := refs[:0]
	for _, r := range refs {
		k := key{r.Name, r.Kind, r.InLiteral}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return slices.Clone(out) // a copy: the caller's array, as long as refs, can go
}

func sortEnvRefs(refs []EnvRef) {
	slices.SortStableFunc(refs, func(a, b EnvRef) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

// Load reads the entry files and everything they reach, all at once: for callers that need the
// whole repository in memory (apply's recheck, tests); lint streams it a batch at a time with
// the same calls. It never stops at a bad file: every problem becomes a finding (Repo.Findings)
// and the rest of the repository is still read.
func Load(ctx context.Context, opts Options) (*Repo, error) {
	repo, abs, err := Open(opts)
	if err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// One entry per batch, read on every worker; which batch claims a shared file does not
	// change what is found in it.
	batches := make([]*Batch, len(abs))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range min(workers, len(abs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				next.Lock()
				k := i
				i++
				next.Unlock()
				if k >= len(abs) {
					return
				}
				batches[k] = repo.LoadBatch(abs[k : k+1])
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, b := range batches {
		repo.Findings = append(repo.Findings, b.Findings...)
	}
	repo.Findings = append(repo.Findings, repo.Complete(batches)...)
	return repo, nil
}
