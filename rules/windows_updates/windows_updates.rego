# METADATA
# title: Windows update deadline or grace period above the organisation's maximum
# description: |
#   `controls.windows_updates` sets how many days Windows hosts have to install an update
#   (`deadline_days`) and then to restart (`grace_period_days`). Fleet accepts 0–30 and 0–7,
#   both keys or neither, as integers; the schema stage already reports values Fleet refuses
#   and misspellings such as `deadline`/`grace_period`. This rule adds the organisation's caps
#   (`max_deadline_days`, `max_grace_period_days`): a longer window leaves hosts unpatched for
#   longer. A deadline and grace period of 0 is a warning: hosts install at once and restart
#   without notice. Fix: lower the values, or raise the caps in .tollgate.yaml.
# custom:
#   id: windows-updates
#   severity: error
#   category: os-updates
#   tags: [windows, os-updates]
#   params:
#     - name: max_deadline_days
#       default: 7
#       description: the longest deadline_days the organisation accepts (Fleet allows up to 30)
#     - name: max_grace_period_days
#       default: 2
#       description: the longest grace_period_days the organisation accepts (Fleet allows up to 7)
package tollgate.rules.windows_updates

import data.tollgate.lib

id := "windows-updates"

# Fleet's own limits: values outside them are the schema's to report.
limits := {"deadline_days": 30, "grace_period_days": 7}

caps := {"deadline_days": "max_deadline_days", "grace_period_days": "max_grace_period_days"}

# Every finding of this rule is about one windows_updates mapping and depends on nothing else:
# problems(u) computes them without the file, and the report adds it. OPA caches a function's
# result per arguments, so a repository whose teams share a handful of update settings runs the
# checks a handful of times, whatever its size. (A report per check over every team, and a set
# of [file, key, n] tuples shared by the reports, cost several microseconds per team.)
report contains object.union(problem, {"file": entry.file}) if {
	some entry in lib.entries
	u := entry.doc.controls.windows_updates
	some problem in problems(u)
}

# days are the values Fleet accepts (whole numbers within its limits), per key.
days(u) := {key: n |
	is_object(u)
	some key, limit in limits
	n := u[key]
	is_number(n)
	n == floor(n)
	n >= 0
	n <= limit
}

# The findings about one windows_updates mapping; "file" is filled in by the report.
problems(u) := {lib.with_hint(lib.fail("", ["controls", "windows_updates", key], msg), hint) |
	some key, n in days(u)
	cap := lib.param(id, caps[key])
	n > cap
	msg := sprintf("%s %v is above the organisation's maximum of %v days", [key, n, cap])
	hint := sprintf("lower %s to %v or less (or raise rules.windows-updates.params.%s)", [key, cap, caps[key]])
} | {lib.with_severity(lib.with_hint(lib.fail("", ["controls", "windows_updates", "deadline_days"], msg), hint), "warning") |
	d := days(u)
	d.deadline_days == 0
	d.grace_period_days == 0
	msg := "deadline_days 0 and grace_period_days 0 install updates at once and restart hosts without notice"
	hint := "give users at least a day of grace_period_days to save their work"
}
