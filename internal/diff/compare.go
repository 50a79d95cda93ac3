package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// holds counts what a team holds, for a team added or removed.
func holds(sc *scope) map[string]any {
	counts := map[string]any{}
	for _, it := range sc.items {
		if it.kind != KindSetting {
			k := it.kind
			if n, ok := counts[k].(int); ok {
				counts[k] = n + 1
			} else {
				counts[k] = 1
			}
		}
	}
	return map[string]any{"holds": counts, "file": sc.entry.File.Path}
}

// compareScope lists the changes of one team (or the organisation) present on both sides.
func compareScope(bs, hs *scope) []Change {
	team := hs.name
	if hs.key == NoTeam {
		team = NoTeam
	}
	var keys []string
	for k := range bs.items {
		keys = append(keys, k)
	}
	for k := range hs.items {
		if _, ok := bs.items[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []Change
	for _, k := range keys {
		bi, hi := bs.items[k], hs.items[k]
		switch {
		case hi == nil:
			c := Change{Kind: bi.kind, Action: Removed, Team: team, Name: bi.name, Key: bi.matchKey(), Detail: bi.detail, Facts: bi.facts,
				Base: position(bi.doc, bi.path), Head: containerIn(hs, bi)}
			if bi.kind == KindSetting {
				c.Fields = []Field{{Path: bi.name, Old: bi.fields["value"].text, New: "(not set)", OldValue: bi.fields["value"].raw}}
			}
			out = append(out, c)
		case bi == nil:
			c := Change{Kind: hi.kind, Action: Added, Team: team, Name: hi.name, Key: hi.matchKey(), Detail: hi.detail, Facts: hi.facts,
				Base: containerIn(bs, hi), Head: position(hi.doc, hi.path)}
			if hi.kind == KindSetting {
				c.Fields = []Field{{Path: hi.name, Old: "(not set)", New: hi.fields["value"].text, NewValue: hi.fields["value"].raw}}
			}
			out = append(out, c)
		default:
			if fields := compareFields(bi, hi); len(fields) > 0 {
				out = append(out, Change{Kind: hi.kind, Action: Changed, Team: team, Name: hi.name, Key: hi.matchKey(), Detail: hi.detail,
					Facts: mergeFacts(bi.facts, hi.facts), Fields: fields, Base: position(bi.doc, bi.path), Head: position(hi.doc, hi.path)})
			}
		}
	}
	for i := range out {
		out[i].TeamFile = hs.entry.File.Path
	}
	return out
}

// matchKey is what Fleet matches the item on, when its name does not say it (a package's
// hash or URL, an app's id or slug, a profile's platform and name).
func (it *item) matchKey() string {
	if it.key == it.name {
		return ""
	}
	return it.key
}

// mergeFacts keeps the head's facts and the base's under "base" (a policy whose automation
// was detached: the base had it, the head doesn't).
func mergeFacts(b, h map[string]any) map[string]any {
	if b == nil && h == nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range h {
		out[k] = v
	}
	if b != nil {
		out["base"] = b
	}
	return out
}

// compareFields lists the fields whose values differ; a field set on one side only counts
// (set to null on the other is the same as not set: Fleet reads a missing key as null).
func compareFields(bi, hi *item) []Field {
	var names []string
	for k := range bi.fields {
		names = append(names, k)
	}
	for k := range hi.fields {
		if _, ok := bi.fields[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var out []Field
	for _, n := range names {
		bv, inB := bi.fields[n]
		hv, inH := hi.fields[n]
		if !inB || bv.text == "null" {
			bv, inB = value{text: "(not set)"}, false
		}
		if !inH || hv.text == "null" {
			hv, inH = value{text: "(not set)"}, false
		}
		if bv.text == hv.text {
			continue
		}
		path := n
		if bi.kind == KindSetting {
			path = hi.name
		}
		out = append(out, Field{Path: path, Old: bv.text, New: hv.text, OldValue: bv.raw, NewValue: hv.raw})
	}
	return out
}

// position is where a data path is written in a document.
func position(d *load.Doc, path []any) *Position {
	if d == nil {
		return nil
	}
	loc := d.Locate(path, false)
	if loc.File == "" {
		return nil
	}
	return &Position{File: loc.File, Line: loc.Start.Line, Column: loc.Start.Column, Path: loc.Path}
}

// containerIn is where, in the other side's team, an item would be written: the list or key
// it was removed from (or is added to), in that side's own spelling of the keys.
func containerIn(sc *scope, it *item) *Position {
	if sc == nil {
		return nil
	}
	doc, _ := sc.entry.Value.(map[string]any)
	return position(&sc.entry.Doc, existingPrefix(doc, it.path))
}

// existingPrefix is the longest prefix of path (written in either era's key names) that the
// document holds, in the document's own spelling; list indices are dropped (the item is not
// there, its list is).
func existingPrefix(doc map[string]any, path []any) []any {
	var out []any
	var cur any = doc
	for _, el := range path {
		k, ok := el.(string)
		if !ok {
			break
		}
		m, ok := cur.(map[string]any)
		if !ok {
			break
		}
		found := ""
		for _, alt := range spellings(out, k) {
			if _, has := m[alt]; has {
				found = alt
				break
			}
		}
		if found == "" {
			break
		}
		out = append(out, found)
		cur = m[found]
	}
	return out
}

// spellings are the names a key may have at a path in either era.
func spellings(parent []any, key string) []string {
	alts := []string{key}
	for _, r := range fleet.Renames {
		if r.Matches(fleet.Canonical(parent)) || r.Matches(parent) {
			switch key {
			case r.Old:
				alts = append(alts, r.New)
			case r.New:
				alts = append(alts, r.Old)
			}
		}
	}
	return alts
}

// Describe writes a change in one line, for logs and tests.
func (c Change) Describe() string {
	var b strings.Builder
	sign := map[string]string{Added: "+", Removed: "-", Changed: "~", Renamed: "→"}[c.Action]
	fmt.Fprintf(&b, "%s %s %q", sign, c.Kind, c.Name)
	if c.Team != "" {
		fmt.Fprintf(&b, " in %q", c.Team)
	}
	if c.From != "" {
		fmt.Fprintf(&b, " from %q", c.From)
	}
	for _, f := range c.Fields {
		fmt.Fprintf(&b, "; %s: %s → %s", f.Path, f.Old, f.New)
	}
	return b.String()
}
