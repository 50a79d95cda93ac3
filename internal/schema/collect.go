package schema

import (
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/libmsg"
)

// envRef matches a string holding an environment variable reference ($NAME or ${NAME}).
var envRef = regexp.MustCompile(`\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)`)

// rawErr is a CUE error copied into plain values at once (held cue errors pin the whole
// evaluation graph in memory).
type rawErr struct {
	format string
	args   []any
	custom bool // raised by a constraint in an organisation schema
}

// collector gathers the issues of one failing document. CUE's Validate stops short in two
// ways, both worked around here: with any hard error it omits "required" errors, and of
// several errors in one struct it may report only some "field not allowed". So walk does
// its own recursion, re-validating each failing subtree and checking keys with Allows.
type collector struct {
	v      *Validator
	def    cue.Value // the bundled schema alone, for allowed keys, types and @msg/@nullok
	hook   cue.Value // the organisation's constraints for this kind, if any
	era    Era
	kind   Kind
	doc    any     // as given (nulls kept)
	data   any     // as validated (normalized)
	nulls  [][]any // paths of null map values in doc (invisible to CUE)
	seen   map[string]bool
	byPath map[string]*pathErrs
	order  []string
	issues []Issue
}

type pathErrs struct {
	path []any
	errs []rawErr
}

func (c *collector) walk(val, sch cue.Value, orig, data any, path []any, inList bool) {
	err := val.Validate(cue.Concrete(true))
	if err == nil && !c.hasNullBelow(path) {
		return // a clean subtree: nothing CUE could see, no null key it could not see
	}
	if c.kindMismatch(sch, data, path) {
		// CUE words a list or scalar where a struct with comprehensions belongs as "field not
		// allowed" on the list's items (or not at all), which the walk below would drop.
		if len(path) == 0 {
			c.flush()
		}
		return
	}
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		if libmsg.CUEFieldNotAllowed.In(format) { // found below with Allows, cut at the right key
			continue
		}
		p, ok := c.dataPath(e.Path())
		if !ok {
			continue
		}
		c.add(p, rawErr{format: format, args: args, custom: c.fromUser(e)})
	}
	childInList := inList || isItemList(path)
	if m, ok := orig.(map[string]any); ok && sch.IncompleteKind()&cue.StructKind != 0 {
		d, _ := data.(map[string]any)
		c.requiredKeys(val, d, path)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sel := cue.Str(k)
			// Allows is asked of the schema: the unified value already holds every data key.
			if sch.Exists() && !sch.Allows(sel) {
				c.unknownKey(sch, path, k, childInList)
				continue
			}
			if m[k] == nil {
				continue
			}
			if child := val.LookupPath(cue.MakePath(sel)); child.Exists() {
				c.walk(child, schemaChild(sch, k), m[k], d[k], appendPath(path, k), childInList)
			}
		}
	} else if l, ok := data.([]any); ok {
		o, _ := orig.([]any)
		for i, x := range l {
			var oi any = x
			if i < len(o) {
				oi = o[i]
			}
			if child := val.LookupPath(cue.MakePath(cue.Index(i))); child.Exists() {
				c.walk(child, sch.LookupPath(cue.MakePath(cue.AnyIndex)), oi, x, appendPath(path, i), childInList)
			}
		}
	}
	if len(path) == 0 {
		c.flush()
	}
}

// kindMismatch records a type error when data cannot be of any kind the schema sch accepts
// (a list or scalar where a mapping belongs, a mapping where a list belongs, ...), and reports
// whether it did: nothing below such a value can be checked.
func (c *collector) kindMismatch(sch cue.Value, data any, path []any) bool {
	if !sch.Exists() || len(path) == 0 {
		return false
	}
	want, got := sch.IncompleteKind(), kindOf(data)
	if want == cue.BottomKind || got == cue.BottomKind || want&got != 0 {
		return false
	}
	if got == cue.IntKind && want&cue.NumberKind != 0 {
		return false
	}
	c.add(path, rawErr{format: "mismatched types %s and %s", args: []any{got.String(), want.String()}})
	return true
}

// requiredKeys finds required fields missing from the struct val: CUE leaves them out of
// Validate's errors as soon as the struct holds any other error. The unified value is asked
// (not the schema), so fields required only under a condition on the data count correctly.
func (c *collector) requiredKeys(val cue.Value, data map[string]any, path []any) {
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
			c.add(appendPath(path, sel.Unquoted()), rawErr{format: "field is required but not present"})
		}
	}
}

// hasNullBelow reports whether the original document has a null map value at or under path.
func (c *collector) hasNullBelow(path []any) bool {
	for _, n := range c.nulls {
		if len(n) > len(path) && comparePaths(n[:len(path)], path) == 0 {
			return true
		}
	}
	return false
}

// schemaChild is the schema of field k in the struct schema sch.
func schemaChild(sch cue.Value, k string) cue.Value {
	n := sch.LookupPath(cue.MakePath(cue.Str(k)))
	if !n.Exists() {
		n = sch.LookupPath(cue.MakePath(cue.Str(k).Optional()))
	}
	if !n.Exists() {
		n = sch.LookupPath(cue.MakePath(cue.Str(k).Required()))
	}
	return n
}

// isItemList reports whether path is a list of items whose unknown keys fleetctl ≤ 4.81
// silently drops (policies, queries, labels, software): it decodes them into Go structs and
// never sends the extra keys anywhere.
func isItemList(path []any) bool {
	if len(path) == 1 {
		switch path[0] {
		case "policies", "queries", "reports", "labels":
			return true
		}
	}
	return len(path) == 2 && path[0] == "software"
}

func appendPath(p []any, x any) []any {
	out := make([]any, len(p), len(p)+1)
	copy(out, p)
	return append(out, x)
}

// dataPath converts a CUE error path (which starts at the definition) into a data path with
// int indices, checked against the validated data.
func (c *collector) dataPath(sels []string) ([]any, bool) {
	var out []any
	cur := c.data
	for _, s := range sels {
		if strings.HasPrefix(s, "#") && out == nil {
			continue
		}
		switch d := cur.(type) {
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil {
				return nil, false
			}
			out = append(out, i)
			if i < len(d) {
				cur = d[i]
			} else {
				cur = nil
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
	return out, true
}

// unquoteLabel turns a CUE path element such as "\"foo-bar\"" back into foo-bar.
func unquoteLabel(s string) string {
	if strings.HasPrefix(s, `"`) {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	return s
}

func (c *collector) fromUser(e cueerrors.Error) bool {
	if len(c.v.userFiles) == 0 {
		return false
	}
	for _, p := range append(e.InputPositions(), e.Position()) {
		if p.IsValid() && c.v.userFiles[p.Filename()] {
			return true
		}
	}
	return false
}

func (c *collector) add(path []any, e rawErr) {
	if c.byPath == nil {
		c.byPath = map[string]*pathErrs{}
	}
	key := fmt.Sprint(path)
	pe, ok := c.byPath[key]
	if !ok {
		pe = &pathErrs{path: path}
		c.byPath[key] = pe
		c.order = append(c.order, key)
	}
	for _, x := range pe.errs {
		if x.format == e.format && fmt.Sprint(x.args) == fmt.Sprint(e.args) {
			return
		}
	}
	pe.errs = append(pe.errs, e)
}

func (c *collector) emit(is Issue) {
	key := fmt.Sprint(is.Path, is.RuleID, is.Message)
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.issues = append(c.issues, is)
}

// unknownKey reports key, not allowed in the struct val at path.
func (c *collector) unknownKey(val cue.Value, path []any, key string, inList bool) {
	is := Issue{Path: appendPath(path, key), RuleID: catalog.SchemaUnknownKey, Severity: finding.Error, AtKey: true}
	is.place = &placed{head: fmt.Sprintf("unknown key %q in ", key)}
	if c.era == fleet.EraTeams {
		if old, ok := renamedFrom(path, key); ok {
			is.Hint = fmt.Sprintf("%q is the Fleet 4.82+ name of %q; this repository uses the teams layout (teams/), so write %q, or move to the fleets/ layout", key, old, old)
			is.Message = is.place.message(is.Path)
			c.emit(is)
			return
		}
		if inList {
			is.Severity = finding.Warning
			is.place.tail = "; fleetctl ≤ 4.81 silently ignores it, Fleet 4.82+ rejects it"
		}
	}
	is.Message = is.place.message(is.Path)
	candidates := allowedKeys(val)
	if len(path) == 0 && (c.kind == fleet.KindTeam || c.kind == fleet.KindUnassigned) {
		// A misspelt org_settings makes the global file look like a team file: suggest the
		// global file's keys too, or the hint names a team key ("team_settings") instead.
		candidates = append(candidates, allowedKeys(c.v.bundled[c.era][fleet.KindGlobal])...)
	}
	if s := suggest(key, candidates); s != "" {
		is.Hint = fmt.Sprintf("did you mean %q?", s)
	}
	c.emit(is)
}

func allowedKeys(val cue.Value) []string {
	it, err := val.Fields(cue.Optional(true))
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

// placed is a message that names the parent of its issue's path: head, where(parent), tail.
// The memo moves an item's issues to every item like it (package memo), and the message
// follows (moveIssue).
type placed struct{ head, tail string }

func (p *placed) message(path []any) string { return p.head + where(path[:len(path)-1]) + p.tail }

func where(path []any) string {
	if len(path) == 0 {
		return "the top level"
	}
	return dotted(path)
}

// dotted renders a data path as controls.macos_updates or policies[3].name.
func dotted(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, p)
		}
	}
	return b.String()
}

// flush turns the errors gathered per path into one issue per path.
func (c *collector) flush() {
	for _, key := range c.order {
		pe := c.byPath[key]
		c.convert(pe.path, pe.errs)
	}
}

func (c *collector) convert(path []any, errs []rawErr) {
	custom := false
	for _, e := range errs {
		custom = custom || e.custom
	}
	rule := func(r string) string {
		if custom {
			return catalog.SchemaCustom
		}
		return r
	}
	key := lastKey(path)
	schema := schemaAt(c.def, path)

	// 1. A message written for this rule with error("...").
	for _, e := range errs {
		if libmsg.CUECustom.In(e.format) && len(e.args) == 1 {
			c.emit(Issue{Path: path, RuleID: rule(catalog.SchemaValue), Severity: finding.Error, Message: fmt.Sprint(e.args[0])})
			return
		}
	}
	// 2. A required key that is missing (or present but null).
	for _, e := range errs {
		if !libmsg.CUERequired.In(e.format) {
			continue
		}
		if v, present := lookup(c.doc, path); present && v == nil {
			if a := schema.Attribute("nullok"); a.Err() == nil {
				continue // `key:` with no value is how Fleet files say "none"
			}
			c.emit(Issue{Path: path, RuleID: rule(catalog.SchemaRequired), Severity: finding.Error,
				Message: fmt.Sprintf("%q has no value; Fleet requires one here", key)})
			continue
		}
		place := &placed{head: fmt.Sprintf("missing required key %q in ", key)}
		c.emit(Issue{Path: path, RuleID: rule(catalog.SchemaRequired), Severity: finding.Error, Missing: true,
			Message: place.message(path), Hint: requiredHint(path), place: place})
	}
	val, exists := lookup(c.data, path)
	if !exists {
		return
	}
	// 3. The wrong type.
	hasConflict := false
	for _, e := range errs {
		if !libmsg.CUERequired.In(e.format) && !libmsg.CUEEmptyDisjunction.In(e.format) {
			hasConflict = true
		}
	}
	if s, ok := val.(string); ok && envRef.MatchString(s) {
		// $VAR references are expanded by fleetctl in the raw text, before parsing: the value
		// behind one is unknown here, so it is judged only where it cannot fit whatever it
		// holds. A reference where a list, mapping, number or boolean belongs can become one
		// only unquoted; quoted, it stays a string ("'secrets' must be a list of secret
		// items"). Whether it was quoted is in the YAML node, which the lint stage reads:
		// EnvRef marks the issue as valid only for a quoted reference.
		if expected := expectedKinds(schema, errs); hasConflict && expected != cue.BottomKind && expected&cue.StringKind == 0 {
			hint := fmt.Sprintf("write %s in the file and use the variable only for the values inside it", kindWords(expected))
			if key == "secrets" {
				hint = fmt.Sprintf("write the list in the file with the variable inside it: secrets: [{secret: \"%s\"}]", s)
			}
			c.emit(Issue{Path: path, RuleID: rule(catalog.SchemaType), Severity: finding.Error, EnvRef: true,
				Message: fmt.Sprintf("%s: expected %s, got the quoted environment reference %q, which stays a string after expansion", key, kindWords(expected), s),
				Hint:    hint})
		}
		return
	}
	if !hasConflict {
		return
	}
	expected := expectedKinds(schema, errs)
	got := kindOf(val)
	if expected == cue.NullKind {
		// A key that must stay empty in this kind of file (e.g. software in the global file).
		is := Issue{Path: path, RuleID: rule(catalog.SchemaValue), Severity: finding.Error, AtKey: true,
			Message: fmt.Sprintf("%q cannot be set in this file", key)}
		if a := schema.Attribute("msg"); a.Err() == nil {
			if m, err := a.String(0); err == nil {
				is.Message = fmt.Sprintf("%q %s", key, m)
			}
		}
		c.emit(is)
		return
	}
	if expected != cue.BottomKind && expected&got == 0 {
		is := Issue{Path: path, RuleID: rule(catalog.SchemaType), Severity: finding.Error,
			Message:     fmt.Sprintf("%s: expected %s, got %s", key, kindWords(expected), valueWords(val)),
			WantsString: !custom && expected&cue.StringKind != 0 && expected&cue.NumberKind == 0}
		if expected&cue.StringKind != 0 && got&cue.NumberKind != 0 {
			is.Hint = "quote the value so YAML reads it as a string"
			if got == cue.FloatKind {
				is.Hint = "quote the value: YAML reads an unquoted 15.10 as the number 15.1"
			}
		}
		if expected&cue.StringKind != 0 && got == cue.BoolKind {
			is.Hint = "quote the value: fleetctl's YAML parser (YAML 1.1) reads unquoted true, false, yes, no, on, off, y and n as booleans"
		}
		c.emit(is)
		return
	}
	// 4. The right type, a value Fleet does not accept.
	is := Issue{Path: path, RuleID: rule(catalog.SchemaValue), Severity: finding.Error}
	if custom && c.hook.Exists() {
		schema = schemaAt(c.hook, path) // the organisation's own @msg, if it wrote one
	}
	if m, ok := msgAttribute(schema, c.def, path, custom); ok {
		is.Message = fmt.Sprintf("%s %s %s", key, show(val), m)
		c.emit(is)
		return
	}
	if alts := alternatives(errs, val); len(alts) > 0 {
		is.Message = fmt.Sprintf("%s %s is not one of %s", key, show(val), strings.Join(alts, ", "))
		unq := make([]string, len(alts))
		for i, a := range alts {
			unq[i], _ = strconv.Unquote(a)
		}
		if s, ok := val.(string); ok {
			if best := suggest(s, unq); best != "" {
				is.Hint = fmt.Sprintf("did you mean %q?", best)
			}
		}
		c.emit(is)
		return
	}
	if b := bounds(errs); b != "" {
		is.Message = fmt.Sprintf("%s %s is out of range: it must be %s", key, show(val), b)
		c.emit(is)
		return
	}
	if custom {
		is.Message = fmt.Sprintf("%s %s is not allowed by the organisation schema", key, show(val))
		if d := userConstraint(errs); d != "" {
			is.Message += "; it requires " + d
		}
	} else {
		is.Message = fmt.Sprintf("%s %s is not allowed here", key, show(val))
	}
	c.emit(is)
}

// msgAttribute is the @msg text for a value at path: the field's own, or for an item of a
// list the list field's (an attribute cannot be written on a list's element type).
func msgAttribute(schema, def cue.Value, path []any, custom bool) (string, bool) {
	if a := schema.Attribute("msg"); a.Err() == nil {
		if m, err := a.String(0); err == nil {
			return m, true
		}
	}
	if custom || len(path) == 0 {
		return "", false
	}
	if _, item := path[len(path)-1].(int); !item {
		return "", false
	}
	if a := schemaAt(def, path[:len(path)-1]).Attribute("msg"); a.Err() == nil {
		if m, err := a.String(0); err == nil {
			return m, true
		}
	}
	return "", false
}

func lastKey(path []any) string {
	for i := len(path) - 1; i >= 0; i-- {
		if s, ok := path[i].(string); ok {
			return s
		}
	}
	return "value"
}

func requiredHint(path []any) string {
	if len(path) == 1 {
		return fmt.Sprintf("add `%s:`; in the teams layout every section must be present, with an empty value for none", path[0])
	}
	return ""
}

// schemaAt looks a data path up in the schema alone (list items by AnyIndex).
func schemaAt(v cue.Value, path []any) cue.Value {
	for _, p := range path {
		switch p := p.(type) {
		case int:
			v = v.LookupPath(cue.MakePath(cue.AnyIndex))
		case string:
			v = schemaChild(v, p)
		}
		if !v.Exists() {
			return v
		}
	}
	return v
}

// expectedKinds is what the schema accepts at a path: from the schema itself, or else from
// CUE's "mismatched types" messages.
func expectedKinds(schema cue.Value, errs []rawErr) cue.Kind {
	if schema.Exists() {
		if k := schema.IncompleteKind(); k != cue.BottomKind && k != cue.TopKind {
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

func kindByName(s string) cue.Kind {
	switch s {
	case "string":
		return cue.StringKind
	case "bool":
		return cue.BoolKind
	case "int":
		return cue.IntKind
	case "float", "number":
		return cue.NumberKind
	case "list":
		return cue.ListKind
	case "struct":
		return cue.StructKind
	case "null":
		return cue.NullKind
	}
	return 0
}

func kindOf(v any) cue.Kind {
	switch v := v.(type) {
	case nil:
		return cue.NullKind
	case string:
		return cue.StringKind
	case bool:
		return cue.BoolKind
	case int, int64, *big.Int:
		return cue.IntKind
	case float64:
		if v == float64(int64(v)) {
			return cue.FloatKind
		}
		return cue.FloatKind
	case []any:
		return cue.ListKind
	case map[string]any:
		return cue.StructKind
	}
	return cue.BottomKind
}

func kindWords(k cue.Kind) string {
	var words []string
	add := func(kind cue.Kind, w string) {
		if k&kind == kind {
			words = append(words, w)
			k &^= kind
		}
	}
	add(cue.NumberKind, "a number")
	add(cue.IntKind, "a whole number")
	add(cue.FloatKind, "a number")
	add(cue.StringKind, "a string")
	add(cue.BoolKind, "true or false")
	add(cue.ListKind, "a list")
	add(cue.StructKind, "a mapping")
	if len(words) == 0 {
		return "null"
	}
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func valueWords(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("a string (%q)", v)
	case bool:
		return fmt.Sprintf("a boolean (%v)", v)
	case int, int64, *big.Int, float64:
		return fmt.Sprintf("a number (%v)", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

// show renders a scalar for a message: strings quoted, others as written.
func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case []any:
		return "(a list)"
	case map[string]any:
		return "(a mapping)"
	}
	return fmt.Sprint(v)
}

// alternatives collects the literal values of an enum from "conflicting values" errors.
func alternatives(errs []rawErr, val any) []string {
	self := show(val)
	seen := map[string]bool{}
	var out []string
	for _, e := range errs {
		if !libmsg.CUEConflictingValues.In(e.format) || len(e.args) != 2 {
			continue
		}
		for _, a := range e.args {
			s := fmt.Sprint(a)
			if s == self || seen[s] || !strings.HasPrefix(s, `"`) {
				continue
			}
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// bounds renders numeric bounds from "out of bound" errors, e.g. "at most 30".
func bounds(errs []rawErr) string {
	var parts []string
	for _, e := range errs {
		if !libmsg.CUEOutOfBound.In(e.format) || len(e.args) < 2 {
			continue
		}
		b := fmt.Sprint(e.args[len(e.args)-1])
		switch {
		case strings.HasPrefix(b, ">="):
			parts = append(parts, "at least "+b[2:])
		case strings.HasPrefix(b, "<="):
			parts = append(parts, "at most "+b[2:])
		case strings.HasPrefix(b, ">"):
			parts = append(parts, "more than "+b[1:])
		case strings.HasPrefix(b, "<"):
			parts = append(parts, "less than "+b[1:])
		case strings.HasPrefix(b, "!="):
			parts = append(parts, "other than "+b[2:])
		}
	}
	return strings.Join(parts, " and ")
}

// userConstraint names what an organisation constraint wanted, from CUE's message args.
func userConstraint(errs []rawErr) string {
	for _, e := range errs {
		switch {
		case libmsg.CUEConflictingValues.In(e.format) && len(e.args) == 2:
			return fmt.Sprint(e.args[0])
		case libmsg.CUEOutOfBound.In(e.format) && len(e.args) >= 2:
			return fmt.Sprint(e.args[len(e.args)-1])
		case libmsg.CUEDoesNotSatisfy.In(e.format) && len(e.args) >= 2:
			return fmt.Sprint(e.args[1])
		}
	}
	return ""
}
