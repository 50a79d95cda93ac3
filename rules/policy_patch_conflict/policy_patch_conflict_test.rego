package tollgate.rules.policy_patch_conflict_test

import data.tollgate.rules.policy_patch_conflict as rule

team(doc) := {"global": null, "teams": [{"file": "fleets/t.yml", "kind": "team", "doc": doc}]}

findings(doc) := fs if {
	fs := rule.report with input as team(doc)
}

test_one_patch_policy_per_app_is_fine if {
	count(findings({"policies": [
		{"name": "a", "type": "patch", "fleet_maintained_app_slug": "slack/darwin"},
		{"name": "b", "type": "patch", "fleet_maintained_app_slug": "zoom/darwin"},
		{"name": "c", "query": "SELECT 1"},
	]})) == 0
}

test_two_patch_policies_for_one_app if {
	fs := findings({"policies": [
		{"name": "a", "type": "patch", "fleet_maintained_app_slug": "slack/darwin"},
		{"name": "b", "type": "patch", "fleet_maintained_app_slug": "slack/darwin"},
		{"name": "c", "type": "patch", "fleet_maintained_app_slug": "slack/darwin"},
	]})
	{f.path | some f in fs} == {["policies", 1, "fleet_maintained_app_slug"], ["policies", 2, "fleet_maintained_app_slug"]}
}

test_patch_when_closed_with_a_pre_install_query if {
	doc := {
		"policies": [{"name": "a", "type": "patch", "fleet_maintained_app_slug": "slack/darwin", "patch_when_closed": true}],
		"software": {"fleet_maintained_apps": [{"slug": "slack/darwin", "pre_install_query": {"path": "q.yml"}}]},
	}
	{f.path | some f in findings(doc)} == {["policies", 0, "patch_when_closed"]}
	quiet := object.union(doc, {"software": {"fleet_maintained_apps": [{"slug": "slack/darwin"}]}})
	count(findings(quiet)) == 0
}
