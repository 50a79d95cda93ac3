# METADATA
# title: Two policies with the same name in one file
# description: |
#   Policy names must be unique within a team's (or the global) file, counting the policies of
#   every included file: fleetctl stops with "duplicate policy names: [...]" before applying
#   anything. It usually happens when two included policy files both carry the same check, or a
#   policy is copied and not renamed. Names are compared exactly, after trimming spaces (Fleet
#   also NFC-normalises them). The finding points at the second occurrence. Fix: rename one of
#   the policies or remove the duplicate.
# custom:
#   id: policy-name-duplicate
#   severity: error
#   category: policies
#   tags: [policies]
package tollgate.rules.policy_name_duplicate

import data.tollgate.lib

# tollgate.duplicate_names finds each policy whose trimmed name repeats an earlier one's, with
# the first of them, in one pass in Go: comparing every policy with the policies before it
# cost as many expressions as there are pairs of policies, for every team.
report contains lib.with_hint(lib.fail(entry.file, ["policies", j, "name"], msg), hint) if {
	some entry in lib.entries
	policies := entry.doc.policies
	some [j, i] in tollgate.duplicate_names(policies, "name")
	name := trim_space(policies[j].name)
	msg := sprintf("duplicate policy name %q, already used by policy #%d of %s (included files counted); fleetctl stops with \"duplicate policy names\"", [name, i + 1, entry.file])
	hint := "rename one of the policies, or remove the duplicate"
}
