# METADATA
# title: Team deleted
# description: |
#   Reviews the change (lint --base): a team (fleet) that the head no longer configures: its
#   file deleted, or its name changed together with its file name (Fleet tracks a team by its
#   file: a name changed in the same file is a rename and not reported). When the apply prunes
#   (`fleetctl gitops --delete-other-teams` or `--delete-other-fleets`, what the fleet-gitops
#   template runs, and `apply: {delete_other: true}` in .tollgate.yaml), Fleet deletes the team
#   on the next apply, and "this action cannot be undone": its hosts move to no team and lose
#   its profiles, policies, scripts and software, its enroll secrets stop working, and its
#   policy results and query reports are gone. An error by default: nothing brings the team
#   back as it was. If the team must stay, restore its file. If it must go, move its hosts
#   first, then acknowledge the finding in the change: `# tollgate:ignore change-team-deleted
#   <reason>` at the end of the line it points at (the global file's first line); remove it
#   after the merge, when `tollgate lint` reports it as matching nothing. A repository whose
#   apply never prunes (Fleet then leaves the team alone) can lower the severity in
#   .tollgate.yaml.
#
#   The file of hosts with no team (`no-team.yml`, `unassigned.yml`) can't be deleted as a
#   team; when it goes, Fleet clears what it configured for those hosts on the next apply of
#   the global file (fleetdm/fleet#28082): a warning.
# custom:
#   id: change-team-deleted
#   severity: error
#   category: change
#   tags: [change, teams]
package tollgate.rules.change_team_deleted

import data.tollgate.lib

report contains lib.with_hint(lib.fail_change(c, msg), hint) if {
	some c in lib.changes
	c.kind == "team"
	c.action == "removed"
	c.team != "No team"
	msg := sprintf("team %q is deleted%s%s: an apply that prunes other teams deletes it in Fleet, which cannot be undone; its hosts move to no team and lose what it configures", [c.name, holding(c), lib.was(c)])
	hint := "to keep the team, restore its file; to delete it, move its hosts first and acknowledge this finding"
}

report contains lib.with_severity(lib.with_hint(lib.fail_change(c, msg), hint), "warning") if {
	some c in lib.changes
	c.kind == "team"
	c.action == "removed"
	c.team == "No team"
	msg := sprintf("the file of hosts with no team is removed%s%s: Fleet clears what it configured for those hosts on the next apply", [holding(c), lib.was(c)])
	hint := "if those hosts should keep their policies and software, restore the file"
}

# holding says what the team configures, from the plan's count: " with 3 policies, 1 enroll secret".
holding(c) := sprintf(" with %s", [phrase]) if {
	phrase := lib.count_phrase(c.facts.holds)
	phrase != ""
} else := ""
