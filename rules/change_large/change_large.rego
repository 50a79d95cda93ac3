# METADATA
# title: Change removes many things at once
# description: |
#   Reviews the change (lint --base): more removals in one change than `max_removals`. Each
#   removed thing counts once: a profile, policy, query, script, software item, label, enroll
#   secret, a setting that is left out or a team; a deleted team also counts everything it
#   held. A large removal is where a mistake hides (a key left out at the top of a file clears
#   every setting below it; a glob that stops matching drops every file it found), and where
#   a reviewer stops reading one by one. One finding, at the first removal, with the count by
#   kind; the other change rules say what each removal does. Acknowledge an expected clean-up
#   by reading `tollgate diff --base` in full, or split the change.
# custom:
#   id: change-large
#   severity: warning
#   category: change
#   tags: [change]
#   params:
#     - name: max_removals
#       default: 20
#       minimum: 0
#       description: the number of removals one change may make before it is reported
package tollgate.rules.change_large

import data.tollgate.lib

id := "change-large"

# removed_kinds are the kinds of the plan's removals other than teams, one entry a removal;
# held are [kind, n] for each deleted team and what it held. Counting these lists by kind
# compares strings; calling a function on each change would hash the whole change.
removed_kinds := [c.kind | some c in lib.changes; c.action == "removed"; c.kind != "team"]

held := [[kind, n] |
	some c in lib.changes
	c.kind == "team"
	c.action == "removed"
	some kind, n in object.union(object.get(c, ["facts", "holds"], {}), {"team": 1})
]

# by_kind counts what the change removes, by kind: a deleted team's holdings count with it.
by_kind[kind] := n if {
	some kind in {k | some k in removed_kinds} | {k | some [k, _] in held}
	n := count([1 | some k in removed_kinds; k == kind]) + sum([m | some [k, m] in held; k == kind])
}

total := sum([n | some n in by_kind])

# first is the plan's first removal, where the finding is placed.
first := [c | some c in lib.changes; c.action == "removed"][0]

report contains lib.with_hint(lib.fail_change(first, msg), hint) if {
	limit := lib.param(id, "max_removals")
	total > limit
	msg := sprintf("this change removes %d things, more than %d: %s; review each removal before it is applied", [total, limit, lib.count_phrase(by_kind)])
	hint := "`tollgate diff --base` lists every removal; split the change, or raise max_removals if this clean-up is expected"
}
