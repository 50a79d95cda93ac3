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

# The caps, read once: lib.param reads the data document anew on every call, and a call per
# team was most of this rule's time on a large repository.
max_deadline_days := lib.param(id, "max_deadline_days")

max_grace_period_days := lib.param(id, "max_grace_period_days")

# A value Fleet accepts (a whole number within its limits) above the organisation's cap. Each
# key has its own rule, and the comparison with the cap comes first (a number above it, or a
# string, which Rego orders after numbers): it fails for almost every team, and it is cheaper
# than iterating over the keys and the checks after it. (Iterating, and collecting a set of
# [file, key, n] for the two reports, cost a few microseconds per team.)
report contains above_cap(entry.file, "deadline_days", n, max_deadline_days) if {
	some entry in lib.entries
	n := entry.doc.controls.windows_updates.deadline_days
	n > max_deadline_days
	accepted(n, "deadline_days")
}

report contains above_cap(entry.file, "grace_period_days", n, max_grace_period_days) if {
	some entry in lib.entries
	n := entry.doc.controls.windows_updates.grace_period_days
	n > max_grace_period_days
	accepted(n, "grace_period_days")
}

accepted(n, key) if {
	is_number(n)
	n == floor(n)
	n >= 0
	n <= limits[key]
}

above_cap(file, key, n, cap) := lib.with_hint(lib.fail(file, ["controls", "windows_updates", key], msg), hint) if {
	msg := sprintf("%s %v is above the organisation's maximum of %v days", [key, n, cap])
	hint := sprintf("lower %s to %v or less (or raise rules.windows-updates.params.%s)", [key, cap, caps[key]])
}

report contains lib.with_severity(lib.with_hint(lib.fail(entry.file, ["controls", "windows_updates", "deadline_days"], msg), hint), "warning") if {
	some entry in lib.entries
	u := entry.doc.controls.windows_updates
	u.deadline_days == 0
	u.grace_period_days == 0
	msg := "deadline_days 0 and grace_period_days 0 install updates at once and restart hosts without notice"
	hint := "give users at least a day of grace_period_days to save their work"
}
