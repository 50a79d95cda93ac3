# METADATA
# title: Query (report) removed
# description: |
#   Reviews the change (lint --base): a query (a report, in the fleets era) that leaves a team
#   or the organisation. On the next apply Fleet deletes it with the results it stored: its
#   report is emptied, and its scheduled runs (and the logs they send to your log destination)
#   stop. Renaming a query is, for Fleet, deleting it and adding a new one with an empty
#   report. A warning rather than an error: adding the query back collects current results
#   again on the hosts' next runs, though results from hosts that are offline or gone are not
#   recovered. A removal that belongs to the change is acknowledged by reading it here.
# custom:
#   id: change-query-removed
#   severity: warning
#   category: change
#   tags: [change, queries]
package tollgate.rules.change_query_removed

import data.tollgate.lib

report contains lib.with_hint(lib.fail_change(c, msg), hint) if {
	some c in lib.changes
	c.kind == "query"
	c.action == "removed"
	noun := lib.noun("query")
	msg := sprintf("%s %q is removed from %s%s: Fleet deletes it on the next apply, with the results it stored, and its scheduled runs stop", [noun, c.name, lib.team_phrase(c), lib.was(c)])
	hint := sprintf("put it back if that is not intended; renaming a %s loses its results too (Fleet matches %s by name)", [noun, lib.plural("query", 2)])
}
