# METADATA
# title: OS update enforcement weakened, or its deadline brought too close
# description: |
#   Reviews the change (lint --base) of `controls.macos_updates`, `ios_updates`,
#   `ipados_updates`, `tvos_updates` and `windows_updates`, for a team or for hosts with no
#   team. Weaker, for each key:
#
#   - `minimum_version` removed (Fleet stops making hosts update), lowered (hosts between the
#     two versions are no longer made to update), or changed from `latest` to a fixed version
#     (hosts no longer follow each release);
#   - `deadline` removed while `minimum_version` stays (Fleet then refuses the configuration,
#     or enforces nothing), or moved earlier so that hosts get fewer than `min_notice_days`
#     days' notice from today (`--now`) before the forced update: a deadline moved later is a
#     routine postponement and not reported;
#   - `deadline_days` (Apple with `latest`, and Windows) or Windows `grace_period_days` raised:
#     hosts may stay longer on an old release or put off the restart; removed: Windows updates
#     are no longer enforced;
#   - macOS `update_new_hosts` turned off: new Macs are no longer updated during setup.
#
#   A removed section is reported once, at its `minimum_version` (Windows: `deadline_days`).
#   A version raised, a deadline moved later, and values that are not versions or dates (the
#   schema reports them) are not reported. A weakening that belongs
#   to the change (a version pulled back after a bad release) is acknowledged by reading it
#   here.
# custom:
#   id: change-os-update-weakened
#   severity: warning
#   category: change
#   tags: [change, os-updates]
#   params:
#     - name: min_notice_days
#       default: 7
#       minimum: 0
#       description: report a deadline moved earlier to fewer than this many days after today
package tollgate.rules.change_os_update_weakened

import data.tollgate.lib

id := "change-os-update-weakened"

platforms := {"macos_updates": "macOS", "ios_updates": "iOS", "ipados_updates": "iPadOS", "tvos_updates": "tvOS", "windows_updates": "Windows"}

# updates are the changes of an update setting, as [change, section, key, field].
updates contains [c, section, key, f] if {
	some c in lib.changes
	c.kind == "setting"
	startswith(c.name, "controls.")
	parts := split(c.name, ".")
	count(parts) == 3
	section := parts[1]
	platforms[section]
	key := parts[2]
	f := lib.field(c, c.name)
}

# settings indexes the plan's setting changes by team and name.
settings := {[c.team, c.name]: c | some c in lib.changes; c.kind == "setting"}

# cleared_in holds when the change clears key of section for the team, set_in when the key
# has a value after the change.
cleared_in(team, section, key) if lib.cleared(update_field(team, section, key))

set_in(team, section, key) if lib.is_set(update_field(team, section, key))

update_field(team, section, key) := lib.field(settings[[team, name]], name) if {
	name := sprintf("controls.%s.%s", [section, key])
}

report contains lib.fail_change(c, msg) if {
	some [c, section, "minimum_version", f] in updates
	section != "windows_updates"
	lib.cleared(f)
	msg := sprintf("%s.minimum_version %s is removed for %s%s: Fleet no longer makes %s hosts update", [section, f.old, lib.controls_phrase(c), lib.was(c), platforms[section]])
}

report contains lib.fail_change(c, msg) if {
	some [c, section, "minimum_version", f] in updates
	is_string(f.old_value)
	is_string(f.new_value)
	lib.version_compare(f.new_value, f.old_value) < 0
	msg := sprintf("%s.minimum_version is lowered from %s to %s for %s: %s hosts on %s or later but below %s are no longer made to update", [section, f.old, f.new, lib.controls_phrase(c), platforms[section], f.new_value, f.old_value])
}

report contains lib.fail_change(c, msg) if {
	some [c, section, "minimum_version", f] in updates
	f.old_value == "latest"
	is_string(f.new_value)
	lib.version_parts(f.new_value)
	msg := sprintf("%s.minimum_version changes from \"latest\" to %s for %s: %s hosts are no longer made to follow each new release", [section, f.new, lib.controls_phrase(c), platforms[section]])
}

report contains lib.fail_change(c, msg) if {
	some [c, section, "deadline", f] in updates
	lib.cleared(f)
	not cleared_in(c.team, section, "minimum_version")
	not set_in(c.team, section, "deadline_days")
	msg := sprintf("%s.deadline %s is removed for %s%s while minimum_version stays: Fleet no longer forces the update (and refuses a minimum_version without a deadline)", [section, f.old, lib.controls_phrase(c), lib.was(c)])
}

report contains lib.with_hint(lib.fail_change(c, msg), hint) if {
	some [c, section, "deadline", f] in updates
	old := tollgate.date_days(f.old_value)
	new := tollgate.date_days(f.new_value)
	new < old
	notice := new - lib.today_days
	notice < lib.param(id, "min_notice_days")
	msg := sprintf("%s.deadline moves earlier from %s to %s for %s: %s", [section, f.old, f.new, lib.controls_phrase(c), notice_phrase(notice, section)])
	hint := "give users time to update before Fleet forces it: keep the deadline, or move it later"
}

notice_phrase(days, section) := sprintf("the date has passed (today is %s), so Fleet forces the update on %s hosts at once", [lib.today, platforms[section]]) if days < 0

else := sprintf("%s hosts get %d day(s) of notice before Fleet forces the update, fewer than %d", [platforms[section], days, lib.param(id, "min_notice_days")])

report contains lib.fail_change(c, msg) if {
	some [c, section, key, f] in updates
	key in {"deadline_days", "grace_period_days"}
	is_number(f.old_value)
	is_number(f.new_value)
	f.new_value > f.old_value
	msg := sprintf("%s.%s is raised from %v to %v for %s: %s", [section, key, f.old_value, f.new_value, lib.controls_phrase(c), longer[key]])
}

longer := {
	"deadline_days": "hosts may stay longer on an old release before Fleet forces the update",
	"grace_period_days": "hosts may put off the restart after an update for longer",
}

report contains lib.fail_change(c, msg) if {
	some [c, "windows_updates", "deadline_days", f] in updates
	lib.cleared(f)
	msg := sprintf("windows_updates.deadline_days %s is removed for %s%s: Fleet no longer makes Windows hosts install updates by a deadline", [f.old, lib.controls_phrase(c), lib.was(c)])
}

report contains lib.fail_change(c, msg) if {
	some [c, "macos_updates", "update_new_hosts", f] in updates
	f.old_value == true
	not lib.is_set(f)
	not cleared_in(c.team, "macos_updates", "minimum_version")
	msg := sprintf("macos_updates.update_new_hosts is turned off for %s: new Macs are no longer updated to the minimum version during setup", [lib.controls_phrase(c)])
}
