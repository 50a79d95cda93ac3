// Package kubeschema is the structure stage for Kubernetes manifests: it checks each decoded
// document against the CUE schema of its apiVersion and kind (cue/kubernetes: the built-in
// kinds of one Kubernetes release and the GitOps custom resources, generated from their
// upstream definitions) plus the organisation's own CUE for in-house kinds, and returns every
// problem as an Issue at a data path: unknown keys with a did-you-mean, wrong types, missing
// required keys, values outside an enum, a pattern or a range.
//
// Schemas are compiled on first use, per kind, so a repository pays only for the kinds it
// holds. A Validator is safe for concurrent use: each compiled copy of a kind's schema is used
// by one goroutine at a time (CUE values finalise themselves lazily and are not safe to walk
// from two goroutines), and up to GOMAXPROCS copies are made of a kind that several goroutines
// want at once.
package kubeschema

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	bundled "github.com/tollgate-dev/tollgate/cue/kubernetes"
	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Rule IDs: the Fleet schema stage's (internal/catalog), so findings read the same, and two of
// this stage's own (the pipeline integration adds them to the catalog).
const (
	RuleUnknownKey = catalog.SchemaUnknownKey
	RuleType       = catalog.SchemaType
	RuleRequired   = catalog.SchemaRequired
	RuleValue      = catalog.SchemaValue
	RuleCustom     = catalog.SchemaCustom  // a constraint of the organisation's schema
	RuleNoSchema   = "schema-kind-unknown" // note: no schema for this apiVersion and kind
	RuleDeprecated = "schema-deprecated"   // warning: the CRD marks this version deprecated
)

// Issue is one problem found in a document (package cueissue, shared with the Fleet structure
// stage; this stage sets none of its Fleet-only fields).
type Issue = cueissue.Issue

// GVK names a kind: apiVersion ("apps/v1", "v1") and kind.
type GVK struct{ APIVersion, Kind string }

func (g GVK) String() string { return g.APIVersion + " " + g.Kind }

// indexEntry is one kind of index.json (written by internal/kubeschema/gen).
type indexEntry struct {
	APIVersion     string `json:"apiVersion"`
	Kind           string `json:"kind"`
	File           string `json:"file"`
	Definition     string `json:"definition"`
	CustomResource bool   `json:"customResource"`
	Deprecated     string `json:"deprecated"`
}

// Validator checks manifests. Build it with New.
type Validator struct {
	kubernetes string              // the release of the built-in schemas
	index      map[GVK]indexEntry  // bundled kinds
	byKind     map[string][]string // kind → apiVersions that have it (bundled and user), for hints
	user       *userSchemas
	kinds      sync.Map // GVK → *kindPool, made on first use
	copies     int      // copies of one kind's compiled schema at most
}

// New reads the bundled index and compiles the organisation's schemas in userSchemaDirs
// (every .cue file directly in each directory; see user.go). Bundled schemas are compiled
// later, on first use. A user schema that does not compile is an error naming file:line.
func New(userSchemaDirs []string) (*Validator, error) {
	raw, err := bundled.FS.ReadFile("index.json")
	if err != nil {
		return nil, fmt.Errorf("bundled Kubernetes schemas: %w", err)
	}
	var idx struct {
		Kubernetes string       `json:"kubernetes"`
		Kinds      []indexEntry `json:"kinds"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("bundled Kubernetes schemas: index.json: %w", err)
	}
	v := &Validator{kubernetes: idx.Kubernetes, index: map[GVK]indexEntry{}, byKind: map[string][]string{},
		copies: max(1, runtime.GOMAXPROCS(0))}
	for _, e := range idx.Kinds {
		g := GVK{e.APIVersion, e.Kind}
		v.index[g] = e
		v.byKind[e.Kind] = append(v.byKind[e.Kind], e.APIVersion)
	}
	if v.user, err = loadUser(userSchemaDirs); err != nil {
		return nil, err
	}
	for _, g := range v.user.kinds() {
		if _, ok := v.index[g]; !ok {
			v.byKind[g.Kind] = append(v.byKind[g.Kind], g.APIVersion)
		}
	}
	return v, nil
}

// KubernetesVersion is the Kubernetes release whose built-in kinds the bundled schemas
// describe, e.g. "1.37.2".
func (v *Validator) KubernetesVersion() string { return v.kubernetes }

// Has reports whether there is a schema (bundled or the organisation's) for the kind.
func (v *Validator) Has(g GVK) bool {
	_, ok := v.index[g]
	return ok || v.user.has(g)
}

// Options say how a document is used, where that changes what it must hold.
type Options struct {
	// Patch: the document is a patch (a Kustomize strategic-merge patch, a patch file of a
	// Flux or Argo CD kustomization). It names only what it changes, so required keys are not
	// required; every key it has is still checked.
	Patch bool
	// SelectorFromLabels: a kustomization over the document sets commonLabels (or labels with
	// includeSelectors), which kustomize build copies into spec.selector, creating it; a
	// missing spec.selector is then no mistake.
	SelectorFromLabels bool
}

// Validate checks one manifest document (plain Go values as yamlsrc.ToAny makes them).
// Issues come back in a deterministic order.
func (v *Validator) Validate(doc any) []Issue { return v.ValidateWith(doc, Options{}) }

// ValidateWith is Validate for a document used as opt says.
func (v *Validator) ValidateWith(doc any, opt Options) []Issue {
	m, ok := doc.(map[string]any)
	if !ok {
		return []Issue{{Message: fmt.Sprintf("a Kubernetes manifest must be a mapping with apiVersion and kind, not %s", cueissue.ValueWords(doc)),
			RuleID: RuleType, Severity: finding.Error}}
	}
	g, issues := identify(m)
	if issues != nil {
		return issues
	}
	kp, err := v.pool(g)
	if err != nil {
		return []Issue{{Message: fmt.Sprintf("internal error: the schema of %s does not compile: %v", g, err),
			RuleID: catalog.InternalError, Severity: finding.Error}}
	}
	if kp == nil {
		return []Issue{v.noSchema(g)}
	}
	c := kp.get()
	issues = c.check(m)
	kp.put(c)
	if !opt.Patch {
		issues = append(issues, nameIssues(m)...)
	}
	issues = slices.DeleteFunc(issues, func(is Issue) bool {
		return is.RuleID == RuleRequired && (opt.Patch ||
			opt.SelectorFromLabels && cueissue.ComparePaths(is.Path, []any{"spec", "selector"}) == 0)
	})
	if kp.deprecated != "" {
		issues = append(issues, Issue{Path: []any{"apiVersion"}, RuleID: RuleDeprecated, Severity: finding.Warning,
			Message: kp.deprecated})
	}
	cueissue.Sort(issues)
	return issues
}

// nameIssues asks for metadata.name (or generateName): the schemas leave it optional, as the
// API server's OpenAPI does, but no object is created without one ("resource name may not be
// empty").
func nameIssues(m map[string]any) []Issue {
	meta, ok := m["metadata"].(map[string]any)
	if !ok && m["metadata"] != nil {
		return nil // a type error the schema reports
	}
	for _, k := range []string{"name", "generateName"} {
		if s, ok := meta[k].(string); ok && s != "" {
			return nil
		}
		if meta[k] != nil {
			return nil // a type error the schema reports
		}
	}
	path, where := []any{"metadata", "name"}, "metadata"
	if meta == nil {
		path, where = []any{"metadata"}, "the top level"
	}
	return []Issue{{Path: path, Missing: true, RuleID: RuleRequired, Severity: finding.Error,
		Message: fmt.Sprintf("missing required key %q in %s", path[len(path)-1], where),
		Hint:    "every Kubernetes object needs metadata.name (or metadata.generateName)"}}
}

// identify reads apiVersion and kind, or says why it can't.
func identify(m map[string]any) (GVK, []Issue) {
	var issues []Issue
	var g GVK
	for _, k := range []string{"apiVersion", "kind"} {
		val, present := m[k]
		s, isString := val.(string)
		switch {
		case !present || val == nil:
			issues = append(issues, Issue{Path: []any{k}, Missing: true, RuleID: RuleRequired, Severity: finding.Error,
				Message: fmt.Sprintf("missing required key %q at the top level", k),
				Hint:    "every Kubernetes manifest names its apiVersion and kind"})
		case !isString || s == "":
			issues = append(issues, Issue{Path: []any{k}, RuleID: RuleType, Severity: finding.Error,
				Message: fmt.Sprintf("%s: expected a non-empty string, got %s", k, cueissue.ValueWords(val))})
		case k == "apiVersion":
			g.APIVersion = s
		default:
			g.Kind = s
		}
	}
	return g, issues
}

// noSchema is the note for a kind without a schema, naming the apiVersions that have it.
func (v *Validator) noSchema(g GVK) Issue {
	is := Issue{Path: []any{"kind"}, RuleID: RuleNoSchema, Severity: finding.Note,
		Message: fmt.Sprintf("no schema for %s: its structure is not checked", g)}
	if others := v.byKind[g.Kind]; len(others) > 0 {
		is.Path = []any{"apiVersion"}
		is.Hint = fmt.Sprintf("%s is known as %s (Kubernetes %s and the bundled custom resources)", g.Kind, quoteAll(others), v.kubernetes)
	} else {
		is.Hint = "add a CUE definition with this apiVersion and kind to a --schema directory to check it"
	}
	return is
}

// kindPool holds the compiled copies of one kind's schema.
type kindPool struct {
	v          *Validator
	g          GVK
	deprecated string
	free       chan *compiled
	mu         sync.Mutex
	made       int
	err        error
}

// pool returns the pool of g's schema, nil when there is no schema for g.
func (v *Validator) pool(g GVK) (*kindPool, error) {
	if p, ok := v.kinds.Load(g); ok {
		kp := p.(*kindPool)
		return kp, kp.err
	}
	e, bundledKind := v.index[g]
	if !bundledKind && !v.user.has(g) {
		return nil, nil
	}
	kp := &kindPool{v: v, g: g, deprecated: e.Deprecated, free: make(chan *compiled, v.copies)}
	// The first copy is compiled now, so a schema that does not compile fails every document
	// of its kind alike.
	c, err := v.compile(g)
	if err != nil {
		kp.err = err
	} else {
		kp.made = 1
		kp.free <- c
	}
	p, _ := v.kinds.LoadOrStore(g, kp)
	kp = p.(*kindPool)
	return kp, kp.err
}

// get takes a compiled copy, making another when all are in use and fewer than v.copies
// exist, else waiting for one.
func (kp *kindPool) get() *compiled {
	select {
	case c := <-kp.free:
		return c
	default:
	}
	kp.mu.Lock()
	if kp.made < kp.v.copies {
		kp.made++
		kp.mu.Unlock()
		if c, err := kp.v.compile(kp.g); err == nil {
			return c
		}
		// It compiled once (pool checked), so this cannot fail; wait for a copy instead.
	} else {
		kp.mu.Unlock()
	}
	return <-kp.free
}

func (kp *kindPool) put(c *compiled) { kp.free <- c }

// compiled is one copy of a kind's schema in a context of its own.
type compiled struct {
	ctx       *cue.Context
	def       cue.Value       // what documents are unified with
	fast      *fastTree       // the fast path for valid documents (fast.go); nil for none
	userFiles map[string]bool // organisation files that add constraints to a bundled kind
}

// compile builds g's schema: the bundled definition, ObjectMeta for the metadata of a custom
// resource or an organisation's kind, and the organisation's definitions of the same kind. They
// are embedded in one struct ({#D, #U0, metadata?: #ObjectMeta}) rather than unified, so the
// result is closed to the fields any of them declares: an organisation's definition need only
// name the fields it constrains.
func (v *Validator) compile(g GVK) (*compiled, error) {
	ctx := cuecontext.New()
	scope := ctx.CompileString("{}")
	var embeds []string
	add := func(name string, d cue.Value) {
		scope = scope.FillPath(cue.MakePath(cue.Def(name)), d)
		embeds = append(embeds, name)
	}
	e, isBundled := v.index[g]
	if isBundled {
		d, err := compileDef(ctx, e.File, e.Definition)
		if err != nil {
			return nil, err
		}
		add("#D", d)
	}
	user, files, err := v.user.compile(ctx, g)
	if err != nil {
		return nil, err
	}
	for i, u := range user {
		add(fmt.Sprintf("#U%d", i), u)
	}
	if !isBundled || e.CustomResource {
		meta, err := compileDef(ctx, "meta_v1_objectmeta.cue", "#ObjectMeta")
		if err != nil {
			return nil, err
		}
		scope = scope.FillPath(cue.MakePath(cue.Def("#ObjectMeta")), meta)
		embeds = append(embeds, "metadata?: #ObjectMeta")
	}
	d := ctx.CompileString("{"+strings.Join(embeds, ", ")+"}", cue.Scope(scope), cue.Filename("kubernetes/"+g.String()))
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("the organisation's schema of %s conflicts with the bundled one: %s", g, cueissue.ErrorText(err))
	}
	c := &compiled{ctx: ctx, def: d}
	if len(user) == 0 {
		c.fast = newFastTree(ctx, d) // fast.go: not for organisation schemas, which may hold any CUE
	}
	if isBundled {
		// What an organisation adds to a bundled kind is its own rule (schema-custom); the
		// schema of an in-house kind is that kind's schema, reported like a bundled one.
		c.userFiles = files
	}
	return c, nil
}

func compileDef(ctx *cue.Context, file, def string) (cue.Value, error) {
	src, err := bundled.FS.ReadFile(file)
	if err != nil {
		return cue.Value{}, err
	}
	f := ctx.CompileBytes(src, cue.Filename("kubernetes/"+file))
	if err := f.Err(); err != nil {
		return cue.Value{}, err
	}
	d := f.LookupPath(cue.ParsePath(def))
	if !d.Exists() {
		return cue.Value{}, fmt.Errorf("%s has no %s", file, def)
	}
	return d, nil
}
