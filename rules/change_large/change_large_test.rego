package tollgate.rules.change_large_test

import data.tollgate.rules.change_large

findings(changes, limit) := fs if {
	fs := change_large.report with input as {"change": {"changes": changes}}
		with data.tollgate.params as {"change-large": {"max_removals": limit}}
}

change(kind, action, line) := {
	"kind": kind, "action": action, "team": "Workstations", "name": sprintf("%s %d", [kind, line]),
	"base": {"file": "teams/w.yml", "line": line + 1, "column": 7},
	"head": {"file": "teams/w.yml", "line": line, "column": 3},
}

three_removed := [
	change("profile", "added", 3),
	change("profile", "removed", 5),
	change("policy", "removed", 9),
	change("setting", "changed", 11),
	change("setting", "removed", 12),
]

test_more_removals_than_allowed if {
	fs := findings(three_removed, 2)
	count(fs) == 1
	some f in fs
	f.line == 5 # the first removal, in the plan's order
	f.msg == "this change removes 3 things, more than 2: 1 policy, 1 profile, 1 setting; review each removal before it is applied"
}

test_up_to_the_limit_is_fine if {
	count(findings(three_removed, 3)) == 0
	count(findings([change("profile", "added", 3), change("setting", "changed", 4)], 0)) == 0
	count(findings([], 0)) == 0
}

test_a_deleted_team_counts_what_it_held if {
	team := object.union(change("team", "removed", 1), {"facts": {"holds": {"policy": 4, "profile": 2}}})
	fs := findings([team], 5)
	some f in fs
	f.msg == "this change removes 7 things, more than 5: 4 policies, 2 profiles, 1 team; review each removal before it is applied"
	count(findings([team], 7)) == 0
}
