# METADATA
# title: Two queries (reports) with the same name in one file
# description: |
#   Query names (reports from Fleet 4.82) must be unique within a team's (or the global) file,
#   counting the queries of every included file: fleetctl stops with "duplicate query names:
#   [...]" ("duplicate report names" in the fleets era). Names are compared exactly, after
#   trimming spaces. The finding points at the second occurrence. Fix: rename one of them or
#   remove the duplicate.
# custom:
#   id: query-name-duplicate
#   severity: error
#   category: queries
#   tags: [queries, reports]
package tollgate.rules.query_name_duplicate

import data.tollgate.lib

kinds := {"queries": "query", "reports": "report"}

report contains lib.with_hint(lib.fail(entry.file, [key, j, "name"], msg), hint) if {
	some entry in lib.entries
	some key, what in kinds
	items := entry.doc[key]
	is_array(items)
	some j, second in items
	is_string(second.name)
	name := trim_space(second.name)
	name != ""
	i := min({k | some k, q in items; k < j; is_string(q.name); trim_space(q.name) == name})
	msg := sprintf("duplicate %s name %q, already used by %s #%d of %s's %s (included files counted); fleetctl stops with \"duplicate %s names\"", [what, name, what, i + 1, entry.file, key, what])
	hint := sprintf("rename one of the %s, or remove the duplicate", [key])
}
