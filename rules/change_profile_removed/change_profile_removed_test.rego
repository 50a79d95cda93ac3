package tollgate.rules.change_profile_removed_test

import data.tollgate.rules.change_profile_removed

findings(changes) := fs if {
	fs := change_profile_removed.report with input as {"change": {"changes": changes}}
}

removed := {
	"kind": "profile", "action": "removed", "team": "Workstations", "name": "Wi-Fi",
	"detail": "apple, lib/wifi.mobileconfig",
	"base": {"file": "teams/w.yml", "line": 12, "column": 9},
	"head": {"file": "teams/w.yml", "line": 10, "column": 5},
}

test_removed_at_the_list_it_left if {
	fs := findings([removed])
	count(fs) == 1
	some f in fs
	f.file == "teams/w.yml"
	f.line == 10
	contains(f.msg, `profile "Wi-Fi" (apple, lib/wifi.mobileconfig) is removed from team "Workstations" (was teams/w.yml:12)`)
}

scoped(key, old, new) := {
	"kind": "profile", "action": "changed", "team": "Workstations", "name": "Wi-Fi",
	"fields": [{"path": key, "old": "…", "new": "…", "old_value": old, "new_value": new}],
	"head": {"file": "teams/w.yml", "line": 10, "column": 5},
}

test_narrowed if {
	count(findings([scoped("labels_include_any", ["A", "B"], ["A"])])) == 1
	count(findings([scoped("labels_include_any", null, ["A"])])) == 1
	count(findings([scoped("labels_include_all", ["A"], ["A", "B"])])) == 1
	count(findings([scoped("labels_exclude_any", null, ["Loaners"])])) == 1
}

test_widened_is_fine if {
	count(findings([scoped("labels_include_any", ["A"], ["A", "B"])])) == 0
	count(findings([scoped("labels_include_any", ["A"], null)])) == 0
	count(findings([scoped("labels_include_all", ["A", "B"], ["A"])])) == 0
	count(findings([scoped("labels_exclude_any", ["Loaners"], null)])) == 0
}

test_other_changes_are_not_its_business if {
	count(findings([object.union(removed, {"kind": "script"})])) == 0
	count(findings([object.union(removed, {"action": "added"})])) == 0
}
