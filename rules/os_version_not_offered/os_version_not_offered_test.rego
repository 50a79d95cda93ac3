package tollgate.rules.os_version_not_offered_test

import data.tollgate.rules.os_version_not_offered as rule

team(controls) := {"global": null, "teams": [{"file": "fleets/t.yml", "doc": {"controls": controls}}]}

# 2026-08-25: the embedded catalog (2026-08-22) is fresh.
fresh := 1787616000000000000

# 2026-11-25: it is three months old.
stale := 1795564800000000000

findings(controls, now) := fs if {
	fs := rule.report with input as team(controls) with time.now_ns as now
}

test_offered_version_is_silent if {
	count(findings({"macos_updates": {"minimum_version": "26.6.2", "deadline": "2026-09-30"}}, fresh)) == 0
	count(findings({"ios_updates": {"minimum_version": "18.7.10", "deadline": "2026-09-30"}}, fresh)) == 0
}

test_released_but_no_longer_offered if {
	fs := findings({"macos_updates": {"minimum_version": "15.3", "deadline": "2026-09-30"}}, fresh)
	count(fs) == 1
	some f in fs
	f.path == ["controls", "macos_updates", "minimum_version"]
	f.severity == "error"
	contains(f.msg, "GDMF list of 2026-08-22")
	contains(f.hint, "15.7.9")
}

test_stale_catalog_is_a_warning if {
	some f in findings({"macos_updates": {"minimum_version": "15.3", "deadline": "2026-12-30"}}, stale)
	f.severity == "warning"
}

# A version Apple offers for iPads but no longer for iPhones is refused in ios_updates. (A
# version only ever released for iPads, such as 17.7.11, is os-version-unreleased's: it is
# the wrong platform whatever GDMF says.)
test_ipados_only_offer_in_ios_updates if {
	fs := rule.report with input as team({"ios_updates": {"minimum_version": "18.7.10", "deadline": "2026-09-30"}})
		with time.now_ns as fresh
		with data.os_catalog.ios.gdmf as ["26.6.1", "18.7.9"]
	some f in fs
	contains(f.msg, "offered for iPads only")
	count(findings({"ios_updates": {"minimum_version": "17.7.11", "deadline": "2026-09-30"}}, fresh)) == 0
	count(findings({"ipados_updates": {"minimum_version": "17.7.11", "deadline": "2026-09-30"}}, fresh)) == 0
}

test_latest_is_not_checked if {
	count(findings({"macos_updates": {"minimum_version": "latest", "deadline_days": 7}}, fresh)) == 0
}

test_unreleased_is_left_to_os_version_unreleased if {
	count(findings({"macos_updates": {"minimum_version": "99.1", "deadline": "2026-09-30"}}, fresh)) == 0
}

test_fleet_before_4_83_does_not_check if {
	fs := rule.report with input as team({"macos_updates": {"minimum_version": "15.3", "deadline": "2026-09-30"}})
		with time.now_ns as fresh
		with data.fleet_version as "4.82"
	count(fs) == 0
}

test_catalog_without_gdmf_is_silent if {
	fs := rule.report with input as team({"macos_updates": {"minimum_version": "15.3", "deadline": "2026-09-30"}})
		with time.now_ns as fresh
		with data.os_catalog.macos.gdmf as null
	count(fs) == 0
}
