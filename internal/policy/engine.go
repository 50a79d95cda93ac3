package policy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/model"
	"github.com/tollgate-dev/tollgate/internal/oscatalog"
	"github.com/tollgate-dev/tollgate/internal/prof"
)

// Options configure the engine.
type Options struct {
	UserDirs []string                       // --policy and config `policies:`
	Params   func(id string) map[string]any // parameters from .tollgate.yaml, per rule
	Enabled  func(id string) bool           // nil: every rule runs
	Data     map[string]any                 // extra data documents, e.g. "os_catalog"
	Catalog  *oscatalog.Catalog             // for tollgate.os_version_status; nil means the embedded one
	Now      time.Time
	Timeout  time.Duration // per run; 0 means DefaultRunTimeout
	// RuleTimeout is each rule's share of the run's time; 0 means DefaultRuleTimeout.
	RuleTimeout time.Duration
	// MaxMemory is the live heap (bytes) past which evaluation stops; 0 means no ceiling. It
	// reads the whole process's heap, so only a process that runs one lint should set it.
	MaxMemory int64
	// Sandbox widens the capabilities policies compile with (capabilities.go).
	Sandbox Sandbox
	// MetadataOnly reads the rules' METADATA and checks their parameters without compiling
	// anything: an engine for the catalog of a run that evaluates no policy (--checks schema).
	MetadataOnly bool
	// Profile, when set, accounts each rule's evaluations (lint --profile).
	Profile *prof.Profile
	// Kind is the repository kind whose rules run (kind.go); Rules lists every rule's metadata
	// whatever its kind. Plain conftest policies run in the Fleet engine only: the Kubernetes
	// kind runs them through internal/conftest.
	Kind string
}

// Engine holds prepared queries, ready to evaluate many inputs concurrently.
type Engine struct {
	Rules []catalog.Rule // tollgate-contract rules, sorted by ID
	// ReadsRepoTeams is false when no loaded policy can read input.repo.teams, which the
	// caller may then leave out of the input (see readsInput).
	ReadsRepoTeams bool
	// Widening says how the capabilities in force go beyond the default (for the report).
	Widening Widening
	rules    []*prepared
	conftest []*prepared
	prepared int // len(rules) + len(conftest): prepared.index ranges over it
	opts     Options
	prints   printLog
	http     func(*http.Transport) http.RoundTripper // what http.send goes through, when allowed
}

type prepared struct {
	rule   catalog.Rule
	pkg    string // e.g. tollgate.rules.passcode_min_length, or main
	name   string // conftest rule name (deny, warn_x, ...), "" for tollgate rules
	query  rego.PreparedEvalQuery
	defSev finding.Severity
	index  int // in the run's account of time per rule (runState)
}

// New parses and compiles every module once and prepares one query per rule package (so a
// failing rule cannot hide the results of the others).
func New(ctx context.Context, opts Options) (*Engine, error) {
	mods, err := Bundled(false)
	if err != nil {
		return nil, err
	}
	for _, d := range opts.UserDirs {
		um, err := UserDir(d, false)
		if err != nil {
			return nil, err
		}
		mods = append(mods, um...)
	}
	return newEngine(ctx, opts, mods)
}

func newEngine(ctx context.Context, opts Options, mods []module) (*Engine, error) {
	if opts.Timeout == 0 {
		opts.Timeout = DefaultRunTimeout
	}
	if opts.RuleTimeout == 0 {
		opts.RuleTimeout = DefaultRuleTimeout
	}
	e := &Engine{opts: opts}
	caps, widening, err := opts.Sandbox.capabilities()
	if err != nil {
		return nil, err
	}
	e.Widening = widening
	e.http = roundTripper(caps.AllowNet)
	modMap := map[string]*ast.Module{}
	for _, m := range mods {
		if _, dup := modMap[m.name]; dup {
			return nil, fmt.Errorf("policy file %s is loaded twice", m.name)
		}
		modMap[m.name] = m.ast
	}
	set, err := declaredRules(mods)
	if err != nil {
		return nil, err
	}
	params, err := set.params(opts)
	if err != nil {
		return nil, err
	}
	e.Rules = set.catalog()
	if opts.MetadataOnly {
		return e, nil
	}
	kinds, err := kindsOf(mods)
	if err != nil {
		return nil, err
	}
	decls, impls := builtins(opts.Catalog, opts.Now)
	compiler := ast.NewCompiler().WithEnablePrintStatements(true).WithBuiltins(decls).WithCapabilities(caps)
	compiler.Compile(modMap)
	if compiler.Failed() {
		return nil, compileError(compiler.Errors, caps, opts.Sandbox.File, false)
	}
	e.ReadsRepoTeams = readsInput(compiler.Modules, "repo", "teams")
	data := map[string]any{"tollgate": map[string]any{"params": params}}
	for k, v := range opts.Data {
		data[k] = v
	}
	store := inmem.NewFromObject(data)
	prep := func(query string) (rego.PreparedEvalQuery, error) {
		ropts := append([]func(*rego.Rego){rego.Compiler(compiler), rego.Store(store), rego.Query(query),
			rego.StrictBuiltinErrors(true), rego.Capabilities(caps)}, impls...)
		return rego.New(ropts...).PrepareForEval(ctx)
	}
	for _, d := range set.rules {
		if opts.Enabled != nil && !opts.Enabled(d.rule.ID) || kinds[d.pkg] != opts.Kind {
			continue
		}
		q, err := prep("data." + d.pkg + ".report")
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", d.rule.ID, err)
		}
		e.rules = append(e.rules, &prepared{rule: d.rule, pkg: d.pkg, query: q, defSev: d.rule.Severity, index: e.prepared})
		e.prepared++
	}
	// Plain conftest policies: deny/violation are errors, warn warnings.
	for _, d := range set.conftest {
		if opts.Kind != KindFleet {
			break
		}
		q, err := prep("data." + d.pkg + "." + d.name)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", d.file, err)
		}
		e.conftest = append(e.conftest, &prepared{rule: d.rule, pkg: d.pkg, name: d.name, query: q, defSev: d.rule.Severity, index: e.prepared})
		e.prepared++
	}
	return e, nil
}

// ParamError is a rule parameter the configuration sets to a value the rule refuses.
type ParamError struct {
	Rule string
	Err  error
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("rules.%s.params.%v", e.Rule, e.Err)
}

// readsInput reports whether any module may read input at path: through a reference to it or
// below it, to a value above it (input.repo, input itself), or through a key only known when
// evaluating (input.repo[k]). Rego has no other way to reach the input, so false is certain.
// The index of every team (input.repo.teams) costs megabytes in a large repository, live for
// the whole run: left out when nothing reads it, the collector has that much less to mark.
func readsInput(mods map[string]*ast.Module, path ...string) bool {
	reads := false
	for _, m := range mods {
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if reads || !r.HasPrefix(ast.InputRootRef) {
				return reads
			}
			reads = mayReach(r, path)
			return reads
		})
		if reads {
			return true
		}
	}
	return false
}

// mayReach: r, a reference into input, may read the value at path (or part of it).
func mayReach(r ast.Ref, path []string) bool {
	for i, want := range path {
		if len(r) <= i+1 {
			return true // stops above path: the whole value may be read
		}
		k, ok := r[i+1].Value.(ast.String)
		if !ok {
			return true // a key known only at evaluation time may be want
		}
		if string(k) != want {
			return false
		}
	}
	return true
}

// Job is one evaluation: a part of the repository for the tollgate rules and, when plain
// conftest policies are loaded (HasConftest), the documents of its entry files for them.
type Job struct {
	Part     model.Part
	Conftest []model.Doc
	// Change says whether the rules of the change review (METADATA category "change") run on
	// this job: they read input.change alone, so one evaluation of a run is enough (a
	// 10,000-team repository is checked in 157 jobs).
	Change bool
}

// ChangeCategory is the METADATA category of the rules that review the change itself.
const ChangeCategory = "change"

// HasConftest reports whether plain conftest policies are loaded: only then do jobs need the
// documents of their entry files (Job.Conftest).
func (e *Engine) HasConftest() bool { return len(e.conftest) > 0 }

// Evaluate runs every rule on one job, on the calling goroutine: callers evaluate jobs in
// parallel, with a context from WithLimits and the run's facts. Results come back in a
// deterministic order (rule by rule); evaluation errors become policy-error findings, and an
// input that cannot be converted an internal-error finding (with no file: the caller's to place).
func (e *Engine) Evaluate(ctx context.Context, f *Facts, j Job) (rs []Result, fs []finding.Finding) {
	defer func() {
		// Conftest documents are converted lazily, inside OPA's evaluation, where a bad value
		// can only panic: it must not take the run down with it.
		if r := recover(); r != nil {
			fs = append(fs, internalError(fmt.Errorf("evaluating the rules: %v", r)))
		}
	}()
	mark := e.opts.Profile.Mark()
	in := evalInputs{change: j.Change}
	m := model.Input(j.Part, &f.profiles)
	var err error
	if in.input, err = f.input(m); err != nil {
		return nil, []finding.Finding{internalError(err)}
	}
	for _, d := range j.Conftest {
		v, err := conftestValue(d.Doc)
		if err != nil {
			continue // not a document conftest would read (the schema and load report it)
		}
		in.conftest = append(in.conftest, conftestInput{file: d.File, input: v})
	}
	e.opts.Profile.Stage("policy input", mark)
	defer e.opts.Profile.Stage("rules", e.opts.Profile.Mark())
	return e.eval(ctx, in)
}

func internalError(err error) finding.Finding {
	return finding.Finding{RuleID: catalog.InternalError, Severity: finding.Error, Source: "tollgate",
		Message: err.Error()}
}

// evalInputs are the converted inputs of one job.
type evalInputs struct {
	input    ast.Value // for the tollgate rules; nil: none run
	conftest []conftestInput
	change   bool
}

// conftestInput is one document as conftest would see it.
type conftestInput struct {
	file  string
	input ast.Value
}

// eval runs every prepared query on its inputs.
func (e *Engine) eval(ctx context.Context, in evalInputs) ([]Result, []finding.Finding) {
	var out []Result
	var fs []finding.Finding
	st := e.runOf(ctx)
	run := func(p *prepared, input ast.Value, file string) {
		var rs rego.ResultSet
		mark := e.opts.Profile.Mark()
		defer e.opts.Profile.Rule(p.rule.ID, mark)
		rctx, err := e.evalLimited(ctx, st, p, func(rctx context.Context) (err error) {
			rs, err = p.query.Eval(rctx, rego.EvalParsedInput(input), rego.EvalTime(e.opts.Now),
				rego.EvalPrintHook(&e.prints), rego.EvalHTTPRoundTripper(e.http))
			return err
		})
		if err != nil {
			fs = append(fs, e.evalError(p, file, err, context.Cause(rctx)))
			return
		}
		out = append(out, collect(p, file, rs)...)
	}
	if in.input != nil {
		for _, p := range e.rules {
			if p.rule.Category == ChangeCategory && !in.change {
				continue
			}
			run(p, in.input, "")
		}
	}
	for _, ci := range in.conftest {
		for _, p := range e.conftest {
			run(p, ci.input, ci.file)
		}
	}
	return out, fs
}

// collect decodes a result set: a set of findings, or for conftest rules strings or objects.
func collect(p *prepared, file string, rs rego.ResultSet) []Result {
	var out []Result
	for _, r := range rs {
		for _, ex := range r.Expressions {
			items, ok := ex.Value.([]any)
			if !ok {
				continue
			}
			for _, it := range items {
				out = append(out, decodeResult(p, file, it))
			}
		}
	}
	return out
}

// PrintOutput is what the policies printed, bounded (print.go), for standard error.
func (e *Engine) PrintOutput() []string { return e.prints.lines() }

// evalError reports a rule that could not finish: a builtin error, a type error, a time-out,
// the memory ceiling (cause says which limit stopped it).
func (e *Engine) evalError(p *prepared, file string, err, cause error) finding.Finding {
	msg := err.Error()
	var te *topdown.Error
	if errors.As(err, &te) {
		msg = te.Message
		if te.Location != nil {
			msg = fmt.Sprintf("%s (at %s:%d)", te.Message, te.Location.File, te.Location.Row)
		}
	}
	if topdown.IsCancel(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		msg = e.stopReason(cause)
	}
	return finding.Finding{RuleID: catalog.PolicyError, Severity: finding.Error, Source: p.rule.Source,
		Message: fmt.Sprintf("rule %s did not finish, so its checks did not run: %s", p.rule.ID, msg),
		Hint:    "fix the policy, or the value it choked on",
		Location: finding.Location{File: file, Start: finding.Position{Line: 1, Column: 1},
			End: finding.Position{Line: 1, Column: 1}}}
}
