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

# tollgate.duplicate_names finds each item whose trimmed name repeats an earlier one's, with
# the first of them, in one pass in Go: comparing every item with the items before it cost as
# many expressions as there are pairs of items, for every team. The kinds of items are a
# literal: iterating over a rule's value costs more, once per team.
report contains lib.with_hint(lib.fail(entry.file, [key, j, "name"], msg), hint) if {
	some entry in lib.entries
	some key, what in {"queries": "query", "reports": "report"}
	items := entry.doc[key]
	some [j, i] in tollgate.duplicate_names(items, "name")
	name := trim_space(items[j].name)
	msg := sprintf("duplicate %s name %q, already used by %s #%d of %s's %s (included files counted); fleetctl stops with \"duplicate %s names\"", [what, name, what, i + 1, entry.file, key, what])
	hint := sprintf("rename one of the %s, or remove the duplicate", [key])
}
