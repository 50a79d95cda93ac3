# METADATA
# title: Label both included and excluded by a policy
# description: |
#   Since Fleet 4.89 a policy may target hosts with one include mode (`labels_include_any` or
#   `labels_include_all`) and one exclude mode (`labels_exclude_any` or `labels_exclude_all`).
#   A label named on both sides makes the targeting contradict itself, and Fleet refuses it
#   (server/fleet/policies.go, `verifyPolicyLabelScopes`, with server/fleet/labels.go
#   `LabelOverlap`: "label %q cannot appear in both an include and an exclude list"). Fix:
#   remove the label from one side.
# custom:
#   id: policy-label-overlap
#   severity: error
#   category: labels
#   tags: [policies, labels]
package tollgate.rules.policy_label_overlap

import data.tollgate.lib

# Most policies exclude no label: the policies with an exclusion list are found with one
# tollgate.find_keys call per entry (a path of two: the policy's index, the key), where building
# every policy's include set cost several expressions per policy and team.
report contains lib.with_hint(lib.fail(entry.file, ["policies", i, key, j], msg), hint) if {
	some entry in lib.entries
	some [[i, key], excluded] in tollgate.find_keys(entry.doc.policies, {"labels_exclude_any", "labels_exclude_all"})
	pol := entry.doc.policies[i]
	included := {l | some k in ["labels_include_any", "labels_include_all"]; some l in object.get(pol, k, [])}
	count(included) > 0
	some j, label in excluded
	included[label]
	msg := sprintf("label %q is both included and excluded by policy %q; Fleet refuses it: label %q cannot appear in both an include and an exclude list", [label, object.get(pol, "name", ""), label])
	hint := sprintf("remove %q from %s or from the include list", [label, key])
}
