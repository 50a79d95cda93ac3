package kubeschema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/editdist"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/libmsg"
)

// check validates doc and turns what fails into issues. A valid document usually takes the
// fast path (fast.go); otherwise one unification with CUE, and a walk only when it fails.
func (c *compiled) check(doc map[string]any) []Issue {
	if c.fast != nil && c.fast.valid(c.fast.root, doc) {
		return nil
	}
	return c.fullCheck(doc)
}

// fullCheck is check without the fast path.
func (c *compiled) fullCheck(doc map[string]any) []Issue {
	// Without a fast path, one evaluation of the whole document settles the common case. With
	// one, the walk evaluates only the subtrees the fast path doubts.
	if c.fast == nil && c.cueValid(doc) {
		return nil
	}
	data, nulls := cueissue.WithoutNulls(doc)
	w := &walker{c: c, data: data, nulls: nulls}
	var root *snode
	var u cue.Value
	if c.fast != nil {
		root = c.fast.root
	} else {
		u = w.unified()
	}
	w.walk(u, c.def, root, doc, data, nil)
	return w.issues()
}

// cueValid is CUE's verdict on the whole document, with no fast path.
func (c *compiled) cueValid(doc map[string]any) bool {
	data, nulls := cueissue.WithoutNulls(doc)
	return c.def.Unify(c.ctx.Encode(data)).Validate(cue.Concrete(true)) == nil && cueissue.NullKeysAllowed(c.def, nulls)
}

// walker gathers the issues of one failing document. CUE's Validate stops short in two ways,
// both worked around here: with any hard error it omits "required" errors, and of several
// unknown fields in one struct it may report only some. So walk recurses itself, validating
// each failing subtree, and checks keys with Allows and required fields with Fields.
type walker struct {
	c     *compiled
	u     cue.Value // the whole document unified with the schema, when needed
	data  any
	nulls [][]any
	errs  cueissue.Gathered
	out   []Issue
}

// walk finds the issues of the subtree orig (data without its nulls) at path, whose schema
// is sch. Without a fast path (n nil all the way) val is the subtree unified with its schema,
// and each failing subtree is validated as a whole. With one, n is the fast path's node: a
// subtree it accepts is skipped, a struct or list it models is not evaluated at all (its keys,
// required fields and children are checked one by one, val left zero), a scalar is unified
// with its own constraint, and only what it does not model is looked up in the whole
// document's unification (made once, on demand).
func (w *walker) walk(val, sch cue.Value, n *snode, orig, data any, path []any) {
	if n != nil && w.c.fast.valid(n, orig) {
		return
	}
	if w.kindMismatch(sch, data, path) {
		return // nothing below a value of the wrong kind can be checked
	}
	modelled := n != nil && (n.shape == shapeStruct || n.shape == shapeList)
	switch {
	case modelled:
	case n != nil && n.shape == shapeLeaf:
		for _, e := range cueerrors.Errors(sch.Unify(w.c.ctx.Encode(data)).Validate(cue.Concrete(true))) {
			format, args := e.Msg()
			w.errs.Add(path, cueissue.RawErr{Format: format, Args: args, Custom: cueissue.FromUser(e, w.c.userFiles)})
		}
		return
	default:
		if !val.Exists() {
			val = w.unified().LookupPath(cuePath(path))
		}
		err := val.Validate(cue.Concrete(true))
		if err == nil && !cueissue.HasNullBelow(w.nulls, path) {
			return
		}
		for _, e := range cueerrors.Errors(err) {
			format, args := e.Msg()
			if libmsg.CUEFieldNotAllowed.In(format) { // found below with Allows, at the right key
				continue
			}
			// A path that stops short (a list element named by no index) still places the error.
			p, _ := cueissue.DataPath(w.data, e.Path())
			w.errs.Add(p, cueissue.RawErr{Format: format, Args: args, Custom: cueissue.FromUser(e, w.c.userFiles)})
		}
		n = nil // below here, the unguided walk
	}
	switch o := orig.(type) {
	case map[string]any:
		if sch.Exists() && sch.IncompleteKind()&cue.StructKind == 0 {
			return
		}
		d, _ := data.(map[string]any)
		if modelled {
			for _, r := range n.required {
				if _, ok := d[r]; !ok {
					w.errs.AddRequired(cueissue.AppendPath(path, r))
				}
			}
		} else {
			w.errs.RequiredKeys(val, d, path)
		}
		for _, k := range sortedKeys(o) {
			if sch.Exists() && !sch.Allows(cue.Str(k)) {
				w.unknownKey(sch, path, k)
				continue
			}
			if o[k] == nil {
				continue
			}
			var child cue.Value
			if !modelled {
				if child = val.LookupPath(cue.MakePath(cue.Str(k))); !child.Exists() {
					continue
				}
			}
			w.walk(child, cueissue.SchemaChild(sch, k), n.child(w.c.fast, k), o[k], d[k], cueissue.AppendPath(path, k))
		}
	case []any:
		l, _ := data.([]any)
		elem := sch.LookupPath(cue.MakePath(cue.AnyIndex))
		var en *snode
		if modelled && n.shape == shapeList {
			en = n.elem
		}
		for i := range l {
			var child cue.Value
			if !modelled {
				if child = val.LookupPath(cue.MakePath(cue.Index(i))); !child.Exists() {
					continue
				}
			}
			w.walk(child, elem, en, o[i], l[i], cueissue.AppendPath(path, i))
		}
	}
}

// unified is the whole document unified with the schema, made on first use.
func (w *walker) unified() cue.Value {
	if !w.u.Exists() {
		w.u = w.c.def.Unify(w.c.ctx.Encode(w.data))
	}
	return w.u
}

func cuePath(path []any) cue.Path {
	sels := make([]cue.Selector, len(path))
	for i, p := range path {
		if idx, ok := p.(int); ok {
			sels[i] = cue.Index(idx)
		} else {
			sels[i] = cue.Str(fmt.Sprint(p))
		}
	}
	return cue.MakePath(sels...)
}

// kindMismatch records a type error when data cannot be of any kind the schema accepts (a
// list where a mapping belongs, a string where a number belongs), and reports whether it did.
func (w *walker) kindMismatch(sch cue.Value, data any, path []any) bool {
	if len(path) == 0 || !cueissue.Mismatch(sch, data) {
		return false
	}
	w.typeIssue(path, sch.IncompleteKind(), data)
	return true
}

func (w *walker) emit(is Issue) {
	for _, o := range w.out {
		if o.RuleID == is.RuleID && o.Message == is.Message && cueissue.ComparePaths(o.Path, is.Path) == 0 {
			return
		}
	}
	w.out = append(w.out, is)
}

// unknownKey reports key, which the struct schema sch at path does not allow.
func (w *walker) unknownKey(sch cue.Value, path []any, key string) {
	is := Issue{Path: cueissue.AppendPath(path, key), RuleID: RuleUnknownKey, Severity: finding.Error, AtKey: true,
		Message: fmt.Sprintf("unknown key %q in %s", key, cueissue.Where(path))}
	if s := editdist.Closest(key, cueissue.AllowedKeys(sch)); s != "" {
		is.Hint = fmt.Sprintf("did you mean %q?", s)
	}
	w.emit(is)
}

func (w *walker) typeIssue(path []any, want cue.Kind, val any) {
	is := Issue{Path: path, RuleID: RuleType, Severity: finding.Error,
		Message: cueissue.TypeMessage(path, want, val)}
	got := cueissue.KindOf(val)
	switch {
	case want&cue.StringKind != 0 && got&cue.NumberKind != 0:
		is.Hint = "quote the value so YAML reads it as a string"
	case want&cue.StringKind != 0 && got == cue.BoolKind:
		is.Hint = "quote the value: Kubernetes reads YAML 1.1, where unquoted true, false, yes, no, on, off, y and n are booleans"
	case want&cue.NumberKind != 0 && got == cue.StringKind:
		is.Hint = "write the number without quotes"
	case want == cue.BoolKind && (val == "true" || val == "false"):
		is.Hint = "write true or false without quotes"
	case want == cue.ListKind && got == cue.StructKind:
		is.Hint = "a list: start each item with \"- \""
	}
	w.emit(is)
}

// issues turns the errors gathered per path into issues, in the order found.
func (w *walker) issues() []Issue {
	for _, pe := range w.errs.All() {
		w.convert(pe.Path, pe.Errs)
	}
	return w.out
}

// convert turns the errors at one path into an issue. It stays apart from the Fleet stage's
// (schema/collect.go) on purpose: Kubernetes has no $VAR expansion, @msg or @nullok, a null
// required key is simply missing, and its schemas are generated, so a pattern, a quantity or a
// validator is named in the message itself.
func (w *walker) convert(path []any, errs []cueissue.RawErr) {
	custom := slices.ContainsFunc(errs, func(e cueissue.RawErr) bool { return e.Custom })
	rule := func(r string) string {
		if custom {
			return RuleCustom
		}
		return r
	}
	key := cueissue.LastKey(path)
	// 1. A message written for the rule with error("...").
	for _, e := range errs {
		if libmsg.CUECustom.In(e.Format) && len(e.Args) == 1 {
			w.emit(Issue{Path: path, RuleID: rule(RuleValue), Severity: finding.Error, Message: fmt.Sprint(e.Args[0])})
			return
		}
	}
	// 2. A required key that is missing or null.
	required := false
	for _, e := range errs {
		if libmsg.CUERequired.In(e.Format) {
			required = true
		}
	}
	if required {
		is := Issue{Path: path, RuleID: rule(RuleRequired), Severity: finding.Error, Missing: true,
			Message: fmt.Sprintf("missing required key %q in %s", key, cueissue.Where(path[:len(path)-1]))}
		if slices.ContainsFunc(w.nulls, func(n []any) bool { return cueissue.ComparePaths(n, path) == 0 }) {
			is.Missing, is.AtKey = false, true
			is.Message = fmt.Sprintf("%q is null, but it is required", key)
		}
		w.emit(is)
		return
	}
	val, exists := cueissue.Lookup(w.data, path)
	if !exists {
		return
	}
	// 3. The wrong type.
	sch := cueissue.SchemaAt(w.c.def, path)
	if want := cueissue.ExpectedKinds(sch, errs); want != cue.BottomKind && want != cue.TopKind && want&cueissue.KindOf(val) == 0 &&
		!(cueissue.KindOf(val) == cue.IntKind && want&cue.NumberKind != 0) {
		w.typeIssue(path, want, val)
		return
	}
	// 4. The right type, a value the schema does not accept.
	is := Issue{Path: path, RuleID: rule(RuleValue), Severity: finding.Error}
	switch alts, bound, pattern, other := describe(errs, val); {
	case len(alts) > 0:
		is.Message = fmt.Sprintf("%s %s is not one of %s", key, cueissue.Show(val), strings.Join(alts, ", "))
		if s, ok := val.(string); ok {
			unq := make([]string, len(alts))
			for i, a := range alts {
				unq[i], _ = strconv.Unquote(a)
			}
			if best := editdist.Closest(s, unq); best != "" {
				is.Hint = fmt.Sprintf("did you mean %q?", best)
			}
		}
	case pattern != "":
		if isQuantityPattern(pattern) {
			is.Message = fmt.Sprintf("%s %s is not a Kubernetes quantity", key, cueissue.Show(val))
			is.Hint = "write a number with an optional suffix and no space: 500m, 0.5, 128Mi, 2Gi, 1e3"
		} else {
			is.Message = fmt.Sprintf("%s %s does not match the pattern %s", key, cueissue.Show(val), pattern)
		}
	case bound != "":
		is.Message = fmt.Sprintf("%s %s is out of range: it must be %s", key, cueissue.Show(val), bound)
	case other != "":
		is.Message = fmt.Sprintf("%s %s is not allowed: %s", key, cueissue.Show(val), other)
	default:
		is.Message = fmt.Sprintf("%s %s is not allowed here", key, cueissue.Show(val))
	}
	if custom {
		is.Message += " (organisation schema)"
	}
	w.emit(is)
}

// describe sorts CUE's messages about a value of the right kind: the members of an enum,
// a bound ("at most 2147483647"), a pattern, or another unsatisfied constraint. Unlike the
// Fleet stage, whose schemas give a pattern an @msg, it names the pattern itself, and the
// validators of the generated schemas (describeBuiltin).
func describe(errs []cueissue.RawErr, val any) (alts []string, bound, pattern, other string) {
	var bounds []string
	for _, e := range errs {
		switch {
		case libmsg.CUEOutOfBound.In(e.Format) && len(e.Args) >= 2:
			b := fmt.Sprint(e.Args[len(e.Args)-1])
			if p, ok := strings.CutPrefix(b, "=~"); ok {
				pattern = p
				continue
			}
			if w, ok := cueissue.BoundWords(b); ok {
				b = w
			}
			bounds = append(bounds, b)
		case libmsg.CUEDoesNotSatisfy.In(e.Format) && len(e.Args) >= 2:
			other = describeBuiltin(fmt.Sprint(e.Args[1]))
		}
	}
	return cueissue.Alternatives(errs, val), strings.Join(bounds, " and "), pattern, other
}

// describeBuiltin words the validators the generated schemas use.
func describeBuiltin(call string) string {
	switch {
	case call == "time.Time":
		return "it must be a date and time in RFC 3339 form, like 2024-01-31T09:30:00Z"
	case strings.HasPrefix(call, "strings.MinRunes("):
		return "it must be at least " + strings.TrimSuffix(strings.TrimPrefix(call, "strings.MinRunes("), ")") + " characters long"
	case strings.HasPrefix(call, "strings.MaxRunes("):
		return "it must be at most " + strings.TrimSuffix(strings.TrimPrefix(call, "strings.MaxRunes("), ")") + " characters long"
	}
	return "it does not satisfy " + call
}

func isQuantityPattern(p string) bool {
	u, err := strconv.Unquote(p)
	return err == nil && strings.HasPrefix(u, `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|`)
}
