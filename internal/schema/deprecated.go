package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
)

// deprecations reports old spellings in a fleets-era document: a warning for each, an error
// when the new spelling is there too (Fleet: "cannot specify both ... (deprecated) and ...").
func deprecations(doc any) []Issue {
	var out []Issue
	for _, r := range fleet.Renames {
		for _, parent := range expand(doc, r.Parent) {
			m, _ := cueissue.Lookup(doc, parent)
			obj, ok := m.(map[string]any)
			if !ok {
				continue
			}
			if _, has := obj[r.Old]; !has {
				continue
			}
			path := append(append([]any{}, parent...), r.Old)
			if _, both := obj[r.New]; both {
				out = append(out, Issue{Path: path, RuleID: catalog.DeprecatedConflict, Severity: finding.Error, AtKey: true,
					Message: fmt.Sprintf("%q and its new name %q are both set; Fleet refuses this", r.Old, r.New),
					Hint:    fmt.Sprintf("keep only %q", r.New)})
				continue
			}
			out = append(out, Issue{Path: path, RuleID: catalog.DeprecatedKey, Severity: finding.Warning, AtKey: true,
				Message: fmt.Sprintf("%q is deprecated since Fleet 4.82; use %q", r.Old, r.New),
				Hint:    fmt.Sprintf("rename %q to %q", r.Old, r.New)})
		}
	}
	return out
}

// renamedFrom returns the old name when key is a fleets-era name at parent (data path).
func renamedFrom(parent []any, key string) (string, bool) {
	for _, r := range fleet.Renames {
		if r.New == key && r.Matches(parent) {
			return r.Old, true
		}
	}
	return "", false
}

// expand returns the concrete data paths in doc matching pattern.
func expand(doc any, pattern []string) [][]any {
	paths := [][]any{{}}
	for _, p := range pattern {
		var next [][]any
		for _, path := range paths {
			v, _ := cueissue.Lookup(doc, path)
			switch {
			case p == "[]":
				if l, ok := v.([]any); ok {
					for i := range l {
						next = append(next, append(append([]any{}, path...), i))
					}
				}
			default:
				m, ok := v.(map[string]any)
				if !ok {
					continue
				}
				alts := strings.Split(p, "|")
				sort.Strings(alts)
				for _, a := range alts {
					if _, has := m[a]; has {
						next = append(next, append(append([]any{}, path...), a))
					}
				}
			}
		}
		paths = next
	}
	return paths
}
