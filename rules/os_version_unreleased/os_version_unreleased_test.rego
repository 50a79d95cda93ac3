package tollgate.rules.os_version_unreleased_test

import data.tollgate.rules.os_version_unreleased

team(controls) := {"global": null, "teams": [{"file": "teams/t.yml", "doc": {"controls": controls}}]}

test_unreleased_major_is_reported if {
	fs := os_version_unreleased.report with input as team({"macos_updates": {"minimum_version": "99.1", "deadline": "2030-01-01"}})
	count(fs) == 1
	some f in fs
	f.path == ["controls", "macos_updates", "minimum_version"]
}

test_released_version_is_silent if {
	fs := os_version_unreleased.report with input as team({"macos_updates": {"minimum_version": "15.1", "deadline": "2030-01-01"}})
	count(fs) == 0
}

test_latest_is_silent if {
	fs := os_version_unreleased.report with input as team({"macos_updates": {"minimum_version": "latest", "deadline_days": 7}})
	count(fs) == 0
}

test_non_string_is_left_to_the_schema if {
	fs := os_version_unreleased.report with input as team({"ios_updates": {"minimum_version": 18.1}})
	count(fs) == 0
}

# 15.10 (a typo for 15.1, or a wish for a release that never came) is fixed on its own line:
# the hint names the newest 15.x, never the next major, which would be a riskier change.
test_hint_stays_on_the_major_line if {
	fs := os_version_unreleased.report with input as team({"macos_updates": {"minimum_version": "15.10", "deadline": "2030-01-01"}})
	some f in fs
	status := tollgate.os_version_status("macos", "15.10")
	status.latest_in_major != status.latest
	startswith(status.latest_in_major, "15.")
	f.hint == sprintf("use a released version such as %q", [status.latest_in_major])
}

# A major Apple never shipped has no line of its own: the newest release is the hint.
test_hint_for_an_unknown_major_is_the_newest_release if {
	fs := os_version_unreleased.report with input as team({"macos_updates": {"minimum_version": "99.1", "deadline": "2030-01-01"}})
	some f in fs
	f.hint == sprintf("use a released version such as %q", [tollgate.os_version_status("macos", "99.1").latest])
}
