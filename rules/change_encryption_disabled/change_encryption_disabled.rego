# METADATA
# title: Disk encryption turned off
# description: |
#   Reviews the change (lint --base): `enable_disk_encryption` turned off, or its key left out
#   (which Fleet reads as off), where the base had it on: in a team's or the global file's
#   `controls`, in `controls.apple_settings` / `windows_settings` (the fleets era's
#   per-platform keys), or in `org_settings.mdm`. On the next apply Fleet stops enforcing
#   FileVault and BitLocker for those hosts: hosts not yet encrypted are no longer asked to
#   encrypt, and Fleet no longer escrows new recovery keys. Hosts already encrypted stay
#   encrypted. Moving the setting to another of these keys in the same change (the
#   per-platform keys) is not reported. A warning: nothing is lost that turning it back on does
#   not restore, but until then new hosts may hold data unencrypted; raise it to an error in
#   .tollgate.yaml where policy demands.
# custom:
#   id: change-encryption-disabled
#   severity: warning
#   category: change
#   tags: [change, disk-encryption]
package tollgate.rules.change_encryption_disabled

import data.tollgate.lib

# keys are the settings that turn disk encryption on, with what each enforces.
keys := {
	"controls.enable_disk_encryption": "FileVault and BitLocker",
	"controls.apple_settings.enable_disk_encryption": "FileVault",
	"controls.windows_settings.enable_disk_encryption": "BitLocker",
	"org_settings.mdm.enable_disk_encryption": "FileVault and BitLocker",
}

report contains lib.with_hint(lib.fail_change(c, msg), hint) if {
	some c in lib.changes
	c.kind == "setting"
	what := keys[c.name]
	f := lib.field(c, c.name)
	f.old_value == true
	not lib.is_set(f)
	not turned_on_elsewhere(c)
	msg := sprintf("disk encryption is turned off for %s (%s): Fleet stops enforcing %s and escrowing recovery keys; hosts not yet encrypted stay unencrypted", [lib.controls_phrase(c), how(c, f), what])
	hint := "if that is not intended, set enable_disk_encryption: true again"
}

# turned_on_elsewhere holds when the same change turns encryption on under another key of the
# same team (the teams era's key moved to the fleets era's per-platform keys).
turned_on_elsewhere(c) if {
	on := turned_on # the whole set, built once (a lookup of one member evaluates its body again)
	some name, _ in keys
	name != c.name
	[c.team, name] in on
}

# turned_on are the [team, key] that the change turns on: collected once, not scanned for each
# key turned off (a change turning off a hundred teams' encryption compared every pair).
turned_on contains [c.team, c.name] if {
	some c in lib.changes
	c.kind == "setting"
	keys[c.name]
	some f in c.fields
	f.new_value == true
}

# how says what the change did to the key: left out (where it was), or set to another value.
how(c, f) := sprintf("%s left out, was %s:%d", [c.name, c.base.file, c.base.line]) if {
	c.action == "removed"
	c.base
} else := sprintf("%s: %s → %s", [c.name, f.old, f.new])
