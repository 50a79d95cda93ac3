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
