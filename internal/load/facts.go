package load

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/fleet"
)

// EntryFacts are what the repository-wide index needs from an entry file (input.repo.teams,
// the labels defined) before every file has been read in full.
type EntryFacts struct {
	Present bool // the entry was read: a YAML mapping (false: unreadable, not a mapping)
	Kind    fleet.Kind
	Name    string
	Labels  []string // label names its `labels:` defines
}

// Equal reports whether two facts agree.
func (f EntryFacts) Equal(g EntryFacts) bool {
	return f.Present == g.Present && f.Kind == g.Kind && f.Name == g.Name && slices.Equal(f.Labels, g.Labels)
}

// FactsOf returns the facts of an entry read in full; e may be nil (an entry that could not be
// read).
func FactsOf(e *Entry) EntryFacts {
	if e == nil {
		return EntryFacts{}
	}
	return EntryFacts{Present: true, Kind: e.Kind, Name: e.Name, Labels: e.Labels()}
}

// Labels lists the label names the entry's `labels:` defines, in order.
func (e *Entry) Labels() []string {
	doc, _ := e.Value.(map[string]any)
	labels, _ := doc["labels"].([]any)
	var out []string
	for _, l := range labels {
		if lm, ok := l.(map[string]any); ok {
			if n, ok := lm["name"].(string); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

// Prescan returns an entry's facts from a byte-level scan of its top level, without parsing it,
// when the scan is certain and the facts do not depend on more than it sees: a team file whose
// name is a plain string, or a global file. ok is false otherwise (labels defined, a name that
// may mean "no team", a symbolic link, anything unusual): the caller reads the entry in full.
// The data is not kept: holding every file from the first pass to its batch would cost as much
// memory as the repository's size, and reading a small file again costs less.
func (r *Repo) Prescan(abs string) (EntryFacts, bool) {
	var t TopLevel
	var certain bool
	if !r.files.peek(abs, func(data []byte) { t, certain = PrescanTopLevel(data) }) {
		return EntryFacts{}, false
	}
	if !certain || t.HasLabels {
		return EntryFacts{}, false
	}
	switch {
	case t.HasOrgSettings:
		return EntryFacts{Present: true, Kind: fleet.KindGlobal}, true
	case t.HasName && t.NameIsString && strings.TrimSpace(t.Name) != "":
		if isUnassignedTeamName(t.Name, fleet.EraFleets) || isUnassignedName(filepath.Base(abs)) {
			return EntryFacts{}, false // the kind depends on the file's era: let the parser decide
		}
		return EntryFacts{Present: true, Kind: fleet.KindTeam, Name: t.Name}, true
	}
	return EntryFacts{}, false
}

// RelPath is the repository-relative path of an absolute path under the root (as File.Path).
func (r *Repo) RelPath(abs string) string {
	rel, err := r.files.rel(abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return rel
}
