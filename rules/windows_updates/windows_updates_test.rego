package tollgate.rules.windows_updates_test

import data.tollgate.rules.windows_updates

params := {"windows-updates": {"max_deadline_days": 7, "max_grace_period_days": 2}}

findings(u) := fs if {
	fs := windows_updates.report with input as {"global": null, "teams": [{"file": "teams/t.yml", "doc": {"controls": {"windows_updates": u}}}]}
		with data.tollgate.params as params
}

test_fleet_values_within_caps_are_silent if {
	count(findings({"deadline_days": 7, "grace_period_days": 2})) == 0
	count(findings({"deadline_days": null, "grace_period_days": null})) == 0
}

test_deadline_above_cap if {
	fs := findings({"deadline_days": 14, "grace_period_days": 2})
	count(fs) == 1
	some f in fs
	f.path == ["controls", "windows_updates", "deadline_days"]
	f.msg == "deadline_days 14 is above the organisation's maximum of 7 days"
}

test_grace_above_cap if {
	fs := findings({"deadline_days": 5, "grace_period_days": 5})
	some f in fs
	f.path == ["controls", "windows_updates", "grace_period_days"]
}

test_values_fleet_refuses_are_left_to_the_schema if {
	count(findings({"deadline_days": 31, "grace_period_days": "2"})) == 0
	count(findings({"deadline": "5", "grace_period": "2"})) == 0
	count(findings({"deadline_days": 5.5, "grace_period_days": -1})) == 0
}

test_zero_and_zero_warns if {
	fs := findings({"deadline_days": 0, "grace_period_days": 0})
	some f in fs
	f.severity == "warning"
}
