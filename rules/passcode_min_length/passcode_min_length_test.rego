package tollgate.rules.passcode_min_length_test

import data.tollgate.rules.passcode_min_length

params(n) := {"passcode-min-length": {"min_length": n}}

mc(values, keys) := {
	"file": "lib/passcode.mobileconfig", "entry": "teams/t.yml", "format": "mobileconfig",
	"payloads": [{"type": "com.apple.mobiledevice.passwordpolicy", "values": values, "keys": keys, "line": 10, "col": 5}],
}

ddm(values, keys) := {
	"file": "lib/passcode.json", "entry": "teams/t.yml", "format": "ddm",
	"payloads": [{"type": "com.apple.configuration.passcode.settings", "values": values, "keys": keys, "line": 4, "col": 14}],
}

win(node, value) := {
	"file": "lib/password.xml", "entry": "teams/t.yml", "format": "syncml",
	"payloads": [{
		"type": sprintf("./Device/Vendor/MSFT/Policy/Config/DeviceLock/%s", [node]),
		"values": {"Data": value}, "keys": {"Data": {"line": 9, "col": 5}}, "line": 3, "col": 3,
	}],
}

model(profiles) := {"global": null, "teams": [], "profiles": profiles, "repo": {"teams": [{"file": "teams/t.yml"}]}}

findings(profiles, n) := fs if {
	fs := passcode_min_length.report with input as model(profiles) with data.tollgate.params as params(n)
}

test_apple_length_8_below_12_at_its_line if {
	fs := findings([mc({"minLength": 8}, {"minLength": {"line": 21, "col": 3}})], 12)
	count(fs) == 1
	some f in fs
	f.line == 21
	f.col == 3
	f.msg == "minLength is 8, below the required minimum passcode length of 12"
}

test_apple_length_12_is_silent if {
	count(findings([mc({"minLength": 12}, {"minLength": {"line": 21, "col": 3}})], 12)) == 0
}

test_ddm_length_below if {
	fs := findings([ddm({"MinimumLength": 10}, {"MinimumLength": {"line": 6, "col": 5}})], 12)
	some f in fs
	contains(f.msg, "MinimumLength is 10")
	f.line == 6
}

test_windows_length_below if {
	fs := findings([win("MinDevicePasswordLength", "8")], 12)
	some f in fs
	contains(f.msg, "MinDevicePasswordLength is 8")
	f.line == 9
}

test_windows_length_16_is_silent if {
	count(findings([win("MinDevicePasswordLength", "16")], 12)) == 0
}

test_windows_below_platform_minimum if {
	fs := findings([win("MinDevicePasswordLength", "2")], 2)
	some f in fs
	f.msg == "MinDevicePasswordLength 2 is outside 4–16, the range Windows accepts"
}

test_apple_above_16 if {
	fs := findings([mc({"minLength": 20}, {})], 12)
	some f in fs
	contains(f.msg, "outside 0–16")
	f.line == 10 # no key position: the payload's
}

test_apple_string_value if {
	fs := findings([mc({"minLength": "12"}, {})], 12)
	some f in fs
	contains(f.msg, "not a whole number")
}

test_placeholder_is_skipped if {
	count(findings([mc({"minLength": "$FLEET_VAR_LEN"}, {})], 12)) == 0
}

test_apple_missing_length if {
	fs := findings([mc({"forcePIN": true}, {})], 12)
	some f in fs
	contains(f.msg, "sets no minLength")
}

test_apple_missing_length_covered_by_another_payload if {
	fs := findings([mc({"forcePIN": true}, {}), ddm({"MinimumLength": 14}, {})], 12)
	count(fs) == 0
}

test_windows_missing_length if {
	fs := findings([win("DevicePasswordEnabled", "0")], 12)
	some f in fs
	contains(f.msg, "no profile of the team sets MinDevicePasswordLength")
}

test_windows_lock_screen_node_alone_is_silent if {
	count(findings([win("PreventLockScreenSlideShow", "1")], 12)) == 0
}

# Per-platform minimums: iPhones with a 6-digit PIN, Macs with 12 characters, Windows 14.
platform_params := {"passcode-min-length": {
	"min_length": 12, "min_length_macos": null, "min_length_ios": 6,
	"min_length_ipados": null, "min_length_windows": 14,
}}

on(p, platforms) := object.union(p, {"apple_platforms": platforms})

per_platform(profiles) := fs if {
	fs := passcode_min_length.report with input as model(profiles) with data.tollgate.params as platform_params
}

test_ios_profile_meets_the_ios_minimum if {
	count(per_platform([on(mc({"minLength": 6}, {}), ["ios"])])) == 0
}

test_macos_profile_keeps_min_length if {
	fs := per_platform([on(mc({"minLength": 6}, {}), ["macos"])])
	some f in fs
	f.msg == "minLength is 6, below the required minimum passcode length of 12"
}

# A profile that can reach iPhones and Macs is held to the stricter minimum.
test_profile_for_every_apple_platform_takes_the_strictest if {
	fs := per_platform([on(mc({"minLength": 8}, {}), ["ios", "ipados", "macos"])])
	count(fs) == 1
}

test_platform_named_when_its_own_minimum_applies if {
	fs := per_platform([win("MinDevicePasswordLength", "12")])
	some f in fs
	f.msg == "MinDevicePasswordLength is 12, below the required minimum passcode length for Windows of 14"
	f.hint == "set MinDevicePasswordLength to at least 14"
}

# A lib/ profile listed by several teams: its length is judged once, but whether a team sets a
# length at all is a question for each team.
test_shared_profile_without_length_in_the_team_without_another_payload if {
	shared := mc({"forcePIN": true}, {})
	other_team := object.union(shared, {"entry": "teams/u.yml"})
	setting := object.union(ddm({"MinimumLength": 14}, {}), {"entry": "teams/u.yml"})
	fs := findings([shared, other_team, setting], 12)
	count([f | some f in fs; contains(f.msg, "sets no minLength")]) == 1
	count(findings([other_team, setting], 12)) == 0
}

test_shared_profile_below_reported_once if {
	ps := [object.union(mc({"minLength": 8}, {"minLength": {"line": 21, "col": 3}}), {"entry": sprintf("teams/%d.yml", [i])}) | some i in numbers.range(1, 5)]
	count(findings(ps, 12)) == 1
}
