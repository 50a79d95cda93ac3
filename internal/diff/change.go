// Package diff compares two states of a Fleet GitOps repository as configuration, not as text:
// both sides are loaded by the same loader (includes, globs and environment references by
// name, both eras), every thing Fleet manages is matched by what Fleet identifies it by (a team
// by its name, a profile by its display name, a policy by its name, a package by its hash …),
// and what a merge adds, removes, renames or changes is listed with the values before and
// after. Secret values never appear: an environment reference shows as its name, a literal
// secret as a short fingerprint.
package diff

import (
	"cmp"
	"slices"
	"strings"
)

// Kinds of things a change is about.
const (
	KindTeam     = "team"
	KindProfile  = "profile"
	KindScript   = "script"
	KindPolicy   = "policy"
	KindQuery    = "query"
	KindSoftware = "software"
	KindLabel    = "label"
	KindSecret   = "secret"
	KindSetting  = "setting"
)

// Actions a change takes.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
	Renamed = "renamed"
)

// Change is one thing a merge does to the fleet. Its JSON form is documented in
// docs/diff-format.md and is what change rules see in input.change.changes.
type Change struct {
	Kind   string `json:"kind"`
	Action string `json:"action"`
	// Team is the team (fleet) the thing belongs to, "" for the organisation's settings and
	// labels (default.yml), "No team" for hosts without a team.
	Team string `json:"team"`
	// TeamFile is the team's entry file (on the head side; the base's for a removed team).
	TeamFile string `json:"team_file,omitempty"`
	// Name identifies the thing for people: a team or policy name, a profile's display name,
	// a script's file name, a package's name or URL, a setting's dotted path, a secret's
	// environment variable or fingerprint.
	Name string `json:"name"`
	// From is the previous name of a renamed team.
	From string `json:"from,omitempty"`
	// Key is the identity Fleet matches on (the hash of a package, a profile's identifier …).
	Key string `json:"key,omitempty"`
	// Detail describes the thing (a profile's platform and file, a package's install file).
	Detail string `json:"detail,omitempty"`
	// Fields are the values that changed, old and new, as text (never a secret value).
	Fields []Field `json:"fields,omitempty"`
	// Facts describe the thing on the side that has it (base for a removal), for rules: for a
	// policy, whether it has automations; for a team, how many things it holds …
	Facts map[string]any `json:"facts,omitempty"`
	Base  *Position      `json:"base,omitempty"`
	Head  *Position      `json:"head,omitempty"`
}

// Field is one changed value: Old or New is empty (and Absent says which) when the value is
// set on one side only.
type Field struct {
	Path string `json:"path"`
	Old  string `json:"old"`
	New  string `json:"new"`
	// Values for rules, as they were parsed (nil for secrets and content digests).
	OldValue any `json:"old_value"`
	NewValue any `json:"new_value"`
}

// Position is where a side of a change is written. For a removal, Head is the list or key it
// was removed from (where a reviewer comments on it); for an addition, Base likewise.
type Position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Path   string `json:"path,omitempty"`
}

// Counts sums the changes by action.
type Counts struct {
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Changed int `json:"changed"`
	Renamed int `json:"renamed"`
}

// Count sums changes by action.
func Count(cs []Change) Counts {
	var c Counts
	for _, ch := range cs {
		switch ch.Action {
		case Added:
			c.Added++
		case Removed:
			c.Removed++
		case Changed:
			c.Changed++
		case Renamed:
			c.Renamed++
		}
	}
	return c
}

// Total is the number of changes.
func (c Counts) Total() int { return c.Added + c.Removed + c.Changed + c.Renamed }

var actionOrder = map[string]int{Removed: 0, Renamed: 1, Changed: 2, Added: 3}

var kindOrder = map[string]int{KindTeam: 0, KindSecret: 1, KindProfile: 2, KindScript: 3, KindSoftware: 4,
	KindPolicy: 5, KindQuery: 6, KindLabel: 7, KindSetting: 8}

// Sort orders changes as a reviewer reads them: the organisation first, then teams by name;
// in each, removals first (what is lost), then renames, changes and additions; then by kind
// and name.
func Sort(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		return cmp.Or(
			cmp.Compare(teamRank(a.Team), teamRank(b.Team)),
			strings.Compare(a.Team, b.Team),
			cmp.Compare(boolRank(a.Kind != KindTeam), boolRank(b.Kind != KindTeam)),
			cmp.Compare(actionOrder[a.Action], actionOrder[b.Action]),
			cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]),
			strings.Compare(a.Name, b.Name),
			strings.Compare(a.Key, b.Key),
		)
	})
}

func teamRank(team string) int {
	switch team {
	case "":
		return 0
	case NoTeam:
		return 2
	}
	return 1
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NoTeam is how hosts without a team are named in changes, in both eras ("No team" in
// no-team.yml, "Unassigned" in unassigned.yml are one scope).
const NoTeam = "No team"
