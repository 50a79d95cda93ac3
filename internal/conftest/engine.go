// Package conftest runs plain conftest policies the way `conftest test` v0.71.1 runs them (one
// input per document or one combined input, namespaces, deny/violation/warn rules and their
// prefixed forms, exception rules, data documents) and locates every finding at the field of
// the document that the firing rule tested (docs/conftest.md explains how, and the limits).
//
// The package reads no files of its own accord: callers hand it parsed modules, data and
// documents (ParseYAML and ParseJSON split and convert a file as conftest's parsers do, with
// yaml.v3 nodes kept for positions), so it serves the working tree, a commit or a test alike.
package conftest

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// Options are conftest's flags that change what a check evaluates.
type Options struct {
	// Namespaces are --namespace: the policy packages whose rules run (default "main"). A
	// pattern holding *, ? or [ selects among the loaded packages with path.Match, as conftest
	// does when any pattern has one.
	Namespaces []string
	// AllNamespaces is --all-namespaces: every package of the loaded policies.
	AllNamespaces bool
	// Combine is --combine: all documents form one input, an array of {path, contents}.
	Combine bool
	// Data is what --data files hold, merged at the root of data (see LoadData).
	Data map[string]any
	// Capabilities restrict the builtins policies may call; nil means DefaultCapabilities.
	Capabilities *ast.Capabilities
	// Strict is --strict (OPA's strict compilation).
	Strict bool
	// IgnoreBuiltinErrors makes a builtin that fails turn its expression undefined and
	// nothing else, as conftest does without --show-builtin-errors. By default such errors
	// are returned in Report.Errors (the results are the same either way), so a policy that
	// chokes on a value cannot pass a file silently.
	IgnoreBuiltinErrors bool
	// Now is the time policies see (time.now_ns); zero means the clock, as in conftest.
	Now time.Time
	// Root is the directory documents' paths are relative to; conftest exposes the absolute
	// directory of the file under check as data.conftest.file.dir. Empty leaves it relative.
	Root string
}

// Engine holds compiled policies and prepared queries; Check may be called concurrently.
type Engine struct {
	opts       Options
	compiler   *ast.Compiler
	store      storage.Store
	namespaces []string             // those checked, in order
	rules      map[string]namespace // by namespace
	queries    map[string]rego.PreparedEvalQuery
	// readsFileInfo: some module may read data.conftest (conftest's file name and
	// directory). Only then is it written, in a transaction per input.
	readsFileInfo bool
}

// namespace is what conftest's check computes from the modules of one package.
type namespace struct {
	rules []string // distinct deny/violation/warn rule names, sorted
	count int      // rule definitions with those names (conftest's ruleCount)
}

var (
	warningRegex = regexp.MustCompile("^warn(_[a-zA-Z0-9]+)*$")
	failureRegex = regexp.MustCompile("^(deny|violation)(_[a-zA-Z0-9]+)*$")
)

func isWarning(rule string) bool { return warningRegex.MatchString(rule) }
func isFailure(rule string) bool { return failureRegex.MatchString(rule) }

// ParseModule parses one policy file as conftest does (--rego-version v1 by default; pass
// ast.RegoV0 for policies written before OPA 1.0).
func ParseModule(name string, src []byte, version ast.RegoVersion) (*ast.Module, error) {
	if version == ast.RegoUndefined {
		version = ast.RegoV1
	}
	return ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: version})
}

// New compiles modules (file name → module, as ParseModule returns them) with data.
func New(ctx context.Context, modules map[string]*ast.Module, opts Options) (*Engine, error) {
	if len(modules) == 0 {
		return nil, fmt.Errorf("no policies given: conftest needs at least one .rego file")
	}
	if opts.Capabilities == nil {
		opts.Capabilities = DefaultCapabilities()
	}
	if len(opts.Namespaces) == 0 {
		opts.Namespaces = []string{"main"}
	}
	compiler := ast.NewCompiler().WithCapabilities(opts.Capabilities).WithStrict(opts.Strict).
		WithEnablePrintStatements(false)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("policies do not compile: %w", compiler.Errors)
	}
	if err := problematicIf(modules); err != nil {
		return nil, err
	}
	data := opts.Data
	if data == nil {
		data = map[string]any{}
	}
	e := &Engine{opts: opts, compiler: compiler, store: inmem.NewFromObject(data),
		rules: map[string]namespace{}, queries: map[string]rego.PreparedEvalQuery{}}
	e.readsFileInfo = readsConftestData(compiler.Modules)

	all := packageNamespaces(modules)
	switch {
	case opts.AllNamespaces:
		e.namespaces = all
	case slices.ContainsFunc(opts.Namespaces, func(p string) bool { return strings.ContainsAny(p, "*?[") }):
		for _, ns := range all {
			for _, pat := range opts.Namespaces {
				ok, err := path.Match(pat, ns)
				if err != nil {
					return nil, fmt.Errorf("namespace pattern %q: %w", pat, err)
				}
				if ok {
					e.namespaces = append(e.namespaces, ns)
					break
				}
			}
		}
	default:
		e.namespaces = slices.Clone(opts.Namespaces)
	}

	for _, ns := range e.namespaces {
		n := rulesOf(modules, ns)
		e.rules[ns] = n
		for _, r := range n.rules {
			for _, q := range []string{exceptionQuery(ns, r), ruleQuery(ns, r)} {
				pq, err := rego.New(rego.Compiler(compiler), rego.Store(e.store), rego.Query(q)).PrepareForEval(ctx)
				if err != nil {
					return nil, fmt.Errorf("prepare %s: %w", q, err)
				}
				e.queries[q] = pq
			}
		}
	}
	return e, nil
}

// Namespaces are the packages checked, in order.
func (e *Engine) Namespaces() []string { return slices.Clone(e.namespaces) }

// packageNamespaces lists the packages of the modules (without "data."), sorted; conftest
// lists them in map order, which only changes the order of its output.
func packageNamespaces(modules map[string]*ast.Module) []string {
	var out []string
	for _, m := range modules {
		ns := strings.Replace(m.Package.Path.String(), "data.", "", 1)
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out
}

// rulesOf finds the rules conftest queries in namespace ns: their names by the head's name
// (so `deny.x contains …` is none of them, as in conftest) and how many definitions they have.
// conftest drops a name equal to an earlier one but for case; which one it keeps depends on
// map order, so here both are kept.
func rulesOf(modules map[string]*ast.Module, ns string) namespace {
	var n namespace
	for _, m := range modules {
		if strings.Replace(m.Package.Path.String(), "data.", "", 1) != ns {
			continue
		}
		for _, r := range m.Rules {
			name := r.Head.Name.String()
			if !isFailure(name) && !isWarning(name) {
				continue
			}
			n.count++
			if !slices.Contains(n.rules, name) {
				n.rules = append(n.rules, name)
			}
		}
	}
	slices.Sort(n.rules)
	return n
}

// problematicIf refuses `deny if { … }` without contains (OPA issue 6509), as conftest does:
// such a rule is a boolean, never a message.
func problematicIf(modules map[string]*ast.Module) error {
	names := make([]string, 0, len(modules))
	for name := range modules {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, r := range modules[name].Rules {
			if r.Head == nil || r.Head.Name != "" || r.Head.Value == nil || len(r.Head.Reference) == 0 {
				continue
			}
			ref := r.Head.Reference[0].Value.String()
			if (isFailure(ref) || isWarning(ref)) && r.Head.Value.String() == "true" {
				return fmt.Errorf("rule is using 'if' keyword without 'contains' keyword: rule in %s at line %d; write `%s contains msg if { … }`", name, r.Head.Location.Row, ref)
			}
		}
	}
	return nil
}

// removeRulePrefix is the name an exception rule uses for rule: deny_x → x, deny → "".
func removeRulePrefix(rule string) string {
	if rule == "violation" || rule == "deny" || rule == "warn" {
		return ""
	}
	rule = strings.TrimPrefix(rule, "violation_")
	rule = strings.TrimPrefix(rule, "deny_")
	return strings.TrimPrefix(rule, "warn_")
}

func exceptionQuery(ns, rule string) string {
	return fmt.Sprintf("data.%s.exception[_][_] == %q", ns, removeRulePrefix(rule))
}

func ruleQuery(ns, rule string) string { return fmt.Sprintf("data.%s.%s", ns, rule) }

// readsConftestData reports whether a module may read data.conftest: a reference to it or
// below it, to data itself, or to data[x] with x known only when evaluating.
func readsConftestData(mods map[string]*ast.Module) bool {
	reads := false
	for _, m := range mods {
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if reads || !r.HasPrefix(ast.DefaultRootRef) {
				return reads
			}
			if len(r) < 2 {
				reads = true
				return true
			}
			s, ok := r[1].Value.(ast.String)
			reads = !ok || s == "conftest"
			return reads
		})
		if reads {
			return true
		}
	}
	return false
}
