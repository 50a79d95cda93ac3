package tollgate.rules.os_update_profile_conflict_test

import data.tollgate.rules.os_update_profile_conflict

ref := ["controls", "macos_settings", "custom_settings", 0, "path"]

ddm(typ) := {"file": "lib/u.json", "entry": "teams/t.yml", "format": "ddm", "ref": ref, "payloads": [{"type": typ}]}

win(locuri) := {"file": "lib/u.xml", "entry": "teams/t.yml", "format": "syncml", "ref": ref, "payloads": [{"type": locuri}]}

findings(controls, profiles) := fs if {
	fs := os_update_profile_conflict.report with input as {
		"global": null,
		"teams": [{"file": "teams/t.yml", "doc": {"controls": controls}}],
		"profiles": profiles,
	}
}

enforcement := "com.apple.configuration.softwareupdate.enforcement.specific"

test_apple_conflict_at_the_reference if {
	fs := findings({"macos_updates": {"minimum_version": "15.7.9", "deadline": "2026-12-01"}}, [ddm(enforcement)])
	count(fs) == 1
	some f in fs
	f.file == "teams/t.yml"
	f.path == ref
	startswith(f.msg, "macos_updates is set")
}

test_apple_unset_controls_are_silent if {
	count(findings({"macos_updates": {"minimum_version": "", "deadline": null}}, [ddm(enforcement)])) == 0
	count(findings({}, [ddm(enforcement)])) == 0
}

test_apple_other_declaration_is_silent if {
	count(findings({"ios_updates": {"minimum_version": "18.7.10", "deadline": "2026-12-01"}}, [ddm("com.apple.configuration.softwareupdate.settings")])) == 0
}

test_windows_conflict if {
	fs := findings({"windows_updates": {"deadline_days": 7, "grace_period_days": 2}}, [win("./Device/Vendor/MSFT/Policy/Config/Update/ConfigureDeadlineForQualityUpdates")])
	some f in fs
	contains(f.msg, "Update/ConfigureDeadlineForQualityUpdates")
}

test_windows_not_configured_is_silent if {
	count(findings({"windows_updates": {"deadline_days": null, "grace_period_days": null}}, [win("./Device/Vendor/MSFT/Policy/Config/Update/ConfigureDeadlineForQualityUpdates")])) == 0
}

test_windows_registry_update_key_is_silent if {
	count(findings({"windows_updates": {"deadline_days": 7, "grace_period_days": 2}}, [win("./Device/Vendor/MSFT/Registry/HKLM/Software/Policies/Microsoft/Windows/WindowsUpdate/AllowRebootlessUpdates")])) == 0
}
