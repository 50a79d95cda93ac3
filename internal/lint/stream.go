package lint

import (
	"bytes"
	"context"
	"slices"
	"sync/atomic"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/model"
	"github.com/tollgate-dev/tollgate/internal/policy"
	"github.com/tollgate-dev/tollgate/internal/workpool"
)

// batchSize is how many team files are read, checked and let go together. Small enough that a
// batch's YAML trees and Rego input are a few megabytes; large enough that the per-evaluation
// cost of the global entry and the repository facts (in every batch) stays negligible.
// Measured on 10,000 team files (bench/run.sh): 64 was fastest; 16, 32 and 128 took 3–10 % longer
// at the same peak memory.
const batchSize = 64

// The pipeline checks a repository a batch of team files at a time, so memory holds the files
// in flight, not the repository (10,000 team files would otherwise take most of a gigabyte in
// YAML trees and Rego values). Rules still see every team in input.repo: the facts that span
// files (each team's name and kind, the labels team files define) come from a cheap first pass
// (load.PrescanTopLevel, a parse only for files it can't be sure of). Every batch checks those
// facts against the files it reads in full; if one was wrong the run starts again with the
// exact facts, so results never depend on the shortcut.
type pipeline struct {
	st      *stages
	repo    *load.Repo
	abs     []string          // entry files, absolute, in the order given
	facts   []load.EntryFacts // per entry: what the index says about it
	common  *policy.Facts     // the policy input every evaluation shares, converted once
	globals []*load.Entry
	wrong   atomic.Bool // a prescanned fact disagreed with the file read in full
	texts   texts       // the kept findings' strings, shared
}

// part is what checking some entries produced, merged in a fixed order at the end.
type part struct {
	batch    *load.Batch       // what loading read (its entries' documents let go once checked)
	findings []finding.Finding // loading's and the checks'
	sups     []*suppression
	secrets  []map[string]any
	yaml     int64 // bytes of YAML its entries read (see batcher)
}

// opened is a repository opened for checking, with what its entries are (prescanned facts,
// or the exact ones of a first pass that found a prescanned fact wrong).
type opened struct {
	repo  *load.Repo
	abs   []string // entry files, absolute, in the order given
	facts []load.EntryFacts
}

// openRepo opens the repository read from src (nil: the working tree) and learns each entry's
// kind and name: known, when not nil, are the facts to start from instead of a prescan. It
// needs no compiled schema or policy, so Run does it while those are built.
func openRepo(src load.Source, root string, entries []string, workers int, known []load.EntryFacts) (*opened, error) {
	repo, abs, err := load.Open(load.Options{Root: root, Entries: entries, Workers: workers, Source: src})
	if err != nil {
		return nil, err
	}
	o := &opened{repo: repo, abs: abs, facts: known}
	if o.facts == nil {
		o.facts = prescan(repo, abs, workers)
	}
	return o, nil
}

// runStream loads and checks the repository; known and retry as for openRepo and check.
func (s *stages) runStream(ctx context.Context, root string, entries []string, known []load.EntryFacts, retry bool) (*load.Repo, []finding.Finding, []*suppression, error) {
	o, err := openRepo(s.opts.source, root, entries, s.workers, known)
	if err != nil {
		return nil, nil, nil, err
	}
	return s.check(ctx, root, entries, o, retry)
}

// check checks an opened repository; retry allows a second pass with the facts learned when
// a prescanned one was wrong.
func (s *stages) check(ctx context.Context, root string, entries []string, o *opened, retry bool) (*load.Repo, []finding.Finding, []*suppression, error) {
	repo := o.repo
	p := &pipeline{st: s, repo: repo, abs: o.abs, facts: o.facts}
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	var globalIdx, teamIdx []int
	for i, f := range p.facts {
		if f.Kind == fleet.KindGlobal && f.Present {
			globalIdx = append(globalIdx, i)
		} else {
			teamIdx = append(teamIdx, i)
		}
	}
	evalCtx, cancel := s.policy.WithLimits(ctx, len(p.facts))
	defer cancel()

	// The global file first: every batch sees it.
	first := p.loadEntries(globalIdx)
	p.globals = first.batch.Entries
	if err := p.prepareModel(); err != nil {
		return nil, nil, nil, err
	}
	var budget *memoryBudget
	if s.opts.LimitMemory {
		budget = startMemoryBudget()
	}
	kept := false
	defer func() {
		if !kept {
			budget.stop()
		}
	}()

	// Then the teams, a batch at a time, on every worker.
	sched := newBatcher(teamIdx, s.batch)
	workpool.Run(s.workers, s.workers, func(int) {
		for ctx.Err() == nil {
			n, idx, ok := sched.take()
			if !ok {
				return
			}
			sched.done(n, p.checkBatch(evalCtx, idx))
			budget.update()
		}
	})
	batches, parts := sched.batches, sched.parts
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	if p.wrong.Load() && retry {
		budget.stop() // the second pass sets its own
		budget = nil
		exact := slices.Clone(p.facts)
		for _, i := range globalIdx {
			exact[i] = first.factAt(globalIdx, i)
		}
		for b, idx := range batches {
			for k, i := range idx {
				exact[i] = parts[b].batch.Facts[k]
			}
		}
		return s.runStream(ctx, root, entries, exact, false)
	}

	// Last, what no batch owns: the global entries, package files (with every team that uses
	// them), and the files of the GitOps directory that no entry reaches.
	fs, sups := p.checkRest(evalCtx, first, parts, sched.sharedFindings())
	kept, s.budget = true, budget // stopped by Result.Release, after the report
	return repo, fs, sups, nil
}

func (pt part) factAt(idx []int, i int) load.EntryFacts {
	return pt.batch.Facts[slices.Index(idx, i)]
}

// prescan learns each entry's kind and name without parsing it where it can.
func prescan(repo *load.Repo, abs []string, workers int) []load.EntryFacts {
	facts := make([]load.EntryFacts, len(abs))
	workpool.Run(len(abs), workers, func(i int) {
		if f, ok := repo.Prescan(abs[i]); ok {
			facts[i] = f
			return
		}
		e, _, _, _ := repo.LoadEntry(abs[i])
		facts[i] = load.FactsOf(e)
		if e != nil {
			repo.Forget(e) // its batch reads it again: memory stays bounded
		}
	})
	return facts
}

// prepareModel builds the facts every evaluation shares and converts them once.
func (p *pipeline) prepareModel() error {
	var global *load.Entry
	if len(p.globals) > 0 {
		global = p.globals[0]
	}
	var teams []model.TeamRef
	var labels []string
	if global != nil {
		labels = append(labels, load.FactsOf(global).Labels...)
	}
	for i, f := range p.facts {
		if !f.Present || f.Kind == fleet.KindGlobal {
			continue
		}
		teams = append(teams, model.TeamRef{Name: f.Name, File: p.repo.RelPath(p.abs[i]), Kind: f.Kind})
		labels = append(labels, f.Labels...)
	}
	facts := model.NewFacts(p.repo.Era, global, teams, labels, model.ReadCI(p.repo.FS()), model.Options{Secrets: p.st.cfg.Secrets,
		OmitTeamIndex: p.st.policy != nil && !p.st.policy.ReadsRepoTeams})
	if p.st.opts.SkipPolicy {
		return nil
	}
	// Only the converted facts are kept (a 10,000-team index is megabytes).
	var err error
	p.common, err = p.st.policy.NewFacts(facts, p.st.change)
	if err == nil {
		p.common.ShareValues(p.repo.SharedValue)
	}
	return err
}

// loadEntries reads entries in full (see load.Repo.LoadBatch) and collects what lint needs
// from the files the batch claimed: their suppressions and the secrets written in them.
func (p *pipeline) loadEntries(idx []int) part {
	defer p.st.opts.Profile.Stage("load", p.st.opts.Profile.Mark())
	abs := make([]string, len(idx))
	for k, i := range idx {
		abs[k] = p.abs[i]
	}
	b := p.repo.LoadBatch(abs)
	for k, i := range idx {
		if !b.Facts[k].Equal(p.facts[i]) {
			p.wrong.Store(true)
		}
	}
	pt := part{batch: b, findings: b.Findings}
	b.Findings = nil // the part's from here on
	for _, f := range b.Claimed {
		if f.Data != nil && bytes.Contains(f.Data, []byte("tollgate:ignore")) {
			lines := f.Lines()
			pt.sups = append(pt.sups, findSuppressions(f.Path, lines.Line, lines.Count())...)
		}
	}
	pt.secrets = model.ScanSecrets(b.Claimed)
	b.Claimed = nil
	return pt
}

// checkBatch reads a batch of team files, checks them and lets them go.
func (p *pipeline) checkBatch(ctx context.Context, idx []int) part {
	pt := p.loadEntries(idx)
	b := pt.batch
	pt.yaml = yamlOf(b.Entries, b.Refs)
	if !p.st.opts.SkipSchema {
		mark := p.st.opts.Profile.Mark()
		for _, e := range b.Entries {
			pt.findings = append(pt.findings, p.st.validateEntry(e)...)
		}
		p.st.opts.Profile.Stage("schema", mark)
	}
	if !p.st.opts.SkipPolicy {
		in := model.Part{Teams: b.Entries, Refs: b.Refs, EnvRefs: b.EnvRefs, Secrets: pt.secrets}
		pt.findings = append(pt.findings, p.evaluate(ctx, in, b.Entries, nil, nil, false)...)
	}
	b.Refs = laterRefs(b.Entries, b.Refs)
	// Every team file names its variables again ($FLEET_URL, its enroll secret): what the
	// run still needs of them is apply's check that each is set, which reads the first.
	b.EnvRefs = load.FirstEnvRefs(b.EnvRefs)
	p.repo.Release(b)
	pt.secrets = nil
	// A file many teams include (a lib/ policies file) gets the same findings for every team:
	// one of each per batch here, and one for the run when the batcher takes the part, so they
	// no longer pile up until the end (1,000 teams including 446 CIS policies held 446,000
	// findings).
	pt.findings = p.texts.compact(dropCopies(pt.findings))
	return pt
}

// laterRefs are the references of a checked batch that the run still reads once every batch
// is done: those to package files (input.packages' used_by, in the last evaluation) and, from
// entries whose YAML holds a suppression comment, those to other files (includeSites). The
// rest go with the batch: a team of a real-shaped repository lists some 40 files, and keeping
// their references was most of what a run held per team.
func laterRefs(entries []*load.Entry, refs []load.Ref) []load.Ref {
	suppressing := map[*load.Entry]bool{}
	for _, e := range entries {
		for _, f := range e.Files(nil) {
			if bytes.Contains(f.Data, []byte("tollgate:ignore")) {
				suppressing[e] = true
				break
			}
		}
	}
	var out []load.Ref
	for _, r := range refs {
		if r.Role == "package" || (suppressing[r.Entry] && !yamlPath(r.Target)) {
			out = append(out, r)
		}
	}
	return out
}

// checkRest evaluates the global entries, the package files and the files no entry reaches,
// and gathers every part's results in a fixed order, with the findings the batches shared
// (see batcher) where theirs were.
func (p *pipeline) checkRest(ctx context.Context, first part, parts []part, shared []finding.Finding) ([]finding.Finding, []*suppression) {
	all := append([]part{first}, parts...)
	batches := make([]*load.Batch, len(all))
	var fs []finding.Finding
	var sups []*suppression
	for k, pt := range all {
		batches[k] = pt.batch
		fs = append(fs, pt.findings...)
		sups = append(sups, pt.sups...)
	}
	fs = append(fs, shared...)
	mark := p.st.opts.Profile.Mark()
	fs = append(fs, p.repo.Complete(batches)...)
	p.st.opts.Profile.Stage("load", mark)
	usedBy := map[string][]any{}
	// Every team that uses a package is listed, with the data path of its reference: the same
	// few paths for thousands of teams, converted once each (model.PathCache).
	var paths model.PathCache
	for _, r := range p.repo.Refs {
		if r.Role == "package" && r.File != nil {
			usedBy[r.File.Path] = append(usedBy[r.File.Path], &model.UseRecord{Entry: r.Entry.File.Path, Path: paths.Path(r.Path)})
		}
	}
	pkgs := p.repo.Packages
	if !p.st.opts.SkipSchema {
		mark := p.st.opts.Profile.Mark()
		for _, e := range p.globals {
			fs = append(fs, p.st.validateEntry(e)...)
		}
		for _, d := range pkgs {
			fs = append(fs, p.st.validate(d, fleet.KindPackageFile, p.repo.Era)...)
		}
		p.st.opts.Profile.Stage("schema", mark)
	}
	if !p.st.opts.SkipPolicy {
		secrets := append(slices.Clone(first.secrets), model.ScanOtherFiles(p.repo)...)
		in := model.Part{Packages: pkgs, UsedBy: usedBy, Refs: first.batch.Refs, EnvRefs: first.batch.EnvRefs, Secrets: secrets}
		fs = append(fs, p.evaluate(ctx, in, p.globals, pkgs, p.repo.Entries, true)...)
	}
	return fs, sups
}

// evaluate runs the Rego rules on one part and locates their findings while its documents are
// still in memory. Findings in the global entries, repeated by every batch, are deduplicated at
// the end. released are entries already let go that a finding may still point into (read
// again to locate it). last is the run's last evaluation, where the change rules run.
func (p *pipeline) evaluate(ctx context.Context, in model.Part, entries []*load.Entry, pkgs []*load.Doc, released []*load.Entry, last bool) []finding.Finding {
	job := policy.Job{Part: in, Change: last} // the change rules once, in the last evaluation
	if p.st.policy.HasConftest() {            // documents are converted for conftest policies only
		job.Conftest = model.ConftestDocs(entries)
	}
	pr := p.st.opts.Profile
	results, fs := p.st.policy.Evaluate(ctx, p.common, job)
	mark := pr.Mark()
	defer pr.Stage("locate", mark)
	docs := make(map[string]*load.Doc, len(entries)+len(p.globals)+len(pkgs)+len(released))
	for _, e := range released {
		docs[e.File.Path] = &e.Doc
	}
	for _, e := range p.globals {
		docs[e.File.Path] = &e.Doc
	}
	for _, e := range entries {
		docs[e.File.Path] = &e.Doc
	}
	for _, d := range pkgs {
		docs[d.File.Path] = d
	}
	for _, r := range results {
		fs = append(fs, locate(r, docs, p.repo))
	}
	for i := range fs {
		if fs[i].Location.File == "" && len(p.abs) > 0 {
			fs[i].Location.File = p.repo.RelPath(p.abs[0])
		}
	}
	return fs
}
