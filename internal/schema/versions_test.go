package schema

import (
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/fleet"
)

func TestParseFleetVersion(t *testing.T) {
	for in, want := range map[string]FleetVersion{"4.91": {4, 91}, "4.91.2": {4, 91}, "v4.82.0": {4, 82}, " 4.9 ": {4, 9}} {
		got, err := ParseFleetVersion(in)
		if err != nil || got != want {
			t.Errorf("ParseFleetVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "latest", "4", "5.0", "4.x", "4.91-rc1"} {
		if _, err := ParseFleetVersion(in); err == nil {
			t.Errorf("ParseFleetVersion(%q) accepted", in)
		}
	}
	if !(FleetVersion{4, 9}).Less(FleetVersion{4, 10}) {
		t.Error("4.9 must be older than 4.10 (numeric, not string, order)")
	}
}

const testTable = `
package versions
newest: "4.93"
covered: ["4.92", "4.93"]
fleets_era: "4.82"
keys: [
	{key: "controls.macos_updates|ios_updates.deadline_days", since: "4.91", what: "` + "`deadline_days`" + `", source: "test"},
	{key: "controls.macos_updates.minimum_version", value: "^latest$", since: "4.91", what: "latest", source: "test"},
	{key: "policies[].labels_exclude_any", since: "4.89", when: {"labels_include_any|labels_include_all": ""}, what: "include and exclude", source: "test"},
	{key: "org_settings.old_knob", removed: "4.90", what: "` + "`old_knob`" + `", source: "test"},
]
`

// TestVersionIssues: a key is reported before it appeared and from its removal on, a value
// row only for matching values, a when row only with a matching sibling.
func TestVersionIssues(t *testing.T) {
	table, err := ParseVersionTable([]byte(testTable))
	if err != nil {
		t.Fatal(err)
	}
	doc := parseYAML(t, `
controls:
  macos_updates:
    minimum_version: latest
    deadline_days: 7
  ios_updates:
    minimum_version: "18.1"
    deadline_days: 3
policies:
  - labels_exclude_any: [a]
  - labels_include_all: [b]
    labels_exclude_any: [a]
  - labels_include_any: []
    labels_exclude_any: [a]
org_settings:
  old_knob: true
`)
	paths := func(target string) []string {
		v, err := ParseFleetVersion(target)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, is := range table.Issues(doc, v) {
			if is.RuleID != catalog.FleetVersion || !is.AtKey {
				t.Errorf("%s: %+v", target, is)
			}
			out = append(out, dotted(is.Path)+": "+is.Message)
		}
		return out
	}
	got := paths("4.88")
	want := []string{
		"controls.ios_updates.deadline_days: `deadline_days` needs Fleet 4.91; this repository targets 4.88",
		"controls.macos_updates.deadline_days: `deadline_days` needs Fleet 4.91; this repository targets 4.88",
		"controls.macos_updates.minimum_version: latest needs Fleet 4.91; this repository targets 4.88",
		"policies[1].labels_exclude_any: include and exclude needs Fleet 4.89; this repository targets 4.88",
	}
	if !slices.Equal(got, want) {
		t.Errorf("4.88:\n got %q\nwant %q", got, want)
	}
	if got := paths("4.90"); !slices.Equal(got, []string{
		"controls.ios_updates.deadline_days: `deadline_days` needs Fleet 4.91; this repository targets 4.90",
		"controls.macos_updates.deadline_days: `deadline_days` needs Fleet 4.91; this repository targets 4.90",
		"controls.macos_updates.minimum_version: latest needs Fleet 4.91; this repository targets 4.90",
		"org_settings.old_knob: `old_knob` was removed in Fleet 4.90; this repository targets 4.90",
	}) {
		t.Errorf("4.90: %q", got)
	}
	if got := paths("4.93"); !slices.Equal(got, []string{"org_settings.old_knob: `old_knob` was removed in Fleet 4.90; this repository targets 4.93"}) {
		t.Errorf("4.93: %q", got)
	}
	if got := table.Issues(doc, FleetVersion{}); got != nil {
		t.Errorf("no target: %v", got)
	}
}

func TestParseVersionTableRejects(t *testing.T) {
	for name, src := range map[string]string{
		"no version":  `package versions` + "\nnewest: \"4.93\"\ncovered: []\nfleets_era: \"4.82\"\nkeys: [{key: \"a\", what: \"a\", source: \"s\"}]\n",
		"bad version": `package versions` + "\nnewest: \"4.93\"\ncovered: []\nfleets_era: \"4.82\"\nkeys: [{key: \"a\", since: \"4.x\", what: \"a\", source: \"s\"}]\n",
		"bad regexp":  `package versions` + "\nnewest: \"4.93\"\ncovered: []\nfleets_era: \"4.82\"\nkeys: [{key: \"a\", since: \"4.9\", value: \"(\", what: \"a\", source: \"s\"}]\n",
		"no source":   `package versions` + "\nnewest: \"4.93\"\ncovered: []\nfleets_era: \"4.82\"\nkeys: [{key: \"a\", since: \"4.9\", what: \"a\"}]\n",
	} {
		if _, err := ParseVersionTable([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestVersionTableMatchesSchemas: every key the bundled table dates is one the newest schemas
// know, in both eras (Fleet 4.82+ reads the teams spelling too), so the table and the
// schemas cannot drift apart. A key is known where some spelling of its path gives no
// unknown-key issue.
func TestVersionTableMatchesSchemas(t *testing.T) {
	table, err := Versions()
	if err != nil {
		t.Fatal(err)
	}
	if table.Newest != table.Covered[len(table.Covered)-1] {
		t.Errorf("newest %v is not the last covered release %v", table.Newest, table.Covered)
	}
	v := bundledValidator(t)
	for _, k := range table.Keys {
		last := k.pattern[len(k.pattern)-1]
		for _, era := range []Era{fleet.EraTeams, fleet.EraFleets} {
			for _, name := range strings.Split(last, "|") {
				known := false
				for _, path := range spellings(append(slices.Clone(k.pattern[:len(k.pattern)-1]), name)) {
					kind := fleet.KindTeam
					if path[0] == "org_settings" {
						kind = fleet.KindGlobal
					}
					if era == fleet.EraTeams && (path[0] == "settings" || path[0] == "reports") {
						continue // fleets-only spellings
					}
					doc := build(path)
					if !slices.ContainsFunc(v.Validate(kind, era, doc), func(is Issue) bool {
						return is.RuleID == catalog.SchemaUnknownKey
					}) {
						known = true
						break
					}
				}
				if !known {
					t.Errorf("%s era: no spelling of %s (%s) is known to the schemas", era, k.Key, name)
				}
			}
		}
	}
}

// spellings expands the alternatives of a key pattern into concrete paths.
func spellings(pattern []string) [][]string {
	out := [][]string{{}}
	for _, p := range pattern {
		var next [][]string
		for _, prefix := range out {
			for _, alt := range strings.Split(p, "|") {
				next = append(next, append(slices.Clone(prefix), alt))
			}
		}
		out = next
	}
	return out
}

// build makes a document holding path, with an empty mapping at its end (the unknown-key
// check looks at the key only).
func build(path []string) any {
	var leaf any = map[string]any{}
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == "[]" {
			leaf = []any{leaf}
			continue
		}
		leaf = map[string]any{path[i]: leaf}
	}
	return leaf
}
