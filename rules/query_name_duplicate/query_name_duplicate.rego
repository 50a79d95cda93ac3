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
# many expressions as there are pairs of items, for every team. One report per key, each
# reading its list by name: iterating over the two keys for every team cost more.
report contains duplicate(entry.file, "queries", "query", items, j, i) if {
	some entry in lib.entries
	items := entry.doc.queries
	some [j, i] in tollgate.duplicate_names(items, "name")
}

report contains duplicate(entry.file, "reports", "report", items, j, i) if {
	some entry in lib.entries
	items := entry.doc.reports
	some [j, i] in tollgate.duplicate_names(items, "name")
}

# duplicate is the finding about items[j] of file's key, whose name repeats items[i]'s.
duplicate(file, key, what, items, j, i) := lib.with_hint(lib.fail(file, [key, j, "name"], msg), hint) if {
	name := trim_space(items[j].name)
	msg := sprintf("duplicate %s name %q, already used by %s #%d of %s's %s (included files counted); fleetctl stops with \"duplicate %s names\"", [what, name, what, i + 1, file, key, what])
	hint := sprintf("rename one of the %s, or remove the duplicate", [key])
}
