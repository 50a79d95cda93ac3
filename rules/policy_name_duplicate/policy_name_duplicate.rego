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

report contains lib.with_hint(lib.fail(entry.file, ["policies", j, "name"], msg), hint) if {
	some entry in lib.entries
	policies := entry.doc.policies
	is_array(policies)
	some j, second in policies
	is_string(second.name)
	name := trim_space(second.name)
	name != ""
	i := min({k | some k, p in policies; k < j; is_string(p.name); trim_space(p.name) == name})
	msg := sprintf("duplicate policy name %q, already used by policy #%d of %s (included files counted); fleetctl stops with \"duplicate policy names\"", [name, i + 1, entry.file])
	hint := "rename one of the policies, or remove the duplicate"
}
