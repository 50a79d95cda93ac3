// Package cueissue is what the two structure stages share in turning a CUE evaluation into
// plain issues: internal/schema checks Fleet GitOps files, internal/kubeschema Kubernetes
// manifests, each with its own schemas and its own wording where the two formats differ. Here
// are the Issue they both return, CUE's errors gathered per data path, data paths and their
// schema, the words of type and value messages, and CUE error text.
package cueissue

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Issue is one problem found in a document. Path is a data path of string keys and int
// indices from the document's root; the caller maps it to a line. Missing means the path does
// not exist (point at the parent); AtKey means point at the key rather than the value.
type Issue struct {
	Path     []any
	Message  string
	RuleID   string
	Severity finding.Severity
	Hint     string
	AtKey    bool
	Missing  bool
	// EnvRef marks an issue about a $VAR reference where the schema wants no string: true
	// only if the reference is quoted (an unquoted one may expand into YAML of any kind), which
	// the caller decides from the YAML node. fleetctl expands references; only the Fleet stage
	// sets it.
	EnvRef bool
	// WantsString marks a type issue where a string belongs and no number does: how the YAML
	// spells the value (an unquoted 15.10) can explain it. Set by the Fleet stage.
	WantsString bool
	// Place, when set, is how Message names the parent of Path, so that the message follows
	// when the Fleet stage's memo moves the issue to another item like it (Moved).
	Place *Place
}

// Place is a message that names the parent of its issue's path: Head, Where(parent), Tail.
type Place struct{ Head, Tail string }

// Message is the message for an issue at path.
func (p *Place) Message(path []any) string { return p.Head + Where(path[:len(path)-1]) + p.Tail }

// Moved is the issue about another path, its message naming the new place.
func (is Issue) Moved(path []any) Issue {
	is.Path = path
	if is.Place != nil {
		is.Message = is.Place.Message(path)
	}
	return is
}

// Sort orders issues by path, rule and message, deterministically.
func Sort(is []Issue) {
	slices.SortStableFunc(is, func(a, b Issue) int {
		return cmp.Or(ComparePaths(a.Path, b.Path), cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.Message, b.Message))
	})
}

// ComparePaths orders data paths element by element: indices by number, before keys; keys
// by text; a path before the paths below it.
func ComparePaths(a, b []any) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ai, aIdx := a[i].(int)
		bi, bIdx := b[i].(int)
		var c int
		switch {
		case aIdx && bIdx:
			c = cmp.Compare(ai, bi)
		case aIdx != bIdx: // cannot happen at the same depth of one document
			c = 1
			if aIdx {
				c = -1
			}
		default:
			c = strings.Compare(fmt.Sprint(a[i]), fmt.Sprint(b[i]))
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}
