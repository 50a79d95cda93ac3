package kubeschema

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"

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
	data, nulls := withoutNulls(doc, nil)
	w := &walker{c: c, data: data, nulls: nulls, byPath: map[string]*pathErrs{}}
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
	data, nulls := withoutNulls(doc, nil)
	return c.def.Unify(c.ctx.Encode(data)).Validate(cue.Concrete(true)) == nil && c.nullKeysAllowed(nulls)
}

// withoutNulls copies v without the null values of mappings, and lists their paths. Kubernetes
// decodes `key: null` as if the key were absent, which CUE would call a type error; the keys
// are still checked against the schema (an unknown key is unknown whatever its value).
func withoutNulls(v any, path []any) (any, [][]any) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		var nulls [][]any
		for k, x := range v {
			if x == nil {
				nulls = append(nulls, appendPath(path, k))
				continue
			}
			var n [][]any
			out[k], n = withoutNulls(x, appendPath(path, k))
			nulls = append(nulls, n...)
		}
		return out, nulls
	case []any:
		out := make([]any, len(v))
		var nulls [][]any
		for i, x := range v {
			var n [][]any
			out[i], n = withoutNulls(x, appendPath(path, i))
			nulls = append(nulls, n...)
		}
		return out, nulls
	}
	return v, nil
}

func (c *compiled) nullKeysAllowed(nulls [][]any) bool {
	for _, p := range nulls {
		parent := schemaAt(c.def, p[:len(p)-1])
		if parent.Exists() && !parent.Allows(cue.Str(p[len(p)-1].(string))) {
			return false
		}
	}
	return true
}

// rawErr is a CUE error copied into plain values at once: held cue errors pin the whole
// evaluation graph in memory.
type rawErr struct {
	format string
	args   []any
	custom bool // raised by a constraint of an organisation's schema
}

type pathErrs struct {
	path []any
	errs []rawErr
}

// walker gathers the issues of one failing document. CUE's Validate stops short in two ways,
// both worked around here: with any hard error it omits "required" errors, and of several
// unknown fields in one struct it may report only some. So walk recurses itself, validating
// each failing subtree, and checks keys with Allows and required fields with Fields.
type walker struct {
	c      *compiled
	u      cue.Value // the whole document unified with the schema, when needed
	data   any
	nulls  [][]any
	byPath map[string]*pathErrs
	order  []string
	out    []Issue
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
			w.add(path, rawErr{format: format, args: args, custom: w.fromUser(e)})
		}
		return
	default:
		if !val.Exists() {
			val = w.unified().LookupPath(cuePath(path))
		}
		err := val.Validate(cue.Concrete(true))
		if err == nil && !w.hasNullBelow(path) {
			return
		}
		for _, e := range cueerrors.Errors(err) {
			format, args := e.Msg()
			if libmsg.CUEFieldNotAllowed.In(format) { // found below with Allows, at the right key
				continue
			}
			w.add(w.dataPath(e.Path()), rawErr{format: format, args: args, custom: w.fromUser(e)})
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
					w.add(appendPath(path, r), rawErr{format: "field is required but not present"})
				}
			}
		} else {
			w.requiredKeys(val, d, path)
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
			w.walk(child, schemaChild(sch, k), n.child(w.c.fast, k), o[k], d[k], appendPath(path, k))
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
			w.walk(child, elem, en, o[i], l[i], appendPath(path, i))
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
	if !sch.Exists() || len(path) == 0 {
		return false
	}
	want, got := sch.IncompleteKind(), kindOf(data)
	if want == cue.BottomKind || got == cue.BottomKind || want&got != 0 || (got == cue.IntKind && want&cue.NumberKind != 0) {
		return false
	}
	w.typeIssue(path, want, data)
	return true
}

// requiredKeys finds required fields missing from the struct val: CUE leaves them out of
// Validate's errors as soon as the struct holds any other error.
func (w *walker) requiredKeys(val cue.Value, data map[string]any, path []any) {
	it, err := val.Fields(cue.Optional(true))
	if err != nil {
		return
	}
	for it.Next() {
		sel := it.Selector()
		if sel.ConstraintType() != cue.RequiredConstraint || !sel.IsString() {
			continue
		}
		if _, ok := data[sel.Unquoted()]; !ok {
			w.add(appendPath(path, sel.Unquoted()), rawErr{format: "field is required but not present"})
		}
	}
}

func (w *walker) hasNullBelow(path []any) bool {
	for _, n := range w.nulls {
		if len(n) > len(path) && comparePaths(n[:len(path)], path) == 0 {
			return true
		}
	}
	return false
}

// dataPath converts a CUE error path into a data path with int indices. CUE names list
// elements by number, so the data says whether a number is an index or a key.
func (w *walker) dataPath(sels []string) []any {
	var out []any
	cur := w.data
	for _, s := range sels {
		if strings.HasPrefix(s, "#") && out == nil {
			continue // the definition the document was unified with
		}
		switch d := cur.(type) {
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 {
				return out
			}
			out = append(out, i)
			cur = nil
			if i < len(d) {
				cur = d[i]
			}
		case map[string]any:
			s = unquoteLabel(s)
			out = append(out, s)
			cur = d[s]
		default:
			out = append(out, unquoteLabel(s))
			cur = nil
		}
	}
	return out
}

func unquoteLabel(s string) string {
	if strings.HasPrefix(s, `"`) {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	return s
}

func (w *walker) fromUser(e cueerrors.Error) bool {
	if len(w.c.userFiles) == 0 {
		return false
	}
	for _, p := range append(e.InputPositions(), e.Position()) {
		if p.IsValid() && w.c.userFiles[p.Filename()] {
			return true
		}
	}
	return false
}

func (w *walker) add(path []any, e rawErr) {
	key := fmt.Sprint(path)
	pe, ok := w.byPath[key]
	if !ok {
		pe = &pathErrs{path: path}
		w.byPath[key] = pe
		w.order = append(w.order, key)
	}
	for _, x := range pe.errs {
		if x.format == e.format && fmt.Sprint(x.args) == fmt.Sprint(e.args) {
			return
		}
	}
	pe.errs = append(pe.errs, e)
}

func (w *walker) emit(is Issue) {
	for _, o := range w.out {
		if o.RuleID == is.RuleID && o.Message == is.Message && comparePaths(o.Path, is.Path) == 0 {
			return
		}
	}
	w.out = append(w.out, is)
}

// unknownKey reports key, which the struct schema sch at path does not allow.
func (w *walker) unknownKey(sch cue.Value, path []any, key string) {
	is := Issue{Path: appendPath(path, key), RuleID: RuleUnknownKey, Severity: finding.Error, AtKey: true,
		Message: fmt.Sprintf("unknown key %q in %s", key, where(path))}
	if s := closest(key, allowedKeys(sch)); s != "" {
		is.Hint = fmt.Sprintf("did you mean %q?", s)
	}
	w.emit(is)
}

func allowedKeys(sch cue.Value) []string {
	it, err := sch.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	var keys []string
	for it.Next() {
		if s := it.Selector(); s.IsString() {
			keys = append(keys, s.Unquoted())
		}
	}
	return keys
}

func (w *walker) typeIssue(path []any, want cue.Kind, val any) {
	is := Issue{Path: path, RuleID: RuleType, Severity: finding.Error,
		Message: fmt.Sprintf("%s: expected %s, got %s", lastKey(path), kindWords(want), valueWords(val))}
	got := kindOf(val)
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
	for _, key := range w.order {
		pe := w.byPath[key]
		w.convert(pe.path, pe.errs)
	}
	return w.out
}

func (w *walker) convert(path []any, errs []rawErr) {
	custom := slices.ContainsFunc(errs, func(e rawErr) bool { return e.custom })
	rule := func(r string) string {
		if custom {
			return RuleCustom
		}
		return r
	}
	key := lastKey(path)
	// 1. A message written for the rule with error("...").
	for _, e := range errs {
		if libmsg.CUECustom.In(e.format) && len(e.args) == 1 {
			w.emit(Issue{Path: path, RuleID: rule(RuleValue), Severity: finding.Error, Message: fmt.Sprint(e.args[0])})
			return
		}
	}
	// 2. A required key that is missing or null.
	required := false
	for _, e := range errs {
		if libmsg.CUERequired.In(e.format) {
			required = true
		}
	}
	if required {
		is := Issue{Path: path, RuleID: rule(RuleRequired), Severity: finding.Error, Missing: true,
			Message: fmt.Sprintf("missing required key %q in %s", key, where(path[:len(path)-1]))}
		if slices.ContainsFunc(w.nulls, func(n []any) bool { return comparePaths(n, path) == 0 }) {
			is.Missing, is.AtKey = false, true
			is.Message = fmt.Sprintf("%q is null, but it is required", key)
		}
		w.emit(is)
		return
	}
	val, exists := lookup(w.data, path)
	if !exists {
		return
	}
	// 3. The wrong type.
	sch := schemaAt(w.c.def, path)
	if want := expectedKinds(sch, errs); want != cue.BottomKind && want != cue.TopKind && want&kindOf(val) == 0 &&
		!(kindOf(val) == cue.IntKind && want&cue.NumberKind != 0) {
		w.typeIssue(path, want, val)
		return
	}
	// 4. The right type, a value the schema does not accept.
	is := Issue{Path: path, RuleID: rule(RuleValue), Severity: finding.Error}
	switch alts, bound, pattern, other := describe(errs, val); {
	case len(alts) > 0:
		is.Message = fmt.Sprintf("%s %s is not one of %s", key, show(val), strings.Join(alts, ", "))
		if s, ok := val.(string); ok {
			unq := make([]string, len(alts))
			for i, a := range alts {
				unq[i], _ = strconv.Unquote(a)
			}
			if best := closest(s, unq); best != "" {
				is.Hint = fmt.Sprintf("did you mean %q?", best)
			}
		}
	case pattern != "":
		if isQuantityPattern(pattern) {
			is.Message = fmt.Sprintf("%s %s is not a Kubernetes quantity", key, show(val))
			is.Hint = "write a number with an optional suffix and no space: 500m, 0.5, 128Mi, 2Gi, 1e3"
		} else {
			is.Message = fmt.Sprintf("%s %s does not match the pattern %s", key, show(val), pattern)
		}
	case bound != "":
		is.Message = fmt.Sprintf("%s %s is out of range: it must be %s", key, show(val), bound)
	case other != "":
		is.Message = fmt.Sprintf("%s %s is not allowed: %s", key, show(val), other)
	default:
		is.Message = fmt.Sprintf("%s %s is not allowed here", key, show(val))
	}
	if custom {
		is.Message += " (organisation schema)"
	}
	w.emit(is)
}

// describe sorts CUE's messages about a value of the right kind: the members of an enum,
// a bound ("at most 2147483647"), a pattern, or another unsatisfied constraint.
func describe(errs []rawErr, val any) (alts []string, bound, pattern, other string) {
	self := show(val)
	var bounds []string
	for _, e := range errs {
		switch {
		case libmsg.CUEConflictingValues.In(e.format) && len(e.args) == 2:
			for _, a := range e.args {
				s := fmt.Sprint(a)
				if s != self && strings.HasPrefix(s, `"`) && !slices.Contains(alts, s) {
					alts = append(alts, s)
				}
			}
		case libmsg.CUEOutOfBound.In(e.format) && len(e.args) >= 2:
			b := fmt.Sprint(e.args[len(e.args)-1])
			if p, ok := strings.CutPrefix(b, "=~"); ok {
				pattern = p
				continue
			}
			bounds = append(bounds, boundWords(b))
		case libmsg.CUEDoesNotSatisfy.In(e.format) && len(e.args) >= 2:
			other = describeBuiltin(fmt.Sprint(e.args[1]))
		}
	}
	slices.Sort(alts)
	return alts, strings.Join(bounds, " and "), pattern, other
}

func boundWords(b string) string {
	for _, op := range []struct{ op, words string }{{">=", "at least "}, {"<=", "at most "}, {"!=", "other than "}, {">", "more than "}, {"<", "less than "}} {
		if rest, ok := strings.CutPrefix(b, op.op); ok {
			return op.words + rest
		}
	}
	return b
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

// expectedKinds is what the schema accepts at a path: from the schema itself, or else from
// CUE's "mismatched types" messages.
func expectedKinds(sch cue.Value, errs []rawErr) cue.Kind {
	if sch.Exists() {
		if k := sch.IncompleteKind(); k != cue.BottomKind && k != cue.TopKind {
			return k
		}
	}
	var k cue.Kind
	for _, e := range errs {
		if libmsg.CUEMismatchedTypes.In(e.format) && len(e.args) == 4 {
			for _, a := range e.args[2:] {
				k |= kindByName(fmt.Sprint(a))
			}
		}
	}
	return k
}

func sortIssues(is []Issue) {
	slices.SortStableFunc(is, func(a, b Issue) int {
		return cmp.Or(comparePaths(a.Path, b.Path), cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.Message, b.Message))
	})
}
