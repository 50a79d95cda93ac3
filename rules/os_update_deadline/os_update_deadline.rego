# METADATA
# title: OS update deadline missing, in the past, too close or before the release
# description: |
#   An Apple OS update enforcement needs `minimum_version` and `deadline` together (Fleet:
#   "deadline is required when minimum_version is provided", and the reverse); Fleet 4.91's
#   `minimum_version: latest` takes `deadline_days` instead of `deadline`. A deadline before the
#   version's release date is an error; one already past (hosts are forced to update at once)
#   or fewer than `min_days_ahead` days ahead (users get no notice) is a warning. The date
#   itself must be a real YYYY-MM-DD date; the schema reports malformed ones.
# custom:
#   id: os-update-deadline
#   severity: error
#   category: os-updates
#   tags: [apple, os-updates]
#   params:
#     - name: min_days_ahead
#       default: 3
#       description: warn when the deadline is fewer than this many days after today (--now)
#     - name: past_severity
#       default: warning
#       description: severity of a deadline that has already passed
package tollgate.rules.os_update_deadline

import data.tollgate.lib

id := "os-update-deadline"

sections := {"macos_updates": "macos", "ios_updates": "ios", "ipados_updates": "ipados"}

# Tuples hold the entry's file name, not the entry: a set hashes its members, and hashing
# whole documents would make the rule cost as much as the repository is large.
updates contains [entry.file, section, platform, u] if {
	some entry in lib.entries
	some section, platform in sections
	u := entry.doc.controls[section]
	is_object(u)
}

set(u, key) if {
	v := u[key]
	v != null
	v != ""
}

report contains lib.fail_key(file, ["controls", section], msg) if {
	some [file, section, _, u] in updates
	set(u, "minimum_version")
	u.minimum_version != "latest"
	not set(u, "deadline")
	msg := sprintf("%s.deadline is required when minimum_version is set", [section])
}

report contains lib.fail(file, ["controls", section, "deadline"], msg) if {
	some [file, section, _, u] in updates
	set(u, "deadline")
	not set(u, "minimum_version")
	msg := sprintf("%s.minimum_version is required when deadline is set", [section])
}

report contains lib.fail(file, ["controls", section, "deadline"], msg) if {
	some [file, section, _, u] in updates
	u.minimum_version == "latest"
	set(u, "deadline")
	msg := sprintf("%s: minimum_version \"latest\" takes deadline_days, not deadline", [section])
}

report contains lib.fail_key(file, ["controls", section], msg) if {
	some [file, section, _, u] in updates
	u.minimum_version == "latest"
	not set(u, "deadline")
	not set(u, "deadline_days")
	msg := sprintf("%s: minimum_version \"latest\" needs deadline_days (days after each release)", [section])
}

report contains lib.fail(file, ["controls", section, "deadline_days"], msg) if {
	some [file, section, _, u] in updates
	set(u, "deadline_days")
	set(u, "minimum_version")
	u.minimum_version != "latest"
	msg := sprintf("%s.deadline_days only goes with minimum_version \"latest\"; an exact version takes deadline", [section])
}

# The deadline comes before the version was even released.
report contains lib.with_hint(lib.fail(file, ["controls", section, "deadline"], msg), hint) if {
	some [file, section, platform, u] in updates
	lib.valid_date(u.deadline)
	is_string(u.minimum_version)
	status := tollgate.os_version_status(platform, u.minimum_version)
	is_string(status.release_date)
	u.deadline < status.release_date
	msg := sprintf("deadline %s is before %s was released (%s)", [u.deadline, u.minimum_version, status.release_date])
	hint := "set the deadline after the release date"
}

report contains lib.with_severity(lib.with_hint(lib.fail(file, ["controls", section, "deadline"], msg), hint), sev) if {
	some [file, section, _, u] in updates
	lib.valid_date(u.deadline)
	u.deadline < lib.today
	msg := sprintf("deadline %s has passed (today is %s): hosts below %v are forced to update immediately", [u.deadline, lib.today, u.minimum_version])
	hint := "move the deadline forward, or clear minimum_version and deadline to stop enforcing"
	sev := lib.param(id, "past_severity")
}

report contains lib.with_severity(lib.fail(file, ["controls", section, "deadline"], msg), "warning") if {
	some [file, section, _, u] in updates
	lib.valid_date(u.deadline)
	u.deadline >= lib.today
	days := lib.days_between(lib.today, u.deadline)
	days < lib.param(id, "min_days_ahead")
	msg := sprintf("deadline %s is only %d day(s) away; users get little notice before the forced update", [u.deadline, days])
}
