# METADATA
# title: OS updates enforced twice, by controls and by a custom profile
# description: |
#   Fleet enforces OS updates from `controls`: for Apple hosts it writes its own DDM
#   softwareupdate.enforcement.specific declaration from `macos_updates`, `ios_updates` and
#   `ipados_updates`; for Windows it generates the reserved "Windows OS Updates" profile on
#   ./Device/Vendor/MSFT/Policy/Config/Update from `windows_updates`. A team that sets these
#   and also lists a custom enforcement.specific declaration, or a Windows profile on the
#   Policy CSP Update area, is refused ("Declaration profile can't include OS updates
#   settings", "Custom configuration profiles can't include Windows updates settings"), in
#   dry-run too. The finding is at the profile's entry in the team file. Fix: keep one of
#   the two, preferably the controls.
# custom:
#   id: os-update-profile-conflict
#   severity: error
#   category: os-updates
#   tags: [apple, windows, os-updates, profiles]
package tollgate.rules.os_update_profile_conflict

import data.tollgate.lib

apple_sections := ["macos_updates", "ios_updates", "ipados_updates"]

set(v) if {
	v != null
	v != ""
}

apple_set(entry) := [s |
	some s in apple_sections
	u := entry.doc.controls[s]
	is_object(u)
	some k in ["minimum_version", "deadline", "deadline_days"]
	set(u[k])
]

windows_set(entry) if {
	u := entry.doc.controls.windows_updates
	is_object(u)
	some k in ["deadline_days", "grace_period_days"]
	set(u[k])
}

# The reports start from the profiles that enforce updates, of which there are few, and look
# up the entry that lists each one: starting from every entry and scanning input.profiles for
# each cost the update sections of every team, and entries times profiles. Profiles are
# looked at by their payloads (lib.profiles_by_payloads): a lib/ profile is listed once per
# team that includes it, and testing each one's payloads cost a few expressions per team.
entry_by_file := {entry.file: entry | some entry in lib.entries}

report contains lib.with_hint(lib.fail(p.entry, p.ref, msg), hint) if {
	some ["ddm", payloads], members in lib.profiles_by_payloads
	some pl in payloads
	pl.type == "com.apple.configuration.softwareupdate.enforcement.specific"
	some i in members
	p := input.profiles[i]
	sections := {s | some s in apple_set(entry_by_file[p.entry])}
	count(sections) > 0
	msg := sprintf("%s is set, and this declaration enforces OS updates too (%s): Fleet refuses the pair", [concat(", ", sort(sections)), pl.type])
	hint := "remove the declaration from the team and keep the controls (Fleet writes the same declaration from them)"
}

report contains lib.with_hint(lib.fail(p.entry, p.ref, msg), hint) if {
	some ["syncml", payloads], members in lib.profiles_by_payloads
	uris := sort({pl.type |
		some pl in payloads
		[area, _] := lib.windows_policy_node(pl)
		lower(area) == "update"
	})
	count(uris) > 0
	some i in members
	p := input.profiles[i]
	windows_set(entry_by_file[p.entry])
	msg := sprintf("windows_updates is set, and this profile sets Windows Update policies too (%s): Fleet refuses custom profiles on Policy/Config/Update while windows_updates is set", [uris[0]])
	hint := "remove the Update nodes from the profile, or clear controls.windows_updates"
}
