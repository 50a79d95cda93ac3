package tollgate.rules.change_secret_removed_test

import data.tollgate.rules.change_secret_removed

findings(changes) := fs if {
	fs := change_secret_removed.report with input as {"change": {"changes": changes}}
}

secret(action, team, name) := {
	"kind": "secret", "action": action, "team": team, "name": name,
	"base": {"file": "teams/w.yml", "line": 4, "column": 15},
	"head": {"file": "teams/w.yml", "line": 3, "column": 3},
}

test_removed if {
	fs := findings([secret("removed", "Workstations", "$WS_SECRET")])
	count(fs) == 1
	some f in fs
	f.file == "teams/w.yml"
	f.line == 3
	f.msg == `enroll secret $WS_SECRET is removed from team "Workstations" (was teams/w.yml:4): hosts and installers that use it can no longer enroll`
}

test_replaced_in_the_same_team if {
	fs := findings([secret("removed", "Workstations", "$WS_SECRET"), secret("added", "Workstations", "$WS_SECRET_2026")])
	count(fs) == 1
	some f in fs
	f.msg == `enroll secret $WS_SECRET of team "Workstations" is replaced by $WS_SECRET_2026 (was teams/w.yml:4): hosts and installers that use the old one can no longer enroll`
}

test_moved_to_another_team if {
	fs := findings([secret("removed", "Workstations", "$WS_SECRET"), secret("added", "Servers", "$WS_SECRET")])
	some f in fs
	f.msg == `enroll secret $WS_SECRET moves from team "Workstations" to team "Servers" (was teams/w.yml:4): hosts and installers that use it now enroll into team "Servers"`
}

test_moved_to_the_organisation if {
	some f in findings([secret("removed", "Workstations", "$WS_SECRET"), secret("added", "", "$WS_SECRET")])
	contains(f.msg, "now enroll into no team")
}

test_a_literal_secret_is_named_by_its_fingerprint_only if {
	some f in findings([secret("removed", "", "sha256:0123456789ab")])
	f.msg == `enroll secret sha256:0123456789ab is removed from the organisation settings (was teams/w.yml:4): hosts and installers that use it can no longer enroll`
}

test_added_secrets_and_other_kinds_are_fine if {
	count(findings([secret("added", "Workstations", "$WS_SECRET")])) == 0
	count(findings([object.union(secret("removed", "Workstations", "$WS_SECRET"), {"kind": "profile"})])) == 0
}
