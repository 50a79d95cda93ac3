# METADATA
# title: Two team files with the same name
# description: |
#   fleetctl finds a team by its name, so two files naming the same team apply one after the
#   other to that team: the second silently replaces the first's policies, profiles and
#   software, and `--delete-other-teams` keeps only one of them in mind. Names are compared as
#   Fleet compares them: trimmed and NFC-normalised (so "é" typed two ways is one name), then
#   as its database does, because Fleet looks teams up with `WHERE name = ?` on a column of
#   collation utf8mb4_unicode_ci (UCA 4.0.0, primary level): without regard to case or to the
#   accents of Latin and Greek letters ("Café" is "Cafe"), with zero-width and other invisible
#   characters left out ("Work\u200Bstations" is "Workstations"), non-breaking and typographic
#   spaces as spaces, "ß" as "ss", fullwidth letters as ASCII, and every emoji or other
#   character beyond U+FFFF as the same character ("🍣 Sushi" is "🍺 Sushi"). Letters MySQL
#   keeps apart stay apart ("Søren" and "Soren" are two teams). The template's gitops.sh checks
#   unique `^name:` lines, which misses all of these. Fix: rename one of the teams, or merge
#   the two files.
# custom:
#   id: team-name-duplicate
#   severity: error
#   category: teams
#   tags: [teams]
package tollgate.rules.team_name_duplicate

import data.tollgate.lib

# Only report files of this shard (input.repo.teams holds every team of the repository).
local_files := {t.file | some t in input.teams}

# input.repo.team_name_clashes groups every team of the repository by the name Fleet compares
# (internal/model collationKey), only groups of two or more, in file order.
report contains lib.with_hint(lib.fail(second.file, ["name"], msg), hint) if {
	some clash in input.repo.team_name_clashes
	first := clash.teams[0]
	some j, second in clash.teams
	j > 0
	local_files[second.file]
	msg := sprintf("team name %q is already used by %s%s; both files would configure the same team", [second.name, first.file, how(first, second)])
	hint := "give each team file its own name, or merge the two files"
}

how(first, second) := "" if first.name == second.name

else := " (the names differ only in case, accents, spaces, invisible characters or Unicode form, which Fleet's database does not tell apart)"
