package tollgate.rules.passcode_policy_test

import data.tollgate.rules.passcode_policy

params := {"passcode-policy": {"max_failed_attempts": 11, "max_inactivity": 15, "require_complex": true}}

mc(values) := {
	"file": "lib/passcode.mobileconfig", "entry": "teams/t.yml", "format": "mobileconfig",
	"payloads": [{"type": "com.apple.mobiledevice.passwordpolicy", "values": values, "keys": {"maxFailedAttempts": {"line": 20, "col": 4}}, "line": 7, "col": 3}],
}

ddm(values) := {
	"file": "lib/passcode.json", "entry": "teams/t.yml", "format": "ddm",
	"payloads": [{"type": "com.apple.configuration.passcode.settings", "values": values, "keys": {}, "line": 4, "col": 16}],
}

win(node, value) := {
	"file": "lib/password.xml", "entry": "teams/t.yml", "format": "syncml",
	"payloads": [{
		"type": sprintf("./Device/Vendor/MSFT/Policy/Config/DeviceLock/%s", [node]),
		"values": {"Data": value}, "keys": {"Data": {"line": 9, "col": 5}}, "line": 3, "col": 3,
	}],
}

findings(ps) := fs if {
	fs := passcode_policy.report with input as {"profiles": ps} with data.tollgate.params as params
}

msgs(ps) := {f.msg | some f in findings(ps)}

test_good_apple_payload_is_silent if {
	count(findings([mc({"maxFailedAttempts": 5, "maxInactivity": 5, "allowSimple": false})])) == 0
	count(findings([ddm({"MaximumFailedAttempts": 5, "MaximumInactivityInMinutes": 15, "RequireComplexPasscode": true})])) == 0
}

test_failed_attempts_outside_apple_range_is_an_error if {
	fs := findings([mc({"maxFailedAttempts": 20, "allowSimple": false})])
	some f in fs
	f.msg == "maxFailedAttempts 20 is outside 2–11, the range Apple accepts"
	f.severity == "error"
	f.line == 20
}

test_apple_zero_failed_attempts_is_out_of_range if {
	"maxFailedAttempts 0 is outside 2–11, the range Apple accepts" in msgs([mc({"maxFailedAttempts": 0, "allowSimple": false})])
}

test_inactivity_above_cap if {
	"MaximumInactivityInMinutes is 20, above the organisation's maximum of 15" in msgs([ddm({"MaximumInactivityInMinutes": 20, "RequireComplexPasscode": true})])
}

test_allow_simple_default if {
	fs := findings([mc({"minLength": 12})])
	some f in fs
	startswith(f.msg, "allowSimple is not false")
	f.line == 7
}

test_allow_simple_covered_by_ddm if {
	count(findings([mc({"minLength": 12}), ddm({"RequireComplexPasscode": true})])) == 0
}

test_windows_lockout_off if {
	"MaxDevicePasswordFailedAttempts 0 turns the lockout off" in msgs([win("MaxDevicePasswordFailedAttempts", "0")])
}

test_windows_lockout_range if {
	"MaxDevicePasswordFailedAttempts 2 is outside 4–16, the range Windows accepts" in msgs([win("MaxDevicePasswordFailedAttempts", "2")])
}

test_windows_lockout_above_cap if {
	"MaxDevicePasswordFailedAttempts is 14, above the organisation's maximum of 11" in msgs([win("MaxDevicePasswordFailedAttempts", "14")])
}

test_windows_never_locks if {
	"MaxInactivityTimeDeviceLock 0 means the device never locks" in msgs([win("MaxInactivityTimeDeviceLock", "0")])
}

test_windows_good_values_are_silent if {
	count(findings([win("MaxInactivityTimeDeviceLock", "15"), win("MaxDevicePasswordFailedAttempts", "5"), win("AllowSimpleDevicePassword", "0")])) == 0
}

test_windows_simple_allowed if {
	"AllowSimpleDevicePassword is 1, so simple passwords such as 1234 are allowed" in msgs([win("AllowSimpleDevicePassword", "1")])
}

# Per platform: iPhones may idle 5 minutes, and their PIN may be simple; Macs keep the defaults.
platform_params := {"passcode-policy": {
	"max_failed_attempts": 11, "max_inactivity": 15, "require_complex": true,
	"max_inactivity_ios": 5, "require_complex_ios": false,
}}

on(p, platforms) := object.union(p, {"apple_platforms": platforms})

per_platform(ps) := {f.msg | some f in passcode_policy.report with input as {"profiles": ps} with data.tollgate.params as platform_params}

test_ios_has_its_own_cap if {
	"maxInactivity is 10, above the organisation's maximum for iOS of 5" in per_platform([on(mc({"maxInactivity": 10, "allowSimple": false}), ["ios"])])
	count(per_platform([on(mc({"maxInactivity": 10, "allowSimple": false}), ["macos"])])) == 0
}

test_strictest_cap_for_every_apple_platform if {
	count(per_platform([on(mc({"maxInactivity": 10, "allowSimple": false}), ["ios", "ipados", "macos"])])) == 1
}

test_simple_allowed_where_no_platform_requires_complex if {
	count(per_platform([on(mc({"maxInactivity": 5}), ["ios"])])) == 0
	count(per_platform([on(mc({"maxInactivity": 5}), ["ios", "macos"])])) == 1
}

# A lib/ profile listed by several teams: the payload is judged once, but whether simple
# passcodes are forbidden is still a question for each team.
test_shared_profile_allows_simple_in_the_team_without_a_forbidding_payload if {
	shared := mc({"minLength": 12})
	other_team := object.union(shared, {"entry": "teams/u.yml"})
	forbidding := object.union(ddm({"RequireComplexPasscode": true}), {"entry": "teams/u.yml"})
	fs := findings([shared, other_team, forbidding])
	count([f | some f in fs; startswith(f.msg, "allowSimple is not false")]) == 1
	count(findings([other_team, forbidding])) == 0
}

test_shared_profile_reported_once if {
	ps := [object.union(mc({"maxFailedAttempts": 20, "allowSimple": false}), {"entry": sprintf("teams/%d.yml", [i])}) | some i in numbers.range(1, 5)]
	count(findings(ps)) == 1
}
