# METADATA
# title: Unassigned file's settings included from another file
# description: |
#   The file for hosts with no team (`unassigned.yml`, formerly `no-team.yml`) may carry
#   `settings`, but fleetctl reads them key by key and accepts only `webhook_settings`
#   (pkg/spec/gitops.go, `parseNoTeamSettings`): `settings: {path: …}`, which works in a team
#   file, is refused there with "unsupported settings option 'path' in unassigned.yml - only
#   'webhook_settings' is allowed". The schema stage checks the keys themselves. Fix: write
#   `webhook_settings` inline in the unassigned file.
# custom:
#   id: unassigned-settings
#   severity: error
#   category: structure
#   tags: [fleets]
package tollgate.rules.unassigned_settings

import data.tollgate.lib

unassigned contains entry.file if {
	some entry in input.teams
	entry.kind == "unassigned"
}

report contains lib.with_hint(lib.fail_key(r.entry, [section], msg), hint) if {
	some r in input.refs
	r.role == "include"
	[section, "path"] = r.path
	section in {"settings", "team_settings"}
	unassigned[r.entry]
	msg := sprintf("%s: {path: %s} is not read in the unassigned file: fleetctl stops with \"unsupported settings option 'path' … - only 'webhook_settings' is allowed\"", [section, r.target])
	hint := "write webhook_settings inline here instead of including the settings"
}
