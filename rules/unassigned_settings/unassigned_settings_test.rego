package tollgate.rules.unassigned_settings_test

import data.tollgate.rules.unassigned_settings as rule

doc(kind) := {
	"global": null,
	"teams": [{"file": "fleets/x.yml", "kind": kind, "doc": {}}],
	"refs": [{"entry": "fleets/x.yml", "path": ["settings", "path"], "role": "include", "target": "lib/settings.yml", "exists": true}],
}

findings(kind) := fs if {
	fs := rule.report with input as doc(kind)
}

test_include_in_the_unassigned_file if {
	fs := findings("unassigned")
	{f.path | some f in fs} == {["settings"]}
}

test_include_in_a_team_file_is_fine if {
	count(findings("team")) == 0
}
