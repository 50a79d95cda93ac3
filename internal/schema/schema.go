// Package schema is tollgate's structure stage: it checks each GitOps document against the
// bundled CUE schemas (package cue) for its kind and era, plus the organisation's own CUE
// schemas, and turns every problem into a plain Issue at a data path.
//
// The schemas are compiled once in New; Validate only encodes the document and unifies it
// with a precompiled definition, so one Validator serves any number of goroutines. Results
// are remembered by a key of the document (package memo): a document like one already seen
// (the same sections, values that differ only where the schema checks no more than a type
// or a pattern) costs microseconds instead of milliseconds of CUE evaluation.
//
// TOLLGATE_SCHEMA_MEMO=off in the environment turns the memo off: every document is then
// evaluated by CUE alone, the reference the memo is tested against.
package schema

import (
	"fmt"
	"io/fs"
	"os"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"

	bundled "github.com/tollgate-dev/tollgate/cue"
	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/schema/memo"
)

// Kind and Era are fleet's: which definition a document is checked against.
type (
	Kind = fleet.Kind
	Era  = fleet.Era
)

// Issue is one problem found in a document (package cueissue, shared with the Kubernetes
// structure stage).
type Issue = cueissue.Issue

// Validator holds the compiled definitions. It is immutable after New and safe for
// concurrent use (CUE v0.17 values may be read from many goroutines).
type Validator struct {
	ctx       *cue.Context
	defs      [2][4]cue.Value // [era][kind]: bundled and organisation constraints together
	bundled   [2][4]cue.Value // the bundled definitions alone: allowed keys, types, attributes
	hooks     [4]cue.Value    // organisation constraints per kind (may not exist)
	userFiles map[string]bool // file names of organisation schemas, to tell their errors apart
	checker   checker         // the memo, or CUE alone
	// evaluators are the CUE evaluations by defIndex, made once: a closure made per document
	// would be an allocation per document.
	evaluators [2 * 4]func(doc any) []Issue
}

// A checker gives the issues of doc checked against definition def (defIndex); evaluate is
// the CUE evaluation of a document. The result may be shared: it is not to be modified.
type checker interface {
	Check(def int, doc any, evaluate func(doc any) []Issue) []Issue
}

// cueOnly evaluates every document: TOLLGATE_SCHEMA_MEMO=off.
type cueOnly struct{}

func (cueOnly) Check(_ int, doc any, evaluate func(doc any) []Issue) []Issue { return evaluate(doc) }

// MemoEnv is the environment variable that turns the memo off ("off") or on ("on", or unset).
const MemoEnv = "TOLLGATE_SCHEMA_MEMO"

// schemaMu serialises every use of the shared schema values: full evaluations here, and the
// memo's reading of the schemas (once per data path). cue.Value.LookupPath finalises the
// vertex it starts from, which is not safe from two goroutines at once (the race detector
// caught it with teams checked in parallel batches).
var schemaMu sync.Mutex

// defIndex numbers the definitions for the checker, era by era.
func defIndex(era Era, kind Kind) int { return int(era)*len(defNames[era]) + int(kind) }

// definition names in package cue, by era and kind.
var defNames = [2][4]string{
	fleet.EraTeams:  {"#GlobalA", "#TeamA", "#NoTeamA", "#PackageFile"},
	fleet.EraFleets: {"#GlobalB", "#FleetB", "#UnassignedB", "#PackageFile"},
}

// hookNames are the fields an organisation schema may declare; each is unified into the
// bundled definition of its kind in both eras. They are regular (open) fields rather than
// definitions, so an IT admin writes only the keys they constrain, without `...`.
var hookNames = [4]string{"global", "team", "no_team", "package"}

// New compiles the bundled schemas and the organisation schemas found in userSchemaDirs
// (every .cue file directly in each directory). A schema that does not compile is an error
// naming file:line.
func New(userSchemaDirs []string) (*Validator, error) {
	ctx := cuecontext.New()
	insts := load.Instances([]string{"."}, &load.Config{
		FS:         bundled.FS,
		Dir:        "/",
		FromFSPath: func(p string) string { return "(bundled)/" + p },
	})
	if err := insts[0].Err; err != nil {
		return nil, fmt.Errorf("bundled schema: %w", err)
	}
	root := ctx.BuildInstance(insts[0])
	if err := root.Err(); err != nil {
		return nil, fmt.Errorf("bundled schema: %s", cueissue.ErrorText(err))
	}
	user, files, userSources, err := compileUser(ctx, userSchemaDirs)
	if err != nil {
		return nil, err
	}
	v := &Validator{ctx: ctx, userFiles: files}
	for era := range defNames {
		for kind, name := range defNames[era] {
			d := root.LookupPath(cue.ParsePath(name))
			if !d.Exists() {
				return nil, fmt.Errorf("bundled schema: definition %s is missing", name)
			}
			v.bundled[era][kind] = d
			if user.Exists() {
				if h := user.LookupPath(cue.ParsePath(hookNames[kind])); h.Exists() {
					v.hooks[kind] = h
					d = d.Unify(h)
				}
			}
			if err := d.Err(); err != nil {
				return nil, fmt.Errorf("organisation schema conflicts with the bundled %s schema: %s", Kind(kind), cueissue.ErrorText(err))
			}
			v.defs[era][kind] = d
			v.evaluators[defIndex(Era(era), Kind(kind))] = func(doc any) []Issue {
				// A full evaluation unifies with and walks the shared schema values: one at a
				// time (see schemaMu). With the memo, misses are rare once it knows a
				// repository's shapes.
				schemaMu.Lock()
				defer schemaMu.Unlock()
				return v.evaluate(d, Kind(kind), Era(era), doc)
			}
		}
	}
	switch os.Getenv(MemoEnv) {
	case "off":
		v.checker = cueOnly{}
		return v, nil
	case "", "on":
	default:
		return nil, fmt.Errorf("%s=%q: the value must be on or off", MemoEnv, os.Getenv(MemoEnv))
	}
	if v.checker, err = v.newMemo(userSources); err != nil {
		return nil, fmt.Errorf("schema analysis: %w", err)
	}
	return v, nil
}

// newMemo analyses the bundled schemas and the organisation's for the memo.
func (v *Validator) newMemo(userSources []memo.Source) (*memo.Memo[Issue], error) {
	names, err := fs.Glob(bundled.FS, "*.cue")
	if err != nil {
		return nil, err
	}
	sources, err := memo.ReadSources(bundled.FS, names)
	if err != nil {
		return nil, err
	}
	sources = append(sources, userSources...)
	var defs []cue.Value
	for era := range v.defs {
		for kind := range v.defs[era] {
			defs = append(defs, v.defs[era][kind])
		}
	}
	return memo.New(memo.Config[Issue]{Defs: defs, Sources: sources, Lock: &schemaMu, Size: issueSize,
		Path: func(is Issue) []any { return is.Path }, Move: Issue.Moved})
}

// issueSize is roughly the memory an Issue holds.
func issueSize(is Issue) int { return 128 + len(is.Message) + len(is.Hint) + 16*len(is.Path) }

// Validate checks doc (plain Go values from yamlsrc.ToAny, with includes spliced in) as a
// document of the given kind and era. Issues come back in a deterministic order.
func (v *Validator) Validate(kind Kind, era Era, doc any) []Issue {
	if kind < fleet.KindGlobal || kind > fleet.KindPackageFile || era < fleet.EraTeams || era > fleet.EraFleets {
		return []Issue{{Message: fmt.Sprintf("internal error: unknown document kind %d or era %d", kind, era),
			RuleID: "internal-error", Severity: finding.Error}}
	}
	var issues []Issue
	if era == fleet.EraFleets && kind != fleet.KindPackageFile {
		issues = deprecations(doc)
	}
	if items, ok := doc.([]any); ok && kind == fleet.KindPackageFile {
		// A package file may hold a list of packages: each item is one #PackageFile.
		for i, item := range items {
			issues = append(issues, v.check(kind, era, item, []any{i})...)
		}
	} else {
		issues = append(issues, v.check(kind, era, doc, nil)...)
	}
	cueissue.Sort(issues)
	return issues
}

// check validates one value through the checker; prefix is prepended to every issue path.
func (v *Validator) check(kind Kind, era Era, doc any, prefix []any) []Issue {
	i := defIndex(era, kind)
	return withPrefix(v.checker.Check(i, doc, v.evaluators[i]), prefix)
}

// evaluate validates doc with CUE and collects its issues (paths relative to doc).
func (v *Validator) evaluate(def cue.Value, kind Kind, era Era, doc any) []Issue {
	data, nulls := normalize(doc, kind, era)
	u := def.Unify(v.ctx.Encode(data))
	sch := v.bundled[era][kind]
	if u.Validate(cue.Concrete(true)) == nil && cueissue.NullKeysAllowed(sch, nulls) {
		return nil // the common case: no error, no further work
	}
	c := &collector{v: v, def: sch, hook: v.hooks[kind], era: era, kind: kind, doc: doc, data: data, nulls: nulls, seen: map[string]bool{}}
	c.walk(u, sch, doc, data, nil, false)
	return c.issues
}

// withPrefix copies issues (which may be remembered and shared) with prefix before each path.
func withPrefix(issues []Issue, prefix []any) []Issue {
	if len(issues) == 0 {
		return nil
	}
	out := make([]Issue, len(issues))
	for i, is := range issues {
		is.Path = append(append(make([]any, 0, len(prefix)+len(is.Path)), prefix...), is.Path...)
		out[i] = is
	}
	return out
}
