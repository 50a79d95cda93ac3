# METADATA
# title: Setup experience cleared
# description: |
#   Reviews the change (lint --base): part of a team's setup experience (`controls.
#   setup_experience`, `macos_setup` in the teams era) that the base configured and the head
#   no longer does: the bootstrap package, the automatic enrollment profile
#   (`apple_setup_assistant`), end-user authentication, the setup script, or software
#   installed during setup (`setup_experience.software` items, or a package or app whose
#   `setup_experience: true` is gone). Leaving a key out counts: Fleet reads a missing key as
#   null and clears the setting on the next apply, which its dry run does not show
#   (fleetdm/fleet#32938: bootstrap packages cleared, enrollments failing). From then on, new
#   hosts enroll without it; hosts already enrolled are not affected. Put the key back if it
#   was left out by mistake; a removal that belongs to the change is acknowledged by reading
#   it here. A value replaced by another (a new package URL, an edited profile) is not
#   reported; software removed from the team altogether is change-software-removed's.
# custom:
#   id: change-setup-cleared
#   severity: warning
#   category: change
#   tags: [change, setup-experience, enrollment]
package tollgate.rules.change_setup_cleared

import data.tollgate.lib

# cleared_things are what each setup-experience key configures, and what new hosts do without it.
cleared_things := {
	"macos_bootstrap_package": ["the bootstrap package", "new Macs enroll without it"],
	"apple_setup_assistant": ["the automatic enrollment profile", "new hosts go through Setup Assistant with Fleet's default profile"],
	"enable_end_user_authentication": ["end-user authentication", "new hosts enroll without signing in to the identity provider"],
	"macos_script": ["the setup script", "new Macs no longer run it during setup"],
}

report contains lib.with_hint(lib.fail_change(c, msg), hint) if {
	some c in lib.changes
	c.kind == "setting"
	startswith(c.name, "controls.setup_experience.")
	key := substring(c.name, count("controls.setup_experience."), -1)
	thing := cleared_things[key]
	f := lib.field(c, c.name)
	lib.cleared(f)
	msg := sprintf("%s (%s) is cleared from the setup experience of %s%s: %s", [thing[0], written(c, key), lib.controls_phrase(c), left_out(c), thing[1]])
	hint := "if the key was left out by mistake, put it back: Fleet clears a setup-experience key that is missing"
}

report contains lib.fail_change(c, msg) if {
	some c in lib.changes
	c.kind == "setting"
	c.name == "controls.setup_experience.software"
	f := lib.field(c, c.name)
	old := object.get(f, "old_value", [])
	is_array(old)
	new := list(object.get(f, "new_value", []))
	some item in old
	not item in new
	msg := sprintf("%s is no longer installed during the setup experience of %s%s: new hosts enroll without it", [describe(item), lib.controls_phrase(c), left_out(c)])
}

report contains lib.fail_change(c, msg) if {
	some c in lib.changes
	c.kind == "software"
	c.action == "changed"
	f := lib.field(c, "setup_experience")
	f.old_value == true
	not lib.is_set(f)
	msg := sprintf("software %q is no longer installed during the setup experience of %s: new hosts enroll without it", [c.name, lib.team_phrase(c)])
}

list(v) := v if is_array(v)

else := []

# describe names a setup_experience.software item: its package file or App Store app.
describe(item) := sprintf("package %s", [item.package_path]) if is_string(item.package_path)

else := sprintf("App Store app %v", [item.app_store_id]) if item.app_store_id

else := sprintf("software %v", [item])

# left_out says where a removed key was, and that it was left out rather than emptied.
left_out(c) := sprintf("%s, its key left out", [lib.was(c)]) if c.action == "removed"

else := ""

# written is the key as the file spells it (macos_setup_assistant in the teams era), read from
# the side that has it.
written(c, key) := k if {
	side := object.get({"removed": c.base}, c.action, c.head)
	parts := split(side.path, ".")
	k := parts[count(parts) - 1]
} else := key
