# METADATA
# title: Two team files with the same name
# description: |
#   fleetctl finds a team by its name, so two files naming the same team apply one after the
#   other to that team: the second silently replaces the first's policies, profiles and
#   software, and `--delete-other-teams` keeps only one of them in mind. Names are compared as
#   Fleet compares them: trimmed and NFC-normalised (so "é" typed two ways is one name), and
#   without regard to case, because Fleet looks teams up with `WHERE name = ?` on a
#   case-insensitive collation (utf8mb4_unicode_ci). The template's gitops.sh checks unique
#   `^name:` lines, which misses both. Fix: rename one of the teams, or merge the two files.
# custom:
#   id: team-name-duplicate
#   severity: error
#   category: teams
#   tags: [teams]
package tollgate.rules.team_name_duplicate

import data.tollgate.lib

# Only report files of this shard (input.repo.teams holds every team of the repository).
local_files := {t.file | some t in input.teams}

# Teams grouped by the name Fleet compares (case-insensitively): one pass over all teams,
# computed once per evaluation, so the rule stays linear in the number of teams.
by_key[k] contains [i, t] if {
	some i, t in input.repo.teams
	t.name_key != ""
	k := lower(t.name_key)
}

report contains lib.with_hint(lib.fail(second.file, ["name"], msg), hint) if {
	some k, group in by_key
	count(group) > 1
	first_index := min({i | some [i, _] in group})
	some [fi, first] in group
	fi == first_index
	some [j, second] in group
	j != first_index
	local_files[second.file]
	msg := sprintf("team name %q is already used by %s%s; both files would configure the same team", [second.name, first.file, how(first, second)])
	hint := "give each team file its own name, or merge the two files"
}

how(first, second) := "" if first.name == second.name

else := " (the names differ only in case, surrounding spaces or Unicode form, which Fleet does not distinguish)"
