# METADATA
# title: Team name that Fleet refuses
# description: |
#   fleetctl trims a team (fleet) file's `name` (pkg/spec/gitops.go, `parseName`), and the
#   server refuses names it reserves and names longer than its database column
#   (ee/server/service, `verifyFleetName`): `"All teams" is a reserved name` for
#   `fleet.IsReservedTeamName`'s "All teams" and "All fleets" in any case (server/fleet/teams.go;
#   "No team" and "Unassigned" name the unassigned file instead), and `may not exceed 255
#   characters` for a name of more than 255 bytes (`fleet.MaxTeamNameLength`, counted with
#   Go's len). The dry run does not ask the server, so these pass `fleetctl gitops --dry-run`
#   and fail the apply. Fix: choose another name, or a shorter one.
# custom:
#   id: team-name-invalid
#   severity: error
#   category: teams
#   tags: [teams]
package tollgate.rules.team_name_invalid

import data.tollgate.lib

reserved := {"all teams", "all fleets"}

# Fleet's limit, in bytes (Go's len on the name).
max_bytes := 255

names contains [entry.file, name] if {
	some entry in input.teams
	entry.kind == "team"
	raw := entry.doc.name
	is_string(raw)
	name := trim_space(raw)
}

report contains lib.with_hint(lib.fail(file, ["name"], msg), hint) if {
	some [file, name] in names
	lower(name) in reserved
	msg := sprintf("team name %q is reserved by Fleet: the server refuses it with \"%s\" is a reserved name", [name, name])
	hint := "choose another name for the team"
}

report contains lib.with_hint(lib.fail(file, ["name"], msg), hint) if {
	some [file, name] in names
	n := byte_length(name)
	n > max_bytes
	msg := sprintf("team name is %d bytes long: Fleet refuses names of more than %d (\"may not exceed %d characters\")", [n, max_bytes, max_bytes])
	hint := "shorten the team name"
}

# byte_length counts UTF-8 bytes, as Go's len does (count counts characters).
byte_length(s) := count(hex.encode(s)) / 2
