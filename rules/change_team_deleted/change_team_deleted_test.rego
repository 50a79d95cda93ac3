package tollgate.rules.change_team_deleted_test

import data.tollgate.rules.change_team_deleted

findings(changes) := fs if {
	fs := change_team_deleted.report with input as {"change": {"changes": changes}}
}

deleted := {
	"kind": "team", "action": "removed", "team": "Servers", "team_file": "teams/servers.yml", "name": "Servers",
	"facts": {"file": "teams/servers.yml", "holds": {"policy": 3, "secret": 1, "profile": 1}},
	"base": {"file": "teams/servers.yml", "line": 1, "column": 1},
	"head": {"file": "default.yml", "line": 1, "column": 1},
}

test_deleted_team_is_an_error_at_the_global_file if {
	fs := findings([deleted])
	count(fs) == 1
	some f in fs
	f.file == "default.yml"
	f.line == 1
	not f.severity # the rule's own: error
	f.msg == `team "Servers" is deleted with 3 policies, 1 profile, 1 enroll secret (was teams/servers.yml:1): an apply that prunes other teams deletes it in Fleet, which cannot be undone; its hosts move to no team and lose what it configures`
}

test_team_holding_only_settings if {
	some f in findings([json.patch(deleted, [{"op": "replace", "path": "/facts/holds", "value": {}}])])
	startswith(f.msg, `team "Servers" is deleted (was teams/servers.yml:1):`)
}

test_no_team_file_removed_is_a_warning if {
	fs := findings([json.patch(deleted, [{"op": "replace", "path": "/facts/holds", "value": {"software": 2}}, {"op": "replace", "path": "/team", "value": "No team"}])])
	count(fs) == 1
	some f in fs
	f.severity == "warning"
	startswith(f.msg, "the file of hosts with no team is removed with 2 software items (was teams/servers.yml:1)")
}

test_renamed_added_and_other_kinds_are_not_deletions if {
	count(findings([object.union(deleted, {"action": "renamed", "from": "Old"})])) == 0
	count(findings([object.union(deleted, {"action": "added"})])) == 0
	count(findings([object.union(deleted, {"kind": "profile"})])) == 0
	count(findings([])) == 0
}
