package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
)

const teamA = `
name: Workstations
team_settings:
  secrets:
    - secret: $ENROLL
agent_options:
policies:
queries:
software:
`

const fleetB = `
name: Workstations
settings:
  secrets:
    - secret: $ENROLL
`

type want struct {
	path     string // dotted
	rule     string
	severity finding.Severity
	contains string // substring of message or hint
}

func TestValidateMistakes(t *testing.T) {
	cases := []struct {
		name string
		kind Kind
		era  Era
		yaml string
		want []want
	}{
		{"clean team", fleet.KindTeam, fleet.EraTeams, teamA, nil},
		{"clean fleet", fleet.KindTeam, fleet.EraFleets, fleetB, nil},
		{"typo at the top", fleet.KindTeam, fleet.EraTeams, teamA + "polices:\n", []want{
			{"polices", catalog.SchemaUnknownKey, finding.Error, `did you mean "policies"?`}}},
		{"typo two levels down", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  macos_update:\n    deadline: '2025-01-01'\n", []want{
			{"controls.macos_update", catalog.SchemaUnknownKey, finding.Error, `did you mean "macos_updates"?`}}},
		{"typo in a list item", fleet.KindTeam, fleet.EraFleets, fleetB + "policies:\n  - name: a\n    query: SELECT 1\n    platfrom: darwin\n", []want{
			{"policies[0].platfrom", catalog.SchemaUnknownKey, finding.Error, `did you mean "platform"?`}}},
		{"typo in a list item, teams era: fleetctl ignores it", fleet.KindTeam, fleet.EraTeams, strings.Replace(teamA, "policies:\n", "policies:\n  - name: a\n    query: SELECT 1\n    tags: x\n", 1), []want{
			{"policies[0].tags", catalog.SchemaUnknownKey, finding.Warning, "silently ignores"}}},
		{"typo deep in settings", fleet.KindTeam, fleet.EraFleets, fleetB + "  features:\n    enable_host_user: true\n", []want{
			{"settings.features.enable_host_user", catalog.SchemaUnknownKey, finding.Error, `did you mean "enable_host_users"?`}}},
		{"wrong type", fleet.KindTeam, fleet.EraFleets, fleetB + "  features:\n    enable_host_users: yes please\n", []want{
			{"settings.features.enable_host_users", catalog.SchemaType, finding.Error, `expected true or false, got a string ("yes please")`}}},
		{"YAML 1.1 yes is a boolean to fleetctl", fleet.KindTeam, fleet.EraFleets, fleetB + "  features:\n    enable_host_users: yes\n    enable_software_inventory: Off\n", nil},
		{"YAML 1.1 no where a string belongs", fleet.KindTeam, fleet.EraFleets, fleetB + "policies:\n  - name: no\n    query: SELECT 1\n", []want{
			{"policies[0].name", catalog.SchemaType, finding.Error, "reads unquoted true, false, yes, no, on, off, y and n as booleans"}}},
		{"mapping with conditional keys given a list", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  ipados_updates: [a, b]\n  windows_updates: 3\n", []want{
			{"controls.ipados_updates", catalog.SchemaType, finding.Error, "expected a mapping, got a list"},
			{"controls.windows_updates", catalog.SchemaType, finding.Error, "expected a mapping, got a number"}}},
		{"mapping given a list, teams era", fleet.KindTeam, fleet.EraTeams, teamA + "controls:\n  macos_updates: [a]\n", []want{
			{"controls.macos_updates", catalog.SchemaType, finding.Error, "expected a mapping, got a list"}}},
		{"misspelt org_settings reads as a team file", fleet.KindTeam, fleet.EraTeams, "org_setings:\n  secrets: []\npolicies:\n", []want{
			{"agent_options", catalog.SchemaRequired, finding.Error, "agent_options"},
			{"name", catalog.SchemaRequired, finding.Error, "name"},
			{"org_setings", catalog.SchemaUnknownKey, finding.Error, `did you mean "org_settings"?`},
			{"queries", catalog.SchemaRequired, finding.Error, "queries"},
			{"software", catalog.SchemaRequired, finding.Error, "software"},
			{"team_settings", catalog.SchemaRequired, finding.Error, "team_settings"}}},
		{"list given a string", fleet.KindTeam, fleet.EraFleets, fleetB + "policies: none\n", []want{
			{"policies", catalog.SchemaType, finding.Error, "expected a list, got a string"}}},
		{"unquoted minimum_version", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  macos_updates:\n    minimum_version: 15.10\n    deadline: '2025-06-30'\n", []want{
			{"controls.macos_updates.minimum_version", catalog.SchemaType, finding.Error, "expected a string, got a number (15.1)"}}},
		{"bad minimum_version", fleet.KindTeam, fleet.EraTeams, teamA + "controls:\n  macos_updates:\n    minimum_version: Sequoia 15\n    deadline: '2025-06-30'\n", []want{
			{"controls.macos_updates.minimum_version", catalog.SchemaValue, finding.Error, `"Sequoia 15" must be a version number`}}},
		// Fleet 4.91 reads "latest" whatever the files' spelling; cue/versions gates it by version.
		{"latest with deadline_days, teams spelling", fleet.KindTeam, fleet.EraTeams, teamA + "controls:\n  macos_updates:\n    minimum_version: latest\n    deadline_days: 7\n", nil},
		{"latest with deadline_days, fleets era", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  macos_updates:\n    minimum_version: latest\n    deadline_days: 7\n", nil},
		{"deadline_days is a whole number", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  macos_updates:\n    minimum_version: latest\n    deadline_days: a week\n", []want{
			{"controls.macos_updates.deadline_days", catalog.SchemaType, finding.Error, "expected a whole number"}}},
		{"impossible deadline", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  macos_updates:\n    minimum_version: '15.1'\n    deadline: '2025-02-30'\n", []want{
			{"controls.macos_updates.deadline", catalog.SchemaValue, finding.Error, `"2025-02-30" is not a real date`}}},
		{"deadline without version", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  ios_updates:\n    deadline: '2025-02-28'\n", []want{
			{"controls.ios_updates.minimum_version", catalog.SchemaRequired, finding.Error, `missing required key "minimum_version"`}}},
		{"windows_updates range", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  windows_updates:\n    deadline_days: 31\n    grace_period_days: 8\n", []want{
			{"controls.windows_updates.deadline_days", catalog.SchemaValue, finding.Error, "0 to 30"},
			{"controls.windows_updates.grace_period_days", catalog.SchemaValue, finding.Error, "0 to 7"}}},
		{"windows_updates pair", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  windows_updates:\n    deadline_days: 3\n", []want{
			{"controls.windows_updates.grace_period_days", catalog.SchemaRequired, finding.Error, "grace_period_days"}}},
		{"missing required keys, teams era", fleet.KindTeam, fleet.EraTeams, "name: x\npolicies:\n", []want{
			{"agent_options", catalog.SchemaRequired, finding.Error, `missing required key "agent_options"`},
			{"queries", catalog.SchemaRequired, finding.Error, `"queries"`},
			{"software", catalog.SchemaRequired, finding.Error, `"software"`},
			{"team_settings", catalog.SchemaRequired, finding.Error, `"team_settings"`}}},
		{"secrets required in team_settings", fleet.KindTeam, fleet.EraTeams, strings.Replace(teamA, "  secrets:\n    - secret: $ENROLL\n", "  features:\n    enable_host_users: true\n", 1), []want{
			{"team_settings.secrets", catalog.SchemaRequired, finding.Error, `missing required key "secrets" in team_settings`}}},
		{"all problems in one run", fleet.KindTeam, fleet.EraTeams, "name: x\nteam_settings:\n  secrets: []\n  featurs: {}\nagent_options:\npolicies:\n  - name: 3\nqueries:\n  - name: q\n    query: SELECT 1\n    logging: snapshots\n", []want{
			{"policies[0].name", catalog.SchemaType, finding.Error, "expected a string, got a number (3)"},
			{"policies[0].query", catalog.SchemaRequired, finding.Error, `missing required key "query" in policies[0]`},
			{"queries[0].logging", catalog.SchemaValue, finding.Error, `did you mean "snapshot"?`},
			{"software", catalog.SchemaRequired, finding.Error, `"software"`},
			{"team_settings.featurs", catalog.SchemaUnknownKey, finding.Error, `did you mean "features"?`}}},
		{"path and paths together", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  apple_settings:\n    configuration_profiles:\n      - path: a.mobileconfig\n        paths: '*.mobileconfig'\n", []want{
			{"controls.apple_settings.configuration_profiles[0].paths", catalog.SchemaValue, finding.Error, "cannot have both path and paths"}}},
		{"paths needs the fleets era", fleet.KindTeam, fleet.EraTeams, teamA + "controls:\n  macos_settings:\n    custom_settings:\n      - paths: '*.mobileconfig'\n", []want{
			{"controls.macos_settings.custom_settings[0].path", catalog.SchemaRequired, finding.Error, `"path"`},
			{"controls.macos_settings.custom_settings[0].paths", catalog.SchemaUnknownKey, finding.Error, `did you mean "path"?`}}},
		{"two label keys on a profile", fleet.KindTeam, fleet.EraFleets, fleetB + "controls:\n  apple_settings:\n    configuration_profiles:\n      - path: a.mobileconfig\n        labels_include_any: [a]\n        labels_exclude_any: [b]\n", []want{
			{"controls.apple_settings.configuration_profiles[0].labels_exclude_any", catalog.SchemaValue, finding.Error, "only one of labels_include_any"}}},
		{"old and new names together", fleet.KindTeam, fleet.EraFleets, fleetB + "team_settings:\n  secrets: []\ncontrols:\n  macos_settings: {}\n", []want{
			{"controls.macos_settings", catalog.DeprecatedKey, finding.Warning, `use "apple_settings"`},
			{"team_settings", catalog.DeprecatedConflict, finding.Error, `"team_settings" and its new name "settings"`}}},
		{"new names in the teams era", fleet.KindTeam, fleet.EraTeams, teamA + "controls:\n  apple_settings: {}\n", []want{
			{"controls.apple_settings", catalog.SchemaUnknownKey, finding.Error, `Fleet 4.82+ name of "macos_settings"`}}},
		{"include left in place", fleet.KindTeam, fleet.EraFleets, fleetB + "policies:\n  - path: missing.yml\n  - paths: 'lib/*.yml'\nagent_options:\n  path: missing.yml\ncontrols:\n  path: missing.yml\n", nil},
		{"failed settings include, teams era", fleet.KindGlobal, fleet.EraTeams, "org_settings:\n  path: missing.yml\nagent_options:\n  path: missing.yml\npolicies:\nqueries:\n", nil},
		{"bad hash, numeric app id", fleet.KindTeam, fleet.EraFleets, fleetB + "software:\n  packages:\n    - url: https://example.com/a.pkg\n      hash_sha256: ABC\n  app_store_apps:\n    - app_store_id: 803453959\n", []want{
			{"software.app_store_apps[0].app_store_id", catalog.SchemaType, finding.Error, "expected a string, got a number"},
			{"software.packages[0].hash_sha256", catalog.SchemaValue, finding.Error, "lower-case hex SHA-256"}}},
		{"query logging enum", fleet.KindGlobal, fleet.EraFleets, "org_settings: {}\nreports:\n  - name: a\n    query: SELECT 1\n    logging: diff\n", []want{
			{"reports[0].logging", catalog.SchemaValue, finding.Error, `is not one of "differential", "differential_ignore_removals", "snapshot"`}}},
		{"label membership enum", fleet.KindGlobal, fleet.EraFleets, "org_settings: {}\nlabels:\n  - name: a\n    hosts: [x]\n    label_membership_type: manul\n", []want{
			{"labels[0].label_membership_type", catalog.SchemaValue, finding.Error, `did you mean "manual"?`}}},
		{"policy platform", fleet.KindGlobal, fleet.EraFleets, "org_settings: {}\npolicies:\n  - name: a\n    query: SELECT 1\n    platform: macos\n", []want{
			{"policies[0].platform", catalog.SchemaValue, finding.Error, "comma-separated list of darwin"}}},
		// The schema cannot see quotes: it flags the reference (EnvRef), and the lint stage keeps
		// the issue only for a quoted one (an unquoted reference may expand into a mapping).
		{"env reference where a mapping goes", fleet.KindGlobal, fleet.EraTeams, "org_settings:\n  secrets: []\n  integrations:\n    google_calendar:\n      - domain: x\n        api_key_json: $KEY\nagent_options:\npolicies:\nqueries:\n", []want{
			{"org_settings.integrations.google_calendar[0].api_key_json", catalog.SchemaType, finding.Error, "quoted environment reference"}}},
		{"env reference where a string goes", fleet.KindGlobal, fleet.EraFleets, "org_settings:\n  org_info:\n    org_name: $ORG\n", nil},
		{"null name", fleet.KindTeam, fleet.EraFleets, "name:\n", []want{
			{"name", catalog.SchemaRequired, finding.Error, `"name" has no value`}}},
		{"no-team name", fleet.KindUnassigned, fleet.EraTeams, "name: Unassigned\npolicies:\nsoftware:\n", []want{
			{"name", catalog.SchemaValue, finding.Error, `must be "No team"`}}},
		{"unassigned settings", fleet.KindUnassigned, fleet.EraFleets, "name: Unassigned\nsettings:\n  features: {}\n", []want{
			{"settings.features", catalog.SchemaUnknownKey, finding.Error, "unknown key"}}},
		{"software on the global file", fleet.KindGlobal, fleet.EraFleets, "org_settings: {}\nsoftware:\n  packages: []\n", []want{
			{"software", catalog.SchemaValue, finding.Error, "cannot be set in the global file"}}},
	}
	v := bundledValidator(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := v.Validate(tc.kind, tc.era, parseYAML(t, tc.yaml))
			if len(got) != len(tc.want) {
				t.Errorf("got %d issues, want %d:\n%s", len(got), len(tc.want), dump(got))
				return
			}
			for i, w := range tc.want {
				g := got[i]
				if dotted(g.Path) != w.path || g.RuleID != w.rule || g.Severity != w.severity ||
					!strings.Contains(g.Message+" | "+g.Hint, w.contains) {
					t.Errorf("issue %d:\n got  %s\n want %s [%s] %s ~%q", i, dump(got[i:i+1]), w.path, w.rule, w.severity, w.contains)
				}
			}
			for _, g := range got {
				checkMessage(t, g)
			}
		})
	}
}

// checkMessage enforces the message style: lower case start, no trailing period, no CUE jargon.
func checkMessage(t *testing.T, is Issue) {
	t.Helper()
	m := is.Message
	if m == "" || strings.HasSuffix(m, ".") || strings.ToLower(m[:1]) != m[:1] && m[0] != '"' {
		t.Errorf("message style: %q", m)
	}
	for _, jargon := range []string{"conflicting values", "empty disjunction", "_|_", "incomplete value", "#"} {
		if strings.Contains(m, jargon) || strings.Contains(is.Hint, jargon) {
			t.Errorf("CUE jargon %q in %q / %q", jargon, m, is.Hint)
		}
	}
	if is.RuleID == catalog.SchemaUnknownKey && !is.AtKey {
		t.Errorf("unknown key issue not at the key: %+v", is)
	}
}

func dump(is []Issue) string {
	var b strings.Builder
	for _, i := range is {
		fmt.Fprintf(&b, "  %s [%s] %s: %s | %s (atKey=%v missing=%v)\n", dotted(i.Path), i.RuleID, i.Severity, i.Message, i.Hint, i.AtKey, i.Missing)
	}
	return b.String()
}
