package lint

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/oscatalog"
	"github.com/tollgate-dev/tollgate/internal/policy"
	"github.com/tollgate-dev/tollgate/internal/schema"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
	"go.yaml.in/yaml/v3"
)

// stages holds the prepared checkers: compiled once per run, then applied to every document.
type stages struct {
	opts    Options
	schema  *schema.Validator
	policy  *policy.Engine
	cfg     *config.Config
	workers int
	budget  *memoryBudget // the run's, when Options.LimitMemory set one
	batch   int           // team files per batch; 0 means batchSize (tests vary it)
	change  any           // input.change: what the change under review does (lint --base), or nil
	fleet   *fleetTarget  // the Fleet release checked against
	// osCatalog is the OS version catalog the rules use (nil when the policy stage is off).
	osCatalog *oscatalog.Catalog
}

func newStages(ctx context.Context, opts Options, cfg *config.Config, cat *catalog.Catalog) (*stages, error) {
	// The CUE schemas and the Rego rules compile at once, on two cores.
	schemaDirs := append(cfg.AbsAll(cfg.Schemas), opts.SchemaDirs...)
	var v *schema.Validator
	var schemaErr error
	schemaDone := make(chan struct{})
	go func() {
		defer close(schemaDone)
		v, schemaErr = schema.New(schemaDirs)
	}()
	st, err := newPolicyStage(ctx, opts, cfg, cat)
	<-schemaDone
	if schemaErr != nil {
		return nil, usage("schema: %v", schemaErr)
	}
	if err != nil {
		return nil, err
	}
	st.schema = v
	return st, nil
}

// newPolicyStage loads the OS catalog and compiles the rules.
func newPolicyStage(ctx context.Context, opts Options, cfg *config.Config, cat *catalog.Catalog) (*stages, error) {
	target, err := newFleetTarget(opts.FleetVersion, cfg)
	if err != nil {
		return nil, err
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
	var maxMemory int64
	if opts.LimitMemory { // a process-wide measure, as the memory budget is
		maxMemory = policy.DefaultMaxMemory
	}
	eng, err := policy.New(ctx, policy.Options{
		UserDirs: policyDirs,
		Params:   cfg.RuleParams,
		Enabled:  cfg.RuleEnabled,
		Data:     map[string]any{"os_catalog": osc.Data(), "fleet_version": target.version.String()},
		Catalog:  osc,
		Now:      opts.Now,
		// --checks schema: the rules' metadata for the catalog, nothing compiled.
		MetadataOnly: opts.SkipPolicy,
		MaxMemory:    maxMemory,
		Profile:      opts.Profile,
		Sandbox: policy.Sandbox{File: opts.Capabilities,
			AllowBuiltins: cfg.Capabilities.AllowBuiltins, AllowNet: cfg.Capabilities.AllowNet},
	})
	if err != nil {
		if ce := (*policy.ConfigError)(nil); errors.As(err, &ce) {
			line, _ := cfg.KeyPosition("capabilities")
			return nil, usage("%s:%d: %v", cfg.Path, line, err)
		}
		return nil, usage("%v", err)
	}
	for _, r := range eng.Rules {
		if err := cat.Add(r); err != nil {
			return nil, usage("%v", err)
		}
	}
	if err := cfg.CheckRules(ruleInfo(cat)); err != nil {
		return nil, usage("%v", err)
	}
	st := &stages{opts: opts, policy: eng, cfg: cfg, workers: workerCount(opts), fleet: target}
	if !opts.SkipPolicy {
		st.osCatalog = osc
	}
	if opts.SkipPolicy {
		// The bundled secret rules run whatever --checks says: their findings are what masks
		// secret values in every other finding and snippet (package redact), and a run that did
		// not look for secrets could print one in a schema finding's message or snippet.
		sec, err := policy.New(ctx, policy.Options{
			Params: cfg.RuleParams,
			Enabled: func(id string) bool {
				r, ok := cat.Get(id)
				return ok && r.NotSuppressible && r.Source == "bundled"
			},
			Data:    map[string]any{"os_catalog": osc.Data()},
			Catalog: osc,
			Now:     opts.Now,
			Profile: opts.Profile,
		})
		if err != nil {
			return nil, usage("%v", err)
		}
		st.policy, st.opts.SkipPolicy = sec, false
	}
	return st, nil
}

// ruleInfo is what the configuration check needs of every rule of the run.
func ruleInfo(cat *catalog.Catalog) map[string]config.RuleInfo {
	out := map[string]config.RuleInfo{}
	for _, r := range cat.Rules() {
		info := config.RuleInfo{Severity: r.Severity.String(), NotSuppressible: r.NotSuppressible, Why: r.NotSuppressibleWhy}
		for _, p := range r.Params {
			info.Params = append(info.Params, p.Name)
		}
		out[r.ID] = info
	}
	return out
}

// workerCount is how many files are loaded and checked at once.
func workerCount(opts Options) int {
	if opts.Workers > 0 {
		return opts.Workers
	}
	if opts.Profile != nil {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// validate checks one document against its schema and locates the issues.
func (s *stages) validate(d *load.Doc, kind fleet.Kind, era fleet.Era) []finding.Finding {
	if d.Value == nil {
		return nil
	}
	var fs []finding.Finding
	for _, is := range s.schema.Validate(kind, era, d.Value) {
		if envRefMayExpand(d, is) {
			continue
		}
		fs = append(fs, issueFinding(d, is))
	}
	return fs
}

// envRefMayExpand reports an issue about a $VAR reference (schema.Issue.EnvRef) whose scalar
// is unquoted: fleetctl expands the raw text before parsing, so an unquoted reference may hold
// the list or mapping the schema wants. Only a quoted one is sure to stay a string.
func envRefMayExpand(d *load.Doc, is schema.Issue) bool {
	if !is.EnvRef {
		return false
	}
	hit := yamlsrc.Lookup(d.Root, is.Path)
	if !hit.Exact(is.Path) || hit.Value == nil {
		return true // cannot tell: say nothing rather than something false
	}
	return hit.Value.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0
}

// validateEntry checks an entry's document and the keys of its `- path:` items that splicing
// took out of it (load.Entry.PathItems): of those, only the issues about the item's own keys
// count (the synthetic document lacks everything else an entry needs).
func (s *stages) validateEntry(e *load.Entry) []finding.Finding {
	kind, era := e.Kind, s.fleet.entryEra(e)
	fs := s.validate(&e.Doc, kind, era)
	if e.Value != nil {
		for _, is := range s.fleet.issues(e, era) {
			fs = append(fs, issueFinding(&e.Doc, is))
		}
	}
	for _, d := range e.PathItems {
		for _, is := range s.schema.Validate(kind, era, d.Value) {
			if envRefMayExpand(d, is) {
				continue
			}
			if len(is.Path) > 2 && pathItemHas(d, is.Path) { // [section, 0, key, ...]
				fs = append(fs, issueFinding(d, is))
			}
		}
	}
	return fs
}

// pathItemHas: the item of a PathItems document, at path[:2] ({section: [item]}), has the
// key path[2] (a required key the item lacks is not its concern: the included items carry it).
func pathItemHas(d *load.Doc, path []any) bool {
	section, _ := path[0].(string)
	doc, _ := d.Value.(map[string]any)
	items, _ := doc[section].([]any)
	if len(items) != 1 {
		return false
	}
	item, _ := items[0].(map[string]any)
	key, _ := path[2].(string)
	_, has := item[key]
	return has
}

// issueFinding locates a schema issue; an unquoted number where a string belongs gets the
// explanation of YAML's number trap.
func issueFinding(d *load.Doc, is schema.Issue) finding.Finding {
	loc := d.Locate(is.Path, is.AtKey || is.Missing)
	f := finding.Finding{RuleID: is.RuleID, Severity: is.Severity, Message: is.Message, Hint: is.Hint,
		Location: loc, Source: "cue"}
	if is.WantsString && !is.Missing {
		if hit := yamlsrc.Lookup(d.Root, is.Path); hit.Exact(is.Path) && yamlsrc.IsUnquotedNumber(hit.Value) {
			f.Hint = fmt.Sprintf("YAML reads the unquoted %s as a number (15.10 becomes 15.1); quote it: \"%s\"",
				hit.Value.Value, hit.Value.Value)
		}
	}
	return f
}
