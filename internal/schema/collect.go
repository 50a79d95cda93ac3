package schema

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/editdist"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/libmsg"
)

// envRef matches a string holding an environment variable reference ($NAME or ${NAME}).
var envRef = regexp.MustCompile(`\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)`)

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
	errs   cueissue.Gathered
	issues []Issue
}

func (c *collector) walk(val, sch cue.Value, orig, data any, path []any, inList bool) {
	err := val.Validate(cue.Concrete(true))
	if err == nil && !cueissue.HasNullBelow(c.nulls, path) {
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
		p, ok := cueissue.DataPath(c.data, e.Path())
		if !ok {
			continue
		}
		c.errs.Add(p, cueissue.RawErr{Format: format, Args: args, Custom: cueissue.FromUser(e, c.v.userFiles)})
	}
	childInList := inList || isItemList(path)
	if m, ok := orig.(map[string]any); ok && sch.IncompleteKind()&cue.StructKind != 0 {
		d, _ := data.(map[string]any)
		c.errs.RequiredKeys(val, d, path)
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
				c.walk(child, cueissue.SchemaChild(sch, k), m[k], d[k], cueissue.AppendPath(path, k), childInList)
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
				c.walk(child, sch.LookupPath(cue.MakePath(cue.AnyIndex)), oi, x, cueissue.AppendPath(path, i), childInList)
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
	if len(path) == 0 || !cueissue.Mismatch(sch, data) {
		return false
	}
	c.errs.Add(path, cueissue.RawErr{Format: "mismatched types %s and %s", Args: []any{cueissue.KindOf(data).String(), sch.IncompleteKind().String()}})
	return true
}

// flush turns the errors gathered per path into one issue per path.
func (c *collector) flush() {
	for _, pe := range c.errs.All() {
		c.convert(pe.Path, pe.Errs)
	}
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
	is := Issue{Path: cueissue.AppendPath(path, key), RuleID: catalog.SchemaUnknownKey, Severity: finding.Error, AtKey: true}
	is.Place = &cueissue.Place{Head: fmt.Sprintf("unknown key %q in ", key)}
	if c.era == fleet.EraTeams {
		if old, ok := renamedFrom(path, key); ok {
			is.Hint = fmt.Sprintf("%q is the Fleet 4.82+ name of %q; this repository uses the teams layout (teams/), so write %q, or move to the fleets/ layout", key, old, old)
			is.Message = is.Place.Message(is.Path)
			c.emit(is)
			return
		}
		if inList {
			is.Severity = finding.Warning
			is.Place.Tail = "; fleetctl ≤ 4.81 silently ignores it, Fleet 4.82+ rejects it"
		}
	}
	is.Message = is.Place.Message(is.Path)
	candidates := cueissue.AllowedKeys(val)
	if len(path) == 0 && (c.kind == fleet.KindTeam || c.kind == fleet.KindUnassigned) {
		// A misspelt org_settings makes the global file look like a team file: suggest the
		// global file's keys too, or the hint names a team key ("team_settings") instead.
		candidates = append(candidates, cueissue.AllowedKeys(c.v.bundled[c.era][fleet.KindGlobal])...)
	}
	// editdist's threshold is Fleet's own (pkg/spec/gitops_validate.go suggestKey).
	if s := editdist.Closest(key, candidates); s != "" {
		is.Hint = fmt.Sprintf("did you mean %q?", s)
	}
	c.emit(is)
}

// convert turns the errors at one path into an issue. It stays apart from the Kubernetes
// stage's (kubeschema/check.go) on purpose: Fleet's findings speak of what fleetctl does ($VAR
// references it expands, `key:` for none with @nullok, the teams layout's required sections,
// YAML 1.1 as fleetctl reads it) and take their wording from the bundled schemas' @msg.
func (c *collector) convert(path []any, errs []cueissue.RawErr) {
	custom := false
	for _, e := range errs {
		custom = custom || e.Custom
	}
	rule := func(r string) string {
		if custom {
			return catalog.SchemaCustom
		}
		return r
	}
	key := cueissue.LastKey(path)
	schema := cueissue.SchemaAt(c.def, path)

	// 1. A message written for this rule with error("...").
	for _, e := range errs {
		if libmsg.CUECustom.In(e.Format) && len(e.Args) == 1 {
			c.emit(Issue{Path: path, RuleID: rule(catalog.SchemaValue), Severity: finding.Error, Message: fmt.Sprint(e.Args[0])})
			return
		}
	}
	// 2. A required key that is missing (or present but null).
	for _, e := range errs {
		if !libmsg.CUERequired.In(e.Format) {
			continue
		}
		if v, present := cueissue.Lookup(c.doc, path); present && v == nil {
			if a := schema.Attribute("nullok"); a.Err() == nil {
				continue // `key:` with no value is how Fleet files say "none"
			}
			c.emit(Issue{Path: path, RuleID: rule(catalog.SchemaRequired), Severity: finding.Error,
				Message: fmt.Sprintf("%q has no value; Fleet requires one here", key)})
			continue
		}
		place := &cueissue.Place{Head: fmt.Sprintf("missing required key %q in ", key)}
		c.emit(Issue{Path: path, RuleID: rule(catalog.SchemaRequired), Severity: finding.Error, Missing: true,
			Message: place.Message(path), Hint: requiredHint(path), Place: place})
	}
	val, exists := cueissue.Lookup(c.data, path)
	if !exists {
		return
	}
	// 3. The wrong type.
	hasConflict := false
	for _, e := range errs {
		if !libmsg.CUERequired.In(e.Format) && !libmsg.CUEEmptyDisjunction.In(e.Format) {
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
		if expected := cueissue.ExpectedKinds(schema, errs); hasConflict && expected != cue.BottomKind && expected&cue.StringKind == 0 {
			hint := fmt.Sprintf("write %s in the file and use the variable only for the values inside it", cueissue.KindWords(expected))
			if key == "secrets" {
				hint = fmt.Sprintf("write the list in the file with the variable inside it: secrets: [{secret: \"%s\"}]", s)
			}
			c.emit(Issue{Path: path, RuleID: rule(catalog.SchemaType), Severity: finding.Error, EnvRef: true,
				Message: fmt.Sprintf("%s: expected %s, got the quoted environment reference %q, which stays a string after expansion", key, cueissue.KindWords(expected), s),
				Hint:    hint})
		}
		return
	}
	if !hasConflict {
		return
	}
	expected := cueissue.ExpectedKinds(schema, errs)
	got := cueissue.KindOf(val)
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
			Message:     cueissue.TypeMessage(path, expected, val),
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
		schema = cueissue.SchemaAt(c.hook, path) // the organisation's own @msg, if it wrote one
	}
	if m, ok := msgAttribute(schema, c.def, path, custom); ok {
		is.Message = fmt.Sprintf("%s %s %s", key, cueissue.Show(val), m)
		c.emit(is)
		return
	}
	if alts := cueissue.Alternatives(errs, val); len(alts) > 0 {
		is.Message = fmt.Sprintf("%s %s is not one of %s", key, cueissue.Show(val), strings.Join(alts, ", "))
		unq := make([]string, len(alts))
		for i, a := range alts {
			unq[i], _ = strconv.Unquote(a)
		}
		if s, ok := val.(string); ok {
			if best := editdist.Closest(s, unq); best != "" {
				is.Hint = fmt.Sprintf("did you mean %q?", best)
			}
		}
		c.emit(is)
		return
	}
	if b := bounds(errs); b != "" {
		is.Message = fmt.Sprintf("%s %s is out of range: it must be %s", key, cueissue.Show(val), b)
		c.emit(is)
		return
	}
	if custom {
		is.Message = fmt.Sprintf("%s %s is not allowed by the organisation schema", key, cueissue.Show(val))
		if d := userConstraint(errs); d != "" {
			is.Message += "; it requires " + d
		}
	} else {
		is.Message = fmt.Sprintf("%s %s is not allowed here", key, cueissue.Show(val))
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
	if a := cueissue.SchemaAt(def, path[:len(path)-1]).Attribute("msg"); a.Err() == nil {
		if m, err := a.String(0); err == nil {
			return m, true
		}
	}
	return "", false
}

func requiredHint(path []any) string {
	if len(path) == 1 {
		return fmt.Sprintf("add `%s:`; in the teams layout every section must be present, with an empty value for none", path[0])
	}
	return ""
}

// bounds words the numeric bounds of "out of bound" errors, e.g. "at most 30". A pattern
// (=~) is left to the @msg the bundled schemas write beside it, or to "not allowed here".
func bounds(errs []cueissue.RawErr) string {
	var parts []string
	for _, e := range errs {
		if !libmsg.CUEOutOfBound.In(e.Format) || len(e.Args) < 2 {
			continue
		}
		if w, ok := cueissue.BoundWords(fmt.Sprint(e.Args[len(e.Args)-1])); ok {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, " and ")
}

// userConstraint names what an organisation constraint wanted, from CUE's message args.
func userConstraint(errs []cueissue.RawErr) string {
	for _, e := range errs {
		switch {
		case libmsg.CUEConflictingValues.In(e.Format) && len(e.Args) == 2:
			return fmt.Sprint(e.Args[0])
		case libmsg.CUEOutOfBound.In(e.Format) && len(e.Args) >= 2:
			return fmt.Sprint(e.Args[len(e.Args)-1])
		case libmsg.CUEDoesNotSatisfy.In(e.Format) && len(e.Args) >= 2:
			return fmt.Sprint(e.Args[1])
		}
	}
	return ""
}
