# METADATA
# title: Passcode lockout, auto-lock or complexity weaker than the organisation's policy
# description: |
#   Beyond the length, a passcode policy limits failed attempts and idle time and forbids
#   simple passcodes. Apple (`maxFailedAttempts` / DDM `MaximumFailedAttempts`, 2–11) and
#   Windows (DeviceLock/MaxDevicePasswordFailedAttempts, 4–16, 0 turns the lockout off) must
#   stay at or under `max_failed_attempts`; `maxInactivity` / `MaximumInactivityInMinutes` /
#   MaxInactivityTimeDeviceLock (0 = never locks) at or under `max_inactivity` minutes. With
#   `require_complex`, a team's Apple passcode payloads must forbid simple passcodes such as
#   1234: `allowSimple` defaults to true, so it must be set to false (or DDM
#   `RequireComplexPasscode` to true); Windows `AllowSimpleDevicePassword` must not be 1.
#   Values the platform refuses are errors, the rest warnings. CIS asks for lockout after 5
#   attempts and screen lock within 15-20 minutes. Each parameter can be set per platform
#   (`max_inactivity_ios`, `require_complex_windows`, …; unset means the parameter itself); an
#   Apple profile is held to the strictest value of the platforms it can reach (see
#   passcode-min-length). Fix: tighten the profile values.
# custom:
#   id: passcode-policy
#   severity: warning
#   category: passcode
#   tags: [apple, windows, passcode, profiles, cis]
#   params:
#     - name: max_failed_attempts
#       default: 11
#       description: the most failed passcode attempts before the device locks or wipes
#     - name: max_inactivity
#       default: 15
#       description: the most idle minutes before the device locks
#     - name: require_complex
#       default: true
#       description: require payloads that forbid simple passcodes (repeated or sequential characters)
#     - name: max_failed_attempts_macos
#       default: null
#       description: the most failed passcode attempts on macOS, max_failed_attempts when unset
#     - name: max_failed_attempts_ios
#       default: null
#       description: the most failed passcode attempts on iOS, max_failed_attempts when unset
#     - name: max_failed_attempts_ipados
#       default: null
#       description: the most failed passcode attempts on iPadOS, max_failed_attempts when unset
#     - name: max_failed_attempts_windows
#       default: null
#       description: the most failed passcode attempts on Windows, max_failed_attempts when unset
#     - name: max_inactivity_macos
#       default: null
#       description: the most idle minutes on macOS, max_inactivity when unset
#     - name: max_inactivity_ios
#       default: null
#       description: the most idle minutes on iOS, max_inactivity when unset
#     - name: max_inactivity_ipados
#       default: null
#       description: the most idle minutes on iPadOS, max_inactivity when unset
#     - name: max_inactivity_windows
#       default: null
#       description: the most idle minutes on Windows, max_inactivity when unset
#     - name: require_complex_macos
#       default: null
#       description: require forbidding simple passcodes on macOS, require_complex when unset
#     - name: require_complex_ios
#       default: null
#       description: require forbidding simple passcodes on iOS, require_complex when unset
#     - name: require_complex_ipados
#       default: null
#       description: require forbidding simple passcodes on iPadOS, require_complex when unset
#     - name: require_complex_windows
#       default: null
#       description: require forbidding simple passcodes on Windows, require_complex when unset
package tollgate.rules.passcode_policy

import data.tollgate.lib

id := "passcode-policy"

# Numeric settings: the key (Apple) or DeviceLock node (Windows), the parameter capping it, and
# the range the platform accepts (none known for Apple's idle time).
apple_checks := {
	["mobileconfig", "maxFailedAttempts"]: {"param": "max_failed_attempts", "lo": 2, "hi": 11},
	["ddm", "MaximumFailedAttempts"]: {"param": "max_failed_attempts", "lo": 2, "hi": 11},
	["mobileconfig", "maxInactivity"]: {"param": "max_inactivity"},
	["ddm", "MaximumInactivityInMinutes"]: {"param": "max_inactivity"},
}

windows_checks := {
	"MaxDevicePasswordFailedAttempts": {"param": "max_failed_attempts", "lo": 4, "hi": 16, "zero": "turns the lockout off"},
	"MaxInactivityTimeDeviceLock": {"param": "max_inactivity", "lo": 0, "hi": 999, "zero": "means the device never locks"},
}

# values are the numeric settings, once per kind of profile (v.p is a profile kind, see
# lib.profile_kinds_in): the findings about a value read nothing of the team that lists the
# profile, and a lib/ profile is one kind for every team of a batch.
values contains {"p": p, "pl": pl, "at": key, "name": key, "n": n, "c": c, "os": "Apple"} if {
	some [p, pl] in lib.apple_passcode_kinds
	some [format, key], c in apple_checks
	p.format == format
	n := pl.values[key]
	is_number(n)
	n == floor(n)
}

values contains {"p": p, "pl": pl, "at": "Data", "name": node, "n": n, "c": c, "os": "Windows"} if {
	some [p, pl, node] in lib.windows_devicelock_kinds
	c := windows_checks[node]
	n := lib.profile_int(pl.values.Data)
}

in_range(v) if object.get(v.c, "hi", null) == null

in_range(v) if {
	v.n >= v.c.lo
	v.n <= v.c.hi
}

report contains lib.with_severity(lib.fail_payload(v.p, v.pl, v.at, msg), "error") if {
	some v in values
	not in_range(v)
	not zero_off(v)
	msg := sprintf("%s %v is outside %v–%v, the range %s accepts", [v.name, v.n, v.c.lo, v.c.hi, v.os])
}

report contains lib.with_hint(lib.fail_payload(v.p, v.pl, v.at, msg), hint) if {
	some v in values
	zero_off(v)
	msg := sprintf("%s 0 %s", [v.name, v.c.zero])
	hint := sprintf("set %s to at most %v", [v.name, cap(v.p, v.c.param)])
}

# values_for and own are each parameter's value per platform, and the platforms with their own:
# built once per evaluation.
values_for := {[param, pl]: lib.platform_param(id, param, pl) |
	some param in {"max_failed_attempts", "max_inactivity", "require_complex"}
	some pl in lib.platforms
}

own := {[param, pl] | some [param, pl], _ in values_for; lib.platform_set(id, param, pl)}

# cap is the strictest (lowest) value of a parameter among the platforms profile p can reach.
cap(p, param) := min([values_for[[param, pl]] | some pl in lib.profile_platforms(p)])

# Windows uses 0 for "no limit".
zero_off(v) if {
	v.n == 0
	v.c.zero
}

report contains lib.with_hint(lib.fail_payload(v.p, v.pl, v.at, msg), hint) if {
	some v in values
	in_range(v)
	most := cap(v.p, v.c.param)
	v.n > most
	where := lib.platform_suffix([pl | some pl in lib.profile_platforms(v.p); own[[v.c.param, pl]]; values_for[[v.c.param, pl]] == most])
	msg := sprintf("%s is %v, above the organisation's maximum%s of %v", [v.name, v.n, where, most])
	hint := sprintf("lower %s to %v or less (or raise rules.passcode-policy.params.%s)", [v.name, most, v.c.param])
}

# Simple passcodes: Apple merges a team's passcode payloads, so one that forbids them is enough.
forbids_simple(p, pl) if {
	p.format == "mobileconfig"
	pl.values.allowSimple == false
}

forbids_simple(p, pl) if {
	p.format == "ddm"
	pl.values.RequireComplexPasscode == true
}

# A set of entries built once, not a function of one (nor a partial set, which OPA evaluates
# anew for each entry looked up in it): either would scan every payload for every payload.
# Whether a payload forbids simple passcodes depends on it and its format alone: tested once
# for all the profiles that hold it.
entries_forbidding_simple := {input.profiles[i].entry |
	some [format, pl, members] in lib.apple_passcode_groups
	forbids_simple({"format": format}, pl)
	some i in members
}

simple_msg := {
	"mobileconfig": "allowSimple is not false (it defaults to true), so simple passcodes such as 1234 are allowed",
	"ddm": "RequireComplexPasscode is not true, so simple passcodes such as 1234 are allowed",
}

simple_key := {"mobileconfig": "allowSimple", "ddm": "RequireComplexPasscode"}

# requires_complex(p): a platform profile p can reach requires forbidding simple passcodes.
requires_complex(p) if {
	some pl in lib.profile_platforms(p)
	values_for[["require_complex", pl]] == true
}

report contains lib.with_hint(lib.fail_payload(p, pl, simple_key[p.format], simple_msg[p.format]), hint) if {
	some [p, pl] in allowing_simple
	requires_complex(p)
	hint := sprintf("set %s to %v", [simple_key[p.format], p.format == "ddm"])
}

# The Apple passcode payloads of the entries that allow simple passcodes, once per kind of
# profile (p is a profile kind, see lib.profile_kinds_in): the finding reads nothing else of
# the profile.
allowing_simple contains [kind, pl] if {
	some [format, pl, members] in lib.apple_passcode_groups
	allowing := [i | some i in members; not entries_forbidding_simple[input.profiles[i].entry]]
	some kind in lib.profile_kinds_in(format, allowing)
}

report contains lib.with_hint(lib.fail_payload(p, pl, "Data", msg), hint) if {
	some [p, pl, "AllowSimpleDevicePassword"] in lib.windows_devicelock_kinds
	requires_complex(p)
	lib.profile_int(pl.values.Data) == 1
	msg := "AllowSimpleDevicePassword is 1, so simple passwords such as 1234 are allowed"
	hint := "write <Data>0</Data>"
}
