# METADATA
# title: Enroll secret removed or replaced
# description: |
#   Reviews the change (lint --base): an enroll secret that a team (or the organisation)
#   still configured in the base and no longer does: deleted, replaced by another one, or moved
#   to another team. On the next apply Fleet drops it: hosts, installers (fleetd packages) and
#   enrollment profiles that carry it can no longer enroll, or, for a secret moved, enroll into
#   the other team. Hosts already enrolled stay. Secrets are named by their environment
#   variable (a literal secret by a fingerprint): the rule never sees a secret's value, so a
#   variable renamed with the same value is reported too; say so when acknowledging. A
#   rotation that belongs to the change is acknowledged by reading it here: rebuild the
#   installers that carry the old secret. A deleted team's secrets are reported with the team
#   (change-team-deleted).
# custom:
#   id: change-secret-removed
#   severity: warning
#   category: change
#   tags: [change, secrets, enrollment]
package tollgate.rules.change_secret_removed

import data.tollgate.lib

report contains lib.with_hint(lib.fail_change(c, message(c)), hint) if {
	some c in lib.changes
	c.kind == "secret"
	c.action == "removed"
	hint := "if the secret is rotated on purpose, rebuild the installers and enrollment profiles that carry it; otherwise put it back"
}

# message says what becomes of the hosts that use the secret: it moved to other teams (they
# enroll there), it was replaced (they can't enroll), or it is gone (they can't enroll).
message(c) := sprintf("enroll secret %s moves from %s to %s%s: hosts and installers that use it now enroll into %s", [c.name, lib.team_phrase(c), to, lib.was(c), to]) if {
	gained := gained_by_name # the whole object, built once: a lookup of one key evaluates its body again
	to := concat(" and ", sort([destination(team) | some team in object.get(gained, c.name, set()); team != c.team]))
	to != ""
} else := sprintf("enroll secret %s of %s is replaced by %s%s: hosts and installers that use the old one can no longer enroll", [c.name, lib.team_phrase(c), by, lib.was(c)]) if {
	gained := gained_by_team
	by := concat(", ", sort(object.get(gained, c.team, set())))
	by != ""
} else := sprintf("enroll secret %s is removed from %s%s: hosts and installers that use it can no longer enroll", [c.name, lib.team_phrase(c), lib.was(c)])

# gained_by_name lists the teams that gain each secret, gained_by_team the secrets each team gains.
gained_by_name[a.name] contains a.team if some a in added

gained_by_team[a.team] contains a.name if some a in added

added contains a if {
	some a in lib.changes
	a.kind == "secret"
	a.action == "added"
}

# destination is where hosts enrolling with a secret of this scope go.
destination(team) := "no team" if team in {"", "No team"}

else := sprintf("team %q", [team])
