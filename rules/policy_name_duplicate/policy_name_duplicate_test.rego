package tollgate.rules.policy_name_duplicate_test

import data.tollgate.rules.policy_name_duplicate

findings(policies) := fs if {
	fs := policy_name_duplicate.report with input as {"global": null, "teams": [{"file": "teams/t.yml", "doc": {"policies": policies}}]}
}

test_second_occurrence if {
	fs := findings([{"name": "FileVault on"}, {"name": "Firewall on"}, {"name": "FileVault on "}])
	count(fs) == 1
	some f in fs
	f.path == ["policies", 2, "name"]
	contains(f.msg, "policy #1")
}

test_three_copies_give_two_findings if {
	count(findings([{"name": "A"}, {"name": "A"}, {"name": "A"}])) == 2
}

test_case_differs_is_fine if {
	# Fleet keys policies by a binary checksum of team and name: case matters.
	count(findings([{"name": "A"}, {"name": "a"}, {"query": "SELECT 1"}, {"name": 7}, {"name": 7}])) == 0
}
