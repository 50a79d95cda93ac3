package tollgate.rules.change_encryption_disabled_test

import data.tollgate.rules.change_encryption_disabled

findings(changes) := fs if {
	fs := change_encryption_disabled.report with input as {"change": {"changes": changes}}
}

msgs(changes) := {f.msg | some f in findings(changes)}

setting(team, name, old, new) := {
	"kind": "setting", "action": action(new), "team": team, "name": name,
	"fields": [{"path": name, "old": text(old), "new": text(new), "old_value": old, "new_value": new}],
	"base": {"file": "teams/w.yml", "line": 6, "column": 27},
	"head": {"file": "teams/w.yml", "line": 5, "column": 1},
}

action(null) := "removed"

action(v) := "changed" if v != null

text(null) := "(not set)"

text(v) := sprintf("%v", [v]) if v != null

test_turned_off if {
	msgs([setting("Workstations", "controls.enable_disk_encryption", true, false)]) == {`disk encryption is turned off for team "Workstations" (controls.enable_disk_encryption: true → false): Fleet stops enforcing FileVault and BitLocker and escrowing recovery keys; hosts not yet encrypted stay unencrypted`}
}

test_left_out if {
	msgs([setting("Workstations", "controls.enable_disk_encryption", true, null)]) == {`disk encryption is turned off for team "Workstations" (controls.enable_disk_encryption left out, was teams/w.yml:6): Fleet stops enforcing FileVault and BitLocker and escrowing recovery keys; hosts not yet encrypted stay unencrypted`}
}

test_per_platform_and_global if {
	some m in msgs([setting("Workstations", "controls.windows_settings.enable_disk_encryption", true, false)])
	contains(m, "Fleet stops enforcing BitLocker")
	some g in msgs([setting("", "controls.enable_disk_encryption", true, false)])
	startswith(g, "disk encryption is turned off for hosts with no team")
	count(findings([setting("", "org_settings.mdm.enable_disk_encryption", true, null)])) == 1
}

test_moved_to_the_per_platform_keys_is_fine if {
	count(findings([
		setting("Workstations", "controls.enable_disk_encryption", true, null),
		object.union(setting("Workstations", "controls.apple_settings.enable_disk_encryption", null, true), {"action": "added"}),
	])) == 0
}

test_moved_in_another_team_does_not_count if {
	count(findings([
		setting("Workstations", "controls.enable_disk_encryption", true, null),
		object.union(setting("Servers", "controls.apple_settings.enable_disk_encryption", null, true), {"action": "added"}),
	])) == 1
}

test_off_before_or_turned_on_is_fine if {
	count(findings([setting("Workstations", "controls.enable_disk_encryption", false, null)])) == 0
	count(findings([setting("Workstations", "controls.enable_disk_encryption", false, true)])) == 0
	count(findings([setting("Workstations", "controls.windows_require_bitlocker_pin", true, false)])) == 0
}
