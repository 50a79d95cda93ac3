package tollgate.rules.policy_label_overlap_test

import data.tollgate.rules.policy_label_overlap as rule

findings(pol) := fs if {
	fs := rule.report with input as {"global": null, "teams": [{"file": "fleets/t.yml", "doc": {"policies": [pol]}}]}
}

test_disjoint_labels_are_fine if {
	count(findings({"name": "p", "labels_include_any": ["a", "b"], "labels_exclude_all": ["c"]})) == 0
	count(findings({"name": "p", "labels_exclude_any": ["a"]})) == 0
}

test_label_on_both_sides if {
	fs := findings({"name": "p", "labels_include_all": ["a", "b"], "labels_exclude_any": ["c", "b"]})
	{f.path | some f in fs} == {["policies", 0, "labels_exclude_any", 1]}
}
