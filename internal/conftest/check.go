package conftest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Kind is what a result counts as in conftest's summary.
type Kind int

const (
	Failure   Kind = iota + 1 // deny and violation rules
	Warning                   // warn rules
	Exception                 // a rule excepted by an exception rule: its results are not reported
)

func (k Kind) String() string {
	switch k {
	case Failure:
		return "failure"
	case Warning:
		return "warning"
	case Exception:
		return "exception"
	}
	return "unknown"
}

// Severity is the finding severity of the kind: failures are errors, warnings warnings.
func (k Kind) Severity() finding.Severity {
	switch k {
	case Failure:
		return finding.Error
	case Warning:
		return finding.Warning
	}
	return finding.Note
}

// Basis says how a result's location was found.
type Basis string

const (
	// BasisField: the field the firing rule tested, found by tracing its derivation.
	BasisField Basis = "field"
	// BasisPolicy: the policy named the place itself (a _loc object in the result).
	BasisPolicy Basis = "policy"
	// BasisDocument: the rule read no field of the document, or the document cannot be
	// located: its first line.
	BasisDocument Basis = "document"
)

// Result is one failure, warning or exception.
type Result struct {
	Kind      Kind
	Namespace string // e.g. main
	Rule      string // e.g. deny_run_as_root
	// Message is the rule's message; for an exception, conftest's exception query.
	Message string
	// Metadata holds the result object's other keys, and "query" (as in conftest's output).
	Metadata map[string]any
	// Document indexes the documents given to Check: the one the result is about (in a
	// combined check, the one the tested field belongs to; the first one when it read none).
	Document int
	Location finding.Location
	Basis    Basis
	// Path is the data path in the document of the tested field (nil when none).
	Path []any
}

// Error is a rule that could not be evaluated on a document, or returned a result conftest
// refuses (an object without a string msg). conftest stops the whole run on the first one;
// here the other rules and documents still run, and the caller fails the run.
type Error struct {
	Document  int // -1 for a combined input
	Namespace string
	Rule      string
	Err       error
}

func (e Error) Error() string {
	if e.Rule == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%s.%s: %v", e.Namespace, e.Rule, e.Err)
}

// Report is the outcome of a check.
type Report struct {
	Results []Result // sorted: document, namespace, rule, kind, message
	// Successes counts as conftest does: per input and namespace, every rule query that
	// returned nothing, topped up to the number of rule definitions.
	Successes int
	Errors    []Error
}

// Totals are conftest's summary counts.
func (r *Report) Totals() (failures, warnings, exceptions int) {
	for _, x := range r.Results {
		switch x.Kind {
		case Failure:
			failures++
		case Warning:
			warnings++
		case Exception:
			exceptions++
		}
	}
	return
}

// Check evaluates the policies on docs: each document alone, or all of them combined.
func (e *Engine) Check(ctx context.Context, docs []Document) (*Report, error) {
	rep := &Report{}
	var inputs []*input
	if e.opts.Combine {
		if len(docs) == 0 {
			return rep, nil
		}
		in, err := combined(docs)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, in)
	} else {
		for i, d := range docs {
			in, err := single(i, d)
			if err != nil {
				rep.Errors = append(rep.Errors, Error{Document: i, Err: err})
				continue
			}
			inputs = append(inputs, in)
		}
	}
	for _, in := range inputs {
		for _, ns := range e.namespaces {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			e.check(ctx, ns, in, docs, rep)
		}
	}
	slices.SortStableFunc(rep.Results, func(a, b Result) int {
		return cmp.Or(cmp.Compare(a.Document, b.Document), strings.Compare(a.Namespace, b.Namespace),
			strings.Compare(a.Rule, b.Rule), cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Message, b.Message))
	})
	return rep, nil
}

// item is one value a rule query returned, as conftest's query function reads it.
type item struct {
	message  string
	metadata map[string]any
	value    any // as rego returned it, to match it with its derivation
	policy   *policyLocation
}

// check is conftest's Engine.check for one input and namespace.
func (e *Engine) check(ctx context.Context, ns string, in *input, docs []Document, rep *Report) {
	rules := e.rules[ns]
	var failures, warnings, exceptions, successes int
	for _, rule := range rules.rules {
		exQuery := exceptionQuery(ns, rule)
		rs, err := e.eval(ctx, exQuery, in, nil)
		if err != nil {
			rep.Errors = append(rep.Errors, Error{Document: in.document, Namespace: ns, Rule: rule, Err: err})
			continue
		}
		// Each solution of the exception query is one exception (conftest appends one result
		// per solution, whose message it then sets to the query).
		excepted := len(rs)
		doc := in.document
		if doc < 0 { // a combined input: its first document (in path order)
			doc = in.members[0]
		}
		for range excepted {
			rep.Results = append(rep.Results, Result{Kind: Exception, Namespace: ns, Rule: rule, Message: exQuery,
				Document: doc, Location: docLocation(docs[doc], nil), Basis: BasisDocument})
		}
		exceptions += excepted

		rq := ruleQuery(ns, rule)
		rs, err = e.eval(ctx, rq, in, nil)
		if err == nil && excepted == 0 {
			var items []item
			items, err = collect(rq, rs)
			if err == nil {
				kind := Warning
				if isFailure(rule) {
					kind = Failure
				}
				var fired []item
				for _, it := range items {
					if it.message == "" { // conftest's Passed: an empty message is a success
						successes++
						continue
					}
					fired = append(fired, it)
				}
				if kind == Failure {
					failures += len(fired)
				} else {
					warnings += len(fired)
				}
				if len(fired) > 0 {
					rep.Results = append(rep.Results, e.locate(ctx, rq, in, docs, fired, ns, rule, kind)...)
				}
			}
		}
		if err != nil {
			rep.Errors = append(rep.Errors, Error{Document: in.document, Namespace: ns, Rule: rule, Err: err})
		}
	}
	// conftest returns one success for a rule whose query came back empty, however many
	// definitions it has; the definitions not accounted for by any result count as successes.
	if n := failures + warnings + exceptions + successes; n < rules.count {
		successes += rules.count - n
	}
	rep.Successes += successes
}

// eval runs a prepared query on an input. A builtin error is an error unless the options
// ignore them, as conftest does by default.
func (e *Engine) eval(ctx context.Context, query string, in *input, tracer topdown.QueryTracer) (rego.ResultSet, error) {
	var builtinErrs []topdown.Error
	opts := []rego.EvalOption{rego.EvalParsedInput(in.value), rego.EvalBuiltinErrorList(&builtinErrs)}
	if !e.opts.Now.IsZero() {
		opts = append(opts, rego.EvalTime(e.opts.Now))
	}
	if tracer != nil {
		// Without the rule index every body is evaluated, so the trace shows why a rule
		// under a not is undefined (the index may rule it out without evaluating it).
		opts = append(opts, rego.EvalQueryTracer(tracer), rego.EvalRuleIndexing(false))
	}
	if e.readsFileInfo {
		txn, err := e.fileInfoTxn(ctx, in.file)
		if err != nil {
			return nil, err
		}
		defer e.store.Abort(ctx, txn)
		opts = append(opts, rego.EvalTransaction(txn))
	}
	rs, err := e.queries[query].Eval(ctx, opts...)
	if err != nil {
		return nil, evalError(err)
	}
	// A traced run evaluates bodies the rule index would skip; the untraced run has already
	// reported the builtin errors that matter.
	if len(builtinErrs) > 0 && !e.opts.IgnoreBuiltinErrors && tracer == nil {
		return nil, fmt.Errorf("a builtin failed, so the rule's result is unknown (conftest's --show-builtin-errors reports it too): %w", evalError(&builtinErrs[0]))
	}
	return rs, nil
}

// fileInfoTxn opens a write transaction holding data.conftest.file as conftest writes it:
// the base name and directory of the file under check ("Combined" for a combined input).
// The caller aborts it after evaluating, so inputs never see each other's.
func (e *Engine) fileInfoTxn(ctx context.Context, file string) (storage.Transaction, error) {
	txn, err := e.store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		return nil, err
	}
	name := filepath.Join(e.opts.Root, filepath.FromSlash(file))
	info := map[string]any{"name": filepath.Base(name), "dir": filepath.ToSlash(filepath.Dir(name))}
	if err := storage.MakeDir(ctx, e.store, txn, storage.Path{"conftest"}); err != nil {
		e.store.Abort(ctx, txn)
		return nil, err
	}
	if err := e.store.Write(ctx, txn, storage.AddOp, storage.Path{"conftest", "file"}, info); err != nil {
		e.store.Abort(ctx, txn)
		return nil, err
	}
	return txn, nil
}

// collect reads a rule query's result set as conftest's query function does: a non-empty
// array of strings and objects with a string msg; an empty or missing value is one success;
// values of other types are ignored.
func collect(query string, rs rego.ResultSet) ([]item, error) {
	var out []item
	for _, r := range rs {
		for _, ex := range r.Expressions {
			values, _ := ex.Value.([]any)
			if len(values) == 0 {
				out = append(out, item{})
				continue
			}
			for _, v := range values {
				switch val := v.(type) {
				case string:
					out = append(out, item{message: val, metadata: map[string]any{"query": query}, value: v})
				case map[string]any:
					it, err := objectItem(val)
					if err != nil {
						return nil, err
					}
					it.metadata["query"] = query
					it.value = v
					out = append(out, it)
				}
			}
		}
	}
	return out, nil
}

// policyLocation is a result's own _loc: conftest's {file, line}.
type policyLocation struct {
	file string
	line int
}

// objectItem is conftest's output.NewResult: msg must be a string; _loc names a place;
// every other key is metadata.
func objectItem(obj map[string]any) (item, error) {
	msg, ok := obj["msg"].(string)
	if !ok {
		return item{}, errors.New(`a result object needs a "msg" field holding a string (conftest refuses it too)`)
	}
	it := item{message: msg, metadata: map[string]any{}}
	if loc, ok := obj["_loc"].(map[string]any); ok {
		p := &policyLocation{}
		p.file, _ = loc["file"].(string)
		if n, ok := loc["line"].(interface{ Int64() (int64, error) }); ok {
			if l, err := n.Int64(); err == nil && l > 0 {
				p.line = int(l)
			}
		}
		if p.file != "" || p.line > 0 {
			it.policy = p
		}
	}
	for k, v := range obj {
		if k != "msg" && k != "_loc" {
			it.metadata[k] = v
		}
	}
	return it, nil
}

// evalError shortens OPA's evaluation errors to their message and place.
func evalError(err error) error {
	var te *topdown.Error
	if errors.As(err, &te) {
		if te.Location != nil {
			return fmt.Errorf("%s (at %s:%d)", te.Message, te.Location.File, te.Location.Row)
		}
		return errors.New(te.Message)
	}
	return err
}

// docLocation locates path in d, or d's first line when d cannot be located.
func docLocation(d Document, path []any) finding.Location {
	if d.Locate != nil {
		return d.Locate(path)
	}
	return finding.Location{File: d.File, Start: finding.Position{Line: 1, Column: 1}, End: finding.Position{Line: 1, Column: 1}}
}
