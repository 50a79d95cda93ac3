package lint

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// at is a finding of rule at line:col of file, with message msg.
func at(file string, line, col int, rule, msg string) finding.Finding {
	return finding.Finding{RuleID: rule, Severity: finding.Warning, Message: msg,
		Location: finding.Location{File: file, Start: finding.Position{Line: line, Column: col}}}
}

func files(m map[string]string) func(string) []byte {
	return func(f string) []byte {
		if s, ok := m[f]; ok {
			return []byte(s)
		}
		return nil
	}
}

const teamBase = `name: T
policies:
  - name: Screen lock
    query: SELECT 1;
    bogus: 1
  - name: Firewall
    query: SELECT 2;
    bogus: 1
controls:
  macos_updates:
    minimum_version: "26.12"
`

// The same lines with a policy inserted first and a comment above controls: every line of
// the old content moved.
const teamHead = `name: T
policies:
  - name: Disk encryption
    query: SELECT 3;
  - name: Screen lock
    query: SELECT 1;
    bogus: 1
  - name: Firewall
    query: SELECT 2;
    bogus: 1
# moved down
controls:
  macos_updates:
    minimum_version: "26.12"
`

func TestEntityFollowsTheItemNotTheLine(t *testing.T) {
	unknown := func(line int) finding.Finding {
		return at("teams/t.yml", line, 5, "schema-unknown-key", `unknown key "bogus" in policies[0]`)
	}
	base := []finding.Finding{unknown(5), unknown(8), at("teams/t.yml", 11, 22, "os-version-unreleased", `macOS "26.12" is not released (catalog of 2026-08-22)`)}
	head := []finding.Finding{unknown(7), unknown(10), at("teams/t.yml", 14, 22, "os-version-unreleased", `macOS "26.12" is not released (catalog of 2026-11-25)`)}
	bp := fingerprints(base, files(map[string]string{"teams/t.yml": teamBase}))
	hp := fingerprints(head, files(map[string]string{"teams/t.yml": teamHead}))
	for i := range bp {
		if bp[i] != hp[i] {
			t.Errorf("finding %d: base %s, head %s: moving lines changed its identity", i, bp[i], hp[i])
		}
	}
	if bp[0] == bp[1] {
		t.Errorf("the two policies' findings share a fingerprint: the item's name is not in it")
	}
	ents := entitiesOf(head, files(map[string]string{"teams/t.yml": teamHead}))
	want := []string{`policies[name="Screen lock"].bogus`, `policies[name="Firewall"].bogus`, `controls.macos_updates.minimum_version`}
	for i := range want {
		if ents[i] != want[i] {
			t.Errorf("entity %d = %q, want %q", i, ents[i], want[i])
		}
	}
}

func TestFingerprintTellsApart(t *testing.T) {
	content := files(map[string]string{"a.yml": teamBase, "b.yml": teamBase})
	f := at("a.yml", 5, 5, "schema-unknown-key", `unknown key "bogus"`)
	same := fingerprints([]finding.Finding{f}, content)[0]
	for name, g := range map[string]finding.Finding{
		"another rule":    at("a.yml", 5, 5, "schema-type", `unknown key "bogus"`),
		"another file":    at("b.yml", 5, 5, "schema-unknown-key", `unknown key "bogus"`),
		"another entity":  at("a.yml", 8, 5, "schema-unknown-key", `unknown key "bogus"`),
		"another message": at("a.yml", 5, 5, "schema-unknown-key", `unknown key "bogus2"`),
	} {
		if fingerprints([]finding.Finding{g}, content)[0] == same {
			t.Errorf("%s: same fingerprint", name)
		}
	}
	// Numbers are not part of it (dates, day counts, line numbers, versions move).
	g := at("a.yml", 5, 5, "schema-unknown-key", `unknown key "bogus"`)
	g.Location.End = finding.Position{Line: 9, Column: 9}
	g.Severity = finding.Error
	g.Hint = "another hint"
	if fingerprints([]finding.Finding{g}, content)[0] != same {
		t.Errorf("severity, hint or end position changed the fingerprint")
	}
	d1 := at("a.yml", 11, 22, "os-update-deadline", "deadline 2025-02-23 has passed (today is 2026-11-25)")
	d2 := at("a.yml", 11, 22, "os-update-deadline", "deadline 2025-02-23 has passed (today is 2026-12-07)")
	if p := fingerprints([]finding.Finding{d1, d2}, content); p[0] != p[1] {
		t.Errorf("the date of the run changed the fingerprint")
	}
	if len(same) != 32 || strings.Trim(same, "0123456789abcdef") != "" {
		t.Errorf("fingerprint %q is not 32 hex digits", same)
	}
}

func TestEntityOfOtherFiles(t *testing.T) {
	content := files(map[string]string{
		"p.json":     "{\n  \"Type\": \"com.apple.configuration.passcode.settings\",\n  \"Payload\": {\n    \"MinimumLength\": 6\n  }\n}\n",
		"broken.yml": "a: [\n",
	})
	ents := entitiesOf([]finding.Finding{at("p.json", 4, 5, "passcode-min-length", "m")}, content)
	if ents[0] != "Payload.MinimumLength" {
		t.Errorf("JSON profile: entity %q", ents[0])
	}
	f := at("broken.yml", 1, 4, "yaml-syntax", "m")
	f.Location.Path = "policies[3].name"
	if ents := entitiesOf([]finding.Finding{f}, content); ents[0] != "policies[].name" {
		t.Errorf("a file that does not parse: entity %q, want the data path without indices", ents[0])
	}
	if ents := entitiesOf([]finding.Finding{at("s.sh", 3, 1, "script-x", "m")}, content); ents[0] != "" {
		t.Errorf("a script: entity %q", ents[0])
	}
}

// A list item without an identity key is told apart by the message only: an enroll secret
// never names its item (no secret value goes into a fingerprint, even hashed).
func TestItemIdentity(t *testing.T) {
	doc := `software:
  packages:
    - url: https://example.com/a.pkg
  fleet_maintained_apps:
    - slug: zoom/darwin
team_settings:
  secrets:
    - secret: hunter2hunter2
labels_include_any:
  - Engineering
`
	content := files(map[string]string{"t.yml": doc})
	fs := []finding.Finding{at("t.yml", 3, 7, "r", "m"), at("t.yml", 5, 7, "r", "m"), at("t.yml", 8, 7, "r", "m"), at("t.yml", 10, 5, "r", "m")}
	want := []string{`software.packages[url="https://example.com/a.pkg"]`, `software.fleet_maintained_apps[slug="zoom/darwin"]`,
		`team_settings.secrets[]`, `labels_include_any[]`}
	got := entitiesOf(fs, content)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entity %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestDropKnown(t *testing.T) {
	cat := catalog.New()
	if err := cat.Add(catalog.Rule{ID: "change-x", Title: "x", Description: "x", Severity: finding.Warning, Category: changeCategory, Source: "bundled"}); err != nil {
		t.Fatal(err)
	}
	content := files(map[string]string{"t.yml": teamBase})
	dup := at("t.yml", 5, 5, "schema-unknown-key", "m")
	fs := []finding.Finding{dup, dup, dup,
		at("t.yml", 1, 1, catalog.YAMLSyntax, "m"), at("t.yml", 1, 1, catalog.PolicyError, "m"), at("t.yml", 1, 1, "change-x", "m"),
		at("t.yml", 1, 1, catalog.PolicyCapabilities, "m")}
	known := map[string]int{}
	for _, p := range fingerprints(fs, content) {
		known[p]++ // everything is known, but only the one may be left out
	}
	known[fingerprints([]finding.Finding{dup}, content)[0]] = 2 // the base had two copies
	kept, n := dropKnown(fs, content, cat, known)
	b := baselineOf(fs, content, cat)
	if len(b.Findings) != 1 || b.Findings[0].Count != 3 || b.Findings[0].Rule != "schema-unknown-key" {
		t.Fatalf("baseline %+v: only the copies of the one finding a baseline may hold, counted", b.Findings)
	}
	if n != 2 {
		t.Errorf("dropped %d, want 2 (two known copies of three)", n)
	}
	if len(kept) != len(fs)-2 {
		t.Errorf("kept %d of %d", len(kept), len(fs))
	}
	for _, f := range kept[1:] {
		if f.RuleID == "schema-unknown-key" {
			t.Errorf("a second copy was kept")
		}
	}
}
