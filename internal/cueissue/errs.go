package cueissue

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
)

// RawErr is a CUE error copied into plain values at once: held cue errors pin the whole
// evaluation graph in memory.
type RawErr struct {
	Format string // cueerrors.Error.Msg's format, recognised by libmsg
	Args   []any
	Custom bool // raised by a constraint of an organisation's schema
}

// PathErrs are the errors found at one data path.
type PathErrs struct {
	Path []any
	Errs []RawErr
}

// Gathered collects CUE's errors per data path, each error once, paths in the order first
// found. The zero value is ready to use.
type Gathered struct {
	byPath map[string]*PathErrs
	order  []*PathErrs
}

// Add records e at path, unless the same error is there already.
func (g *Gathered) Add(path []any, e RawErr) {
	if g.byPath == nil {
		g.byPath = map[string]*PathErrs{}
	}
	key := fmt.Sprint(path)
	pe, ok := g.byPath[key]
	if !ok {
		pe = &PathErrs{Path: path}
		g.byPath[key] = pe
		g.order = append(g.order, pe)
	}
	for _, x := range pe.Errs {
		if x.Format == e.Format && fmt.Sprint(x.Args) == fmt.Sprint(e.Args) {
			return
		}
	}
	pe.Errs = append(pe.Errs, e)
}

// AddRequired records that the required key at path is missing, in CUE's words.
func (g *Gathered) AddRequired(path []any) {
	g.Add(path, RawErr{Format: "field is required but not present"})
}

// RequiredKeys records the required fields missing from the struct val at path: CUE leaves
// them out of Validate's errors as soon as the struct holds any other error. The unified value
// is asked (not the schema), so fields required only under a condition on the data count.
func (g *Gathered) RequiredKeys(val cue.Value, data map[string]any, path []any) {
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
			g.AddRequired(AppendPath(path, sel.Unquoted()))
		}
	}
}

// All is what was gathered, one entry a path, in the order found.
func (g *Gathered) All() []*PathErrs { return g.order }

// FromUser reports whether the CUE error e was raised in one of the organisation's schema
// files (by file name).
func FromUser(e cueerrors.Error, userFiles map[string]bool) bool {
	if len(userFiles) == 0 {
		return false
	}
	for _, p := range append(e.InputPositions(), e.Position()) {
		if p.IsValid() && userFiles[p.Filename()] {
			return true
		}
	}
	return false
}

// ErrorText renders CUE errors as "file:line:col: message" lines, for a schema that does not
// compile.
func ErrorText(err error) string {
	var lines []string
	for _, e := range cueerrors.Errors(err) {
		msg := e.Error()
		if p := e.Position(); p.IsValid() {
			msg = fmt.Sprintf("%s: %s", p, msg)
		} else if ps := e.InputPositions(); len(ps) > 0 && ps[0].IsValid() {
			msg = fmt.Sprintf("%s: %s", ps[0], msg)
		}
		lines = append(lines, msg)
	}
	return strings.Join(lines, "; ")
}
