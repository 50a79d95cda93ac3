package tollgate.rules.os_update_deadline_test

import data.tollgate.rules.os_update_deadline

team(u) := {"global": null, "teams": [{"file": "teams/t.yml", "doc": {"controls": {"macos_updates": u}}}]}

params := {"os-update-deadline": {"min_days_ahead": 3, "past_severity": "warning"}}

findings(u) := fs if {
	fs := os_update_deadline.report with input as team(u)
		with data.tollgate.params as params
		with time.now_ns as 1795564800000000000
}

test_missing_deadline if {
	fs := findings({"minimum_version": "15.1"})
	some f in fs
	contains(f.msg, "deadline is required")
}

test_past_deadline_is_a_warning if {
	fs := findings({"minimum_version": "15.1", "deadline": "2026-01-01"})
	some f in fs
	contains(f.msg, "has passed")
	f.severity == "warning"
}

test_deadline_before_release if {
	fs := findings({"minimum_version": "26.6.2", "deadline": "2026-08-01"})
	some f in fs
	contains(f.msg, "before 26.6.2 was released")
}

test_good_deadline_is_silent if {
	count(findings({"minimum_version": "15.1", "deadline": "2027-01-15"})) == 0
}

test_too_close if {
	fs := findings({"minimum_version": "15.1", "deadline": "2026-11-26"})
	some f in fs
	contains(f.msg, "only 1 day(s) away")
}

test_latest_needs_deadline_days if {
	fs := findings({"minimum_version": "latest"})
	some f in fs
	contains(f.msg, "needs deadline_days")
}

test_deadline_without_version if {
	fs := findings({"deadline": "2027-01-15", "minimum_version": ""})
	some f in fs
	contains(f.msg, "minimum_version is required")
}

test_latest_with_deadline if {
	fs := findings({"minimum_version": "latest", "deadline": "2027-01-15"})
	some f in fs
	contains(f.msg, "takes deadline_days, not deadline")
}

test_deadline_days_with_exact_version if {
	fs := findings({"minimum_version": "15.1", "deadline": "2027-01-15", "deadline_days": 5})
	some f in fs
	f.path == ["controls", "macos_updates", "deadline_days"]
}

# Fleet's TestAppleOSUpdatesLatestValidate: "latest with deadline_days" is valid, "latest
# with zero deadline_days" and "deadline_days with no version" are not.
test_latest_with_deadline_days_is_silent if {
	count(findings({"minimum_version": "latest", "deadline_days": 7})) == 0
	count(findings({"minimum_version": "latest", "deadline_days": 1, "deadline": ""})) == 0
}

test_latest_with_zero_deadline_days if {
	fs := findings({"minimum_version": "latest", "deadline_days": 0})
	some f in fs
	f.path == ["controls", "macos_updates", "deadline_days"]
	contains(f.msg, "must be at least 1")
}

test_deadline_days_without_version if {
	fs := findings({"deadline_days": 14})
	some f in fs
	f.path == ["controls", "macos_updates", "deadline_days"]
}

# A date that does not exist is the schema's finding: this rule says nothing about it.
test_impossible_date_is_silent if {
	count(findings({"minimum_version": "15.1", "deadline": "2027-02-30"})) == 0
}

test_today_is_zero_days_away if {
	fs := findings({"minimum_version": "15.1", "deadline": "2026-11-25"})
	some f in fs
	contains(f.msg, "only 0 day(s) away")
}

# quiet settles a section without running the checks: it must never hold where a check finds
# something. Every combination of the settings' usual and unusual values, on two platforms.
settings_combinations := [u |
	some mv in [{}, {"minimum_version": ""}, {"minimum_version": "latest"}, {"minimum_version": "15.1"},
		{"minimum_version": "26.6.2"}, {"minimum_version": "99.0"}, {"minimum_version": 15.1},
		{"minimum_version": null}]
	some dl in [{}, {"deadline": ""}, {"deadline": "2026-01-01"}, {"deadline": "2026-11-25"},
		{"deadline": "2026-11-27"}, {"deadline": "2026-11-28"}, {"deadline": "2026-08-01"},
		{"deadline": "2027-01-15"}, {"deadline": "2027-02-30"}, {"deadline": "2027/01/15"},
		{"deadline": 20270115}]
	some dd in [{}, {"deadline_days": ""}, {"deadline_days": 0}, {"deadline_days": 5}]
	u := object.union(object.union(mv, dl), dd)
]

# At two dates: today (2026-11-25), and 2026-06-01, when a deadline of 2026-08-01 is far enough
# ahead but before 26.6.2 was released.
test_quiet_is_sound if {
	quiet := [[now, platform, u] |
		some now in [1795564800000000000, 1780272000000000000]
		some platform in ["macos", "ios"]
		some u in settings_combinations
		os_update_deadline.quiet(platform, u) with data.tollgate.params as params
			with time.now_ns as now
	]
	count(quiet) >= 8 # the right enforcements: 15.1 and 26.6.2 far enough ahead, each platform and date
	unsound := [[now, platform, u, fs] |
		some [now, platform, u] in quiet
		fs := os_update_deadline.checks("macos_updates", platform, u) with data.tollgate.params as params
			with time.now_ns as now
		count(fs) > 0
	]
	unsound == []
}
