package tollgate.rules.change_query_removed_test

import data.tollgate.rules.change_query_removed

findings(era, changes) := fs if {
	fs := change_query_removed.report with input as {"era": era, "change": {"changes": changes}}
}

removed := {
	"kind": "query", "action": "removed", "team": "Workstations", "name": "Apple Intelligence enabled",
	"base": {"file": "lib/queries.yml", "line": 1, "column": 3},
	"head": {"file": "teams/w.yml", "line": 30, "column": 9},
}

test_removed_query if {
	fs := findings("teams", [removed])
	count(fs) == 1
	some f in fs
	f.file == "teams/w.yml"
	f.line == 30
	f.msg == `query "Apple Intelligence enabled" is removed from team "Workstations" (was lib/queries.yml:1): Fleet deletes it on the next apply, with the results it stored, and its scheduled runs stop`
	f.hint == "put it back if that is not intended; renaming a query loses its results too (Fleet matches queries by name)"
}

test_a_report_in_the_fleets_era if {
	some f in findings("fleets", [object.union(removed, {"team": ""})])
	startswith(f.msg, `report "Apple Intelligence enabled" is removed from the organisation settings`)
	contains(f.hint, "Fleet matches reports by name")
}

test_other_changes_are_not_its_business if {
	count(findings("teams", [object.union(removed, {"action": "added"})])) == 0
	count(findings("teams", [object.union(removed, {"action": "changed"})])) == 0
	count(findings("teams", [object.union(removed, {"kind": "policy"})])) == 0
}
