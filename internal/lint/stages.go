package lint

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/model"
	"github.com/tollgate-dev/tollgate/internal/oscatalog"
	"github.com/tollgate-dev/tollgate/internal/policy"
	"github.com/tollgate-dev/tollgate/internal/schema"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// stages holds the prepared checkers: compiled once per run, then applied to every document.
type stages struct {
	opts    Options
	schema  *schema.Validator
	policy  *policy.Engine
	cfg     *config.Config
	workers int
}

func newStages(ctx context.Context, opts Options, cfg *config.Config, cat *catalog.Catalog) (*stages, error) {
	schemaDirs := append(cfg.AbsAll(cfg.Schemas), opts.SchemaDirs...)
	v, err := schema.New(schemaDirs)
	if err != nil {
		return nil, usage("schema: %v", err)
	}
	osc := oscatalog.Embedded()
	catPath := opts.OSCatalog
	if catPath == "" && cfg.OSCatalog != "" {
		catPath = cfg.Abs(cfg.OSCatalog)
	}
	if catPath != "" {
		if osc, err = oscatalog.Load(catPath); err != nil {
			return nil, usage("--os-catalog: %v", err)
		}
	}
	policyDirs := append(cfg.AbsAll(cfg.Policies), opts.PolicyDirs...)
	eng, err := policy.New(ctx, policy.Options{
		UserDirs: policyDirs,
		Params:   cfg.RuleParams,
		Enabled:  cfg.RuleEnabled,
		Data:     map[string]any{"os_catalog": osc.Data()},
		Catalog:  osc,
		Now:      opts.Now,
		Workers:  opts.Workers,
	})
	if err != nil {
		return nil, usage("%v", err)
	}
	for _, r := range eng.Rules {
		if err := cat.Add(r); err != nil {
			return nil, usage("%v", err)
		}
	}
	return &stages{opts: opts, schema: v, policy: eng, cfg: cfg, workers: opts.Workers}, nil
}

func (s *stages) run(ctx context.Context, repo *load.Repo) ([]finding.Finding, error) {
	var fs []finding.Finding
	if !s.opts.SkipSchema {
		fs = s.runSchema(repo)
	}
	if !s.opts.SkipPolicy {
		pfs, err := s.runPolicy(ctx, repo)
		if err != nil {
			return nil, err
		}
		fs = append(fs, pfs...)
	}
	return fs, nil
}

// runSchema validates every entry and package document in parallel.
func (s *stages) runSchema(repo *load.Repo) []finding.Finding {
	type doc struct {
		d    *load.Doc
		kind schema.Kind
		era  schema.Era
	}
	var docs []doc
	for _, e := range repo.Entries {
		if e.Value == nil {
			continue
		}
		docs = append(docs, doc{&e.Doc, schemaKind(e.Kind), schema.Era(e.Era)})
	}
	seen := map[string]bool{}
	for _, p := range repo.Packages {
		if p.Value == nil || seen[p.File.Path] {
			continue
		}
		seen[p.File.Path] = true
		docs = append(docs, doc{p, schema.KindPackageFile, schema.Era(repo.Era)})
	}
	out := make([][]finding.Finding, len(docs))
	parallel(len(docs), s.workers, func(i int) {
		d := docs[i]
		for _, is := range s.schema.Validate(d.kind, d.era, d.d.Value) {
			out[i] = append(out[i], issueFinding(d.d, is))
		}
	})
	var all []finding.Finding
	for _, o := range out {
		all = append(all, o...)
	}
	return all
}

func schemaKind(k load.Kind) schema.Kind {
	switch k {
	case load.KindGlobal:
		return schema.KindGlobal
	case load.KindUnassigned:
		return schema.KindNoTeam
	}
	return schema.KindTeam
}

// issueFinding locates a schema issue; an unquoted number where a string belongs gets the
// explanation of YAML's number trap.
func issueFinding(d *load.Doc, is schema.Issue) finding.Finding {
	loc := d.Locate(is.Path, is.AtKey || is.Missing)
	f := finding.Finding{RuleID: is.RuleID, Severity: is.Severity, Message: is.Message, Hint: is.Hint,
		Location: loc, Source: "cue"}
	if is.RuleID == catalog.SchemaType && !is.Missing && strings.Contains(is.Message, "expected a string") {
		if hit := yamlsrc.Lookup(d.Root, is.Path); hit.Exact(is.Path) && yamlsrc.IsUnquotedNumber(hit.Value) {
			f.Hint = fmt.Sprintf("YAML reads the unquoted %s as a number (15.10 becomes 15.1); quote it: \"%s\"",
				hit.Value.Value, hit.Value.Value)
		}
	}
	return f
}

// runPolicy evaluates the Rego rules over the repository model, sharded across workers.
func (s *stages) runPolicy(ctx context.Context, repo *load.Repo) ([]finding.Finding, error) {
	m := model.Build(repo, model.Options{Secrets: s.cfg.Secrets})
	// Rules see the model from here on. The YAML trees and Go values are most of the memory:
	// let them go before conversion and evaluation, when memory peaks (the model keeps the
	// values it needs until they are converted); the few documents with findings are re-read
	// to locate them.
	repo.Release()
	workers := s.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	shards := model.Shards(m, workers)
	jobs := make([]policy.Job, len(shards))
	var convErr error
	var mu sync.Mutex
	parallel(len(shards), workers, func(i int) {
		v, err := ast.InterfaceToValue(shards[i].Input)
		if err != nil {
			mu.Lock()
			convErr = err
			mu.Unlock()
			return
		}
		jobs[i].Input = v
		for _, c := range shards[i].Conftest {
			cv, err := ast.InterfaceToValue(c.Doc)
			if err != nil {
				continue
			}
			jobs[i].Conftest = append(jobs[i].Conftest, policy.ConftestInput{File: c.File, Input: cv})
		}
	})
	if convErr != nil {
		return nil, fmt.Errorf("building policy input: %w", convErr)
	}
	m, shards = nil, nil
	raws, fs := s.policy.Eval(ctx, jobs)
	docs := map[string]*load.Doc{}
	for _, e := range repo.Entries {
		docs[e.File.Path] = &e.Doc
	}
	for _, p := range repo.Packages {
		docs[p.File.Path] = p
	}
	for _, r := range raws {
		fs = append(fs, locateRaw(r, docs, repo))
	}
	for i := range fs {
		if fs[i].Location.File == "" && len(repo.Entries) > 0 {
			fs[i].Location.File = repo.Entries[0].File.Path
		}
	}
	return fs, nil
}

// parallel runs fn(0..n-1) on up to workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
