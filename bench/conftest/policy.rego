# Equivalent of tollgate's bundled per-file rules, written the way a conftest user would, for
# the benchmark in bench/run.sh (tollgate's own rules do more: includes, profiles, CI, ...).
package main

import rego.v1

sections := {"macos_updates": "macos", "ios_updates": "ios", "ipados_updates": "ipados"}

parts(v) := [to_number(p) | some p in split(v, ".")]

# os-version-unreleased: above the newest release of its major line (or of the platform).
deny contains msg if {
	some section, platform in sections
	v := input.controls[section].minimum_version
	is_string(v)
	regex.match(`^\d+(\.\d+){0,2}$`, v)
	p := parts(v)
	latest := data.catalog[platform].latest_by_major[format_int(p[0], 10)]
	parts(latest) < p
	msg := sprintf("%s.minimum_version %s is not released (latest %s)", [section, v, latest])
}

deny contains msg if {
	some section, platform in sections
	v := input.controls[section].minimum_version
	is_string(v)
	regex.match(`^\d+(\.\d+){0,2}$`, v)
	p := parts(v)
	not data.catalog[platform].latest_by_major[format_int(p[0], 10)]
	msg := sprintf("%s.minimum_version %s: unknown major", [section, v])
}

# os-update-deadline: both or neither, a real date, not in the past.
deny contains msg if {
	some section, _ in sections
	u := input.controls[section]
	u.minimum_version != ""
	not u.deadline
	msg := sprintf("%s.deadline is required", [section])
}

deny contains msg if {
	some section, _ in sections
	d := input.controls[section].deadline
	is_string(d)
	not regex.match(`^\d{4}-\d{2}-\d{2}$`, d)
	msg := sprintf("%s.deadline %s is not YYYY-MM-DD", [section, d])
}

warn contains msg if {
	some section, _ in sections
	d := input.controls[section].deadline
	is_string(d)
	regex.match(`^\d{4}-\d{2}-\d{2}$`, d)
	time.parse_ns("2006-01-02", d) < time.now_ns()
	msg := sprintf("%s.deadline %s has passed", [section, d])
}

# windows-updates: ranges, both or neither.
deny contains "windows_updates.deadline_days must be 0-30" if {
	d := input.controls.windows_updates.deadline_days
	not d >= 0
}

deny contains "windows_updates.deadline_days must be 0-30" if {
	input.controls.windows_updates.deadline_days > 30
}

deny contains "windows_updates.grace_period_days must be 0-7" if {
	input.controls.windows_updates.grace_period_days > 7
}

# secret-plaintext: enroll secrets must be variables.
deny contains msg if {
	some key in ["team_settings", "settings", "org_settings"]
	some s in input[key].secrets
	not startswith(s.secret, "$")
	msg := sprintf("%s: enroll secret in plain text", [key])
}

# policy-name-duplicate / query-name-duplicate within a file.
deny contains msg if {
	some key in ["policies", "queries", "reports"]
	names := [p.name | some p in input[key]; p.name]
	some i, n in names
	some j, m in names
	i < j
	n == m
	msg := sprintf("duplicate %s name %s", [key, n])
}

# A schema-like check conftest users write by hand: unknown top-level keys.
allowed := {"name", "policies", "queries", "reports", "agent_options", "controls", "software", "team_settings", "settings", "org_settings", "labels"}

deny contains msg if {
	some k, _ in input
	not k in allowed
	msg := sprintf("unknown top-level key %s", [k])
}

deny contains msg if {
	some k, _ in input.team_settings.features
	not k in {"enable_host_users", "enable_software_inventory", "additional_queries", "detail_query_overrides"}
	msg := sprintf("unknown key team_settings.features.%s", [k])
}
