# METADATA
# title: OS update deadline missing, in the past, too close or before the release
# description: |
#   An Apple OS update enforcement needs `minimum_version` and `deadline` together (Fleet:
#   "deadline is required when minimum_version is provided", and the reverse); Fleet 4.91's
#   `minimum_version: latest` takes `deadline_days` (at least 1) instead of `deadline`, and
#   `deadline_days` goes with nothing else (server/fleet/app.go, AppleOSUpdateSettings.Validate;
#   its cases: server/fleet/app_test.go, TestAppleOSUpdatesLatestValidate). A deadline before the
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

# Every finding of this rule is about one update section (macos_updates, ...) and depends on
# nothing else: checks(section, platform, u) computes them without the file, and the report
# adds it. A section that is right (quiet) is settled with a few expressions, where the checks
# cost several each; OPA caches a function's result per arguments, so a repository whose teams
# share a handful of update settings runs the checks a handful of times, whatever its size.
# (One report per check over every team's sections cost several microseconds per check and
# team.) One report per section, each reading its section by name: iterating over the
# sections for every team cost more than the three lookups.
report contains object.union(problem, {"file": entry.file}) if {
	some entry in lib.entries
	u := entry.doc.controls.macos_updates
	is_object(u)
	not quiet("macos", u)
	some problem in checks("macos_updates", "macos", u)
}

report contains object.union(problem, {"file": entry.file}) if {
	some entry in lib.entries
	u := entry.doc.controls.ios_updates
	is_object(u)
	not quiet("ios", u)
	some problem in checks("ios_updates", "ios", u)
}

report contains object.union(problem, {"file": entry.file}) if {
	some entry in lib.entries
	u := entry.doc.controls.ipados_updates
	is_object(u)
	not quiet("ipados", u)
	some problem in checks("ipados_updates", "ipados", u)
}

# setting is u[key], or null when it is absent or empty (Fleet treats "" as not set).
setting(u, key) := v if {
	v := u[key]
	v != ""
} else := null

# quiet holds for the usual section, an enforcement that is right: an exact version, a real
# deadline far enough ahead and not before the version's release. It must never hold where
# checks finds something (test_quiet_is_sound holds the two together).
quiet(platform, u) if {
	mv := u.minimum_version
	is_string(mv)
	not mv in {"", "latest"}
	dl := u.deadline
	tollgate.date_days(dl) >= earliest_quiet_deadline
	object.get(u, "deadline_days", "") == ""
	dl >= object.get(tollgate.os_version_status(platform, mv), "release_date", "")
}

# checks computes every check's findings, one set per check, each setting looked up once.
checks(section, platform, u) := union({
	{lib.fail_key("", ["controls", section], msg) |
		mv != null
		mv != "latest"
		dl == null
		msg := sprintf("%s.deadline is required when minimum_version is set", [section])
	},
	{lib.fail("", ["controls", section, "deadline"], msg) |
		dl != null
		mv == null
		msg := sprintf("%s.minimum_version is required when deadline is set", [section])
	},
	{lib.fail("", ["controls", section, "deadline"], msg) |
		mv == "latest"
		dl != null
		msg := sprintf("%s: minimum_version \"latest\" takes deadline_days, not deadline", [section])
	},
	{lib.fail_key("", ["controls", section], msg) |
		mv == "latest"
		dl == null
		setting(u, "deadline_days") == null
		msg := sprintf("%s: minimum_version \"latest\" needs deadline_days (days after each release)", [section])
	},
	{lib.fail("", ["controls", section, "deadline_days"], msg) |
		mv != null
		mv != "latest"
		setting(u, "deadline_days") != null
		msg := sprintf("%s.deadline_days only goes with minimum_version \"latest\"; an exact version takes deadline", [section])
	},
	# Fleet's "deadline_days with no version" case.
	{lib.fail("", ["controls", section, "deadline_days"], msg) |
		mv == null
		setting(u, "deadline_days") != null
		msg := sprintf("%s.deadline_days only goes with minimum_version \"latest\"", [section])
	},
	# Fleet's "latest with zero deadline_days" and "... negative deadline_days" cases.
	{lib.fail("", ["controls", section, "deadline_days"], msg) |
		mv == "latest"
		n := setting(u, "deadline_days")
		is_number(n)
		n < 1
		msg := sprintf("%s: deadline_days %v with minimum_version \"latest\" must be at least 1", [section, n])
	},
	# The deadline comes before the version was even released.
	{lib.with_hint(lib.fail("", ["controls", section, "deadline"], msg), hint) |
		is_string(mv)
		tollgate.date_days(dl)
		status := tollgate.os_version_status(platform, mv)
		is_string(status.release_date)
		dl < status.release_date
		msg := sprintf("deadline %s is before %s was released (%s)", [dl, mv, status.release_date])
		hint := "set the deadline after the release date"
	},
	# Dates compare as day numbers (tollgate.date_days): undefined, so silent, for a malformed
	# date, which the schema reports.
	{f | f := timing(section, u, tollgate.date_days(dl) - lib.today_days)},
}) if {
	mv := setting(u, "minimum_version")
	dl := setting(u, "deadline")
}

# earliest_quiet_deadline is the first day (as tollgate.date_days) a deadline is neither past nor
# too close.
earliest_quiet_deadline := lib.today_days + max([0, lib.param(id, "min_days_ahead")])

# timing is the finding about a deadline `days` days from today, if any.
timing(section, u, days) := lib.with_severity(lib.with_hint(lib.fail("", ["controls", section, "deadline"], msg), hint), sev) if {
	days < 0
	msg := sprintf("deadline %s has passed (today is %s): hosts below %v are forced to update immediately", [u.deadline, lib.today, u.minimum_version])
	hint := "move the deadline forward, or clear minimum_version and deadline to stop enforcing"
	sev := lib.param(id, "past_severity")
}

timing(section, u, days) := lib.with_severity(lib.fail("", ["controls", section, "deadline"], msg), "warning") if {
	days >= 0
	days < lib.param(id, "min_days_ahead")
	msg := sprintf("deadline %s is only %d day(s) away; users get little notice before the forced update", [u.deadline, days])
}
