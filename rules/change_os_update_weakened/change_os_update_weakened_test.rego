package tollgate.rules.change_os_update_weakened_test

import data.tollgate.rules.change_os_update_weakened

params := {"change-os-update-weakened": {"min_notice_days": 7}}

# today is 2026-11-25.
today := 1795564800000000000

findings(changes) := fs if {
	fs := change_os_update_weakened.report with input as {"change": {"changes": changes}}
		with data.tollgate.params as params
		with time.now_ns as today
}

msgs(changes) := {f.msg | some f in findings(changes)}

# setting is the plan's change of one setting; text renders a value as the plan does.
setting(team, name, old, new) := {
	"kind": "setting", "action": action(old, new), "team": team, "name": name,
	"fields": [{"path": name, "old": text(old), "new": text(new), "old_value": old, "new_value": new}],
	"base": {"file": "teams/w.yml", "line": 20, "column": 22},
	"head": {"file": "teams/w.yml", "line": 18, "column": 3},
}

action(null, _) := "added"

action(old, null) := "removed" if old != null

action(old, new) := "changed" if {
	old != null
	new != null
}

text(null) := "(not set)"

text(v) := sprintf("%q", [v]) if is_string(v)

text(v) := sprintf("%v", [v]) if {
	v != null
	not is_string(v)
}

macos(key, old, new) := setting("Workstations", concat(".", ["controls.macos_updates", key]), old, new)

test_minimum_version_removed if {
	msgs([macos("minimum_version", "15.3", null)]) == {`macos_updates.minimum_version "15.3" is removed for team "Workstations" (was teams/w.yml:20): Fleet no longer makes macOS hosts update`}
}

test_minimum_version_set_empty_is_removed if {
	count(findings([macos("minimum_version", "15.3", "")])) == 1
}

test_a_removed_section_is_reported_once if {
	fs := findings([macos("deadline", "2026-12-01", null), macos("minimum_version", "15.3", null)])
	count(fs) == 1
}

test_minimum_version_lowered if {
	msgs([macos("minimum_version", "15.3", "15.2.1")]) == {`macos_updates.minimum_version is lowered from "15.3" to "15.2.1" for team "Workstations": macOS hosts on 15.2.1 or later but below 15.3 are no longer made to update`}
	count(findings([setting("", "controls.ios_updates.minimum_version", "18.1", "17.7")])) == 1
}

test_minimum_version_raised_or_unreadable_is_fine if {
	count(findings([macos("minimum_version", "15.2", "15.3")])) == 0
	count(findings([macos("minimum_version", "15.10", "15.9.1")])) == 1 # numerically, not as text
	count(findings([macos("minimum_version", "15.9", "15.10")])) == 0
	count(findings([macos("minimum_version", "15.3", "fifteen")])) == 0
	count(findings([macos("minimum_version", null, "15.3")])) == 0
}

test_latest_to_a_fixed_version if {
	some m in msgs([macos("minimum_version", "latest", "15.3")])
	contains(m, `changes from "latest" to "15.3"`)
	count(findings([macos("minimum_version", "15.3", "latest")])) == 0
}

test_global_controls_are_hosts_with_no_team if {
	some m in msgs([setting("", "controls.ipados_updates.minimum_version", "18.1", null)])
	contains(m, "for hosts with no team")
}

test_deadline_removed_while_the_version_stays if {
	msgs([macos("deadline", "2026-12-01", null)]) == {`macos_updates.deadline "2026-12-01" is removed for team "Workstations" (was teams/w.yml:20) while minimum_version stays: Fleet no longer forces the update (and refuses a minimum_version without a deadline)`}
}

test_deadline_replaced_by_deadline_days_with_latest_is_fine if {
	count(findings([
		macos("deadline", "2026-12-01", null),
		macos("deadline_days", null, 7),
		macos("minimum_version", "15.3", "latest"),
	])) == 0
}

test_deadline_moved_earlier_with_little_notice if {
	msgs([macos("deadline", "2027-01-15", "2026-11-28")]) == {`macos_updates.deadline moves earlier from "2027-01-15" to "2026-11-28" for team "Workstations": macOS hosts get 3 day(s) of notice before Fleet forces the update, fewer than 7`}
}

test_deadline_moved_into_the_past if {
	some m in msgs([macos("deadline", "2027-01-15", "2026-11-01")])
	contains(m, "the date has passed (today is 2026-11-25), so Fleet forces the update on macOS hosts at once")
}

test_deadline_moved_earlier_with_enough_notice_or_later_is_fine if {
	count(findings([macos("deadline", "2027-01-15", "2026-12-02")])) == 0 # 7 days
	count(findings([macos("deadline", "2026-11-28", "2027-01-15")])) == 0
	count(findings([macos("deadline", "2026-11-28", "2026-02-30")])) == 0 # not a date
}

test_min_notice_days_is_a_parameter if {
	fs := change_os_update_weakened.report with input as {"change": {"changes": [macos("deadline", "2027-01-15", "2026-12-20")]}}
		with data.tollgate.params as {"change-os-update-weakened": {"min_notice_days": 30}}
		with time.now_ns as today
	count(fs) == 1
}

test_windows_deadline_and_grace_period_raised if {
	msgs([setting("Workstations", "controls.windows_updates.deadline_days", 7, 14)]) == {`windows_updates.deadline_days is raised from 7 to 14 for team "Workstations": hosts may stay longer on an old release before Fleet forces the update`}
	count(findings([setting("Workstations", "controls.windows_updates.grace_period_days", 1, 2)])) == 1
	count(findings([setting("Workstations", "controls.windows_updates.grace_period_days", 2, 1)])) == 0
	count(findings([setting("Workstations", "controls.windows_updates.deadline_days", 7, 3)])) == 0
}

test_windows_enforcement_removed_once if {
	ms := msgs([
		setting("Workstations", "controls.windows_updates.deadline_days", 7, null),
		setting("Workstations", "controls.windows_updates.grace_period_days", 2, null),
	])
	ms == {`windows_updates.deadline_days 7 is removed for team "Workstations" (was teams/w.yml:20): Fleet no longer makes Windows hosts install updates by a deadline`}
}

test_apple_deadline_days_raised if {
	count(findings([macos("deadline_days", 3, 10)])) == 1
}

test_update_new_hosts_turned_off if {
	msgs([macos("update_new_hosts", true, false)]) == {`macos_updates.update_new_hosts is turned off for team "Workstations": new Macs are no longer updated to the minimum version during setup`}
	count(findings([macos("update_new_hosts", true, null)])) == 1
	count(findings([macos("update_new_hosts", false, null)])) == 0
}

test_other_settings_are_not_its_business if {
	count(findings([setting("Workstations", "controls.enable_disk_encryption", true, null)])) == 0
	count(findings([setting("Workstations", "controls.macos_updates", "x", null)])) == 0
	count(findings([object.union(macos("minimum_version", "15.3", null), {"kind": "policy"})])) == 0
}
