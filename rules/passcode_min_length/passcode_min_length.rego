# METADATA
# title: Passcode minimum length below the organisation's minimum
# description: |
#   The minimum passcode length a profile enforces must be at least `min_length`: `minLength` in
#   an Apple passcode payload (com.apple.mobiledevice.passwordpolicy, signed profiles too),
#   `MinimumLength` in a DDM passcode declaration (com.apple.configuration.passcode.settings) and
#   the Windows Policy CSP node DeviceLock/MinDevicePasswordLength. When no Apple passcode payload
#   of a team sets the length, Apple's default of 0 applies; when a team sets DeviceLock policies
#   without MinDevicePasswordLength, Windows' default of 4 applies: both are too short. Values the
#   platform refuses (Apple 0–16, Windows 4–16) are errors; a `min_length` above 16 could not be
#   met on either platform, so the configuration refuses it. CIS asks for 15 characters; NIST
#   SP 800-63B for 8 with a second factor and 15 without. Each platform can have its own
#   minimum (`min_length_macos`, `min_length_ios`, `min_length_ipados`, `min_length_windows`;
#   unset means `min_length`): a 6-digit PIN on iPhones, 12 characters on Macs. Fleet delivers a
#   team's Apple profiles to its macOS, iOS and iPadOS hosts alike, so an Apple profile is held
#   to the strictest minimum of the platforms it can reach: those of the built-in labels
#   `macOS`, `iOS`, `iPadOS` on the item that lists it (`labels_include_all`, or
#   `labels_include_any` naming only platform labels; `labels_exclude_any` removes), else the
#   platform its directory is named for (`lib/ios/…`, `platforms/ipados/…`, as Fleet's template
#   lays them out), else all three. Fix: raise the value in the profile (at most 16).
# custom:
#   id: passcode-min-length
#   severity: error
#   category: passcode
#   tags: [apple, windows, passcode, profiles, cis, nist]
#   security: true
#   security_severity: 6.5
#   params:
#     - name: min_length
#       default: 12
#       description: the shortest passcode length the organisation accepts, on every platform without its own
#       minimum: 1
#       maximum: 16
#       why: Apple and Windows accept a minimum passcode length of at most 16
#     - name: min_length_macos
#       default: null
#       description: the shortest passcode length for macOS, min_length when unset
#       minimum: 1
#       maximum: 16
#       why: Apple accepts a minimum passcode length of at most 16
#     - name: min_length_ios
#       default: null
#       description: the shortest passcode length for iOS, min_length when unset
#       minimum: 1
#       maximum: 16
#       why: Apple accepts a minimum passcode length of at most 16
#     - name: min_length_ipados
#       default: null
#       description: the shortest passcode length for iPadOS, min_length when unset
#       minimum: 1
#       maximum: 16
#       why: Apple accepts a minimum passcode length of at most 16
#     - name: min_length_windows
#       default: null
#       description: the shortest passcode length for Windows, min_length when unset
#       minimum: 1
#       maximum: 16
#       why: Windows accepts a minimum password length of at most 16
package tollgate.rules.passcode_min_length

import data.tollgate.lib

id := "passcode-min-length"


# mins and own are the minimum per platform and the platforms with their own parameter: built
# once per evaluation, so each profile costs a lookup per platform it reaches.
mins := {pl: lib.platform_param(id, "min_length", pl) | some pl in lib.platforms}

own := {pl | some pl in lib.platforms; lib.platform_set(id, "min_length", pl)}

# required(p) is the minimum length profile p must enforce: the strictest of the platforms it
# can reach.
required(p) := max([mins[pl] | some pl in lib.profile_platforms(p)])

# where(p, n) is " for iOS" when a platform's own parameter set the minimum n, "" otherwise.
where(p, n) := lib.platform_suffix([pl | some pl in lib.profile_platforms(p); own[pl]; mins[pl] == n])

apple_key := {"mobileconfig": "minLength", "ddm": "MinimumLength"}

# settings: every place a length is set, with the platform's accepted range, once per kind of
# profile (s.p is a profile kind, see lib.profile_kinds_in): the findings about a setting read
# nothing of the team that lists the profile, and a lib/ profile is one kind for every team of
# a batch.
settings contains {"p": p, "pl": pl, "key": key, "v": pl.values[key], "lo": 0, "hi": 16, "os": "Apple"} if {
	some [p, pl] in lib.apple_passcode_kinds
	key := apple_key[p.format]
	pl.values[key] != null
}

settings contains {"p": p, "pl": pl, "key": "Data", "v": pl.values.Data, "lo": 4, "hi": 16, "os": "Windows"} if {
	some [p, pl, node] in lib.windows_devicelock_kinds
	node == "MinDevicePasswordLength"
}

name(s) := apple_key[s.p.format] if s.os == "Apple"

# int_of is the value as a whole number: Apple wants an <integer> (a string is refused),
# SyncML <Data> is text.
int_of(s) := s.v if {
	s.os == "Apple"
	is_number(s.v)
	lib.profile_int(s.v)
}

int_of(s) := lib.profile_int(s.v) if s.os == "Windows"

name(s) := "MinDevicePasswordLength" if s.os == "Windows"

# A value that is not a whole number (Apple wants an <integer>); Fleet placeholders are skipped.
report contains lib.with_hint(lib.fail_payload(s.p, s.pl, s.key, msg), hint) if {
	some s in settings
	s.os == "Apple"
	not int_of(s)
	not lib.profile_placeholder(s.v)
	msg := sprintf("%s is %v, not a whole number: the passcode payload is refused", [name(s), s.v])
	hint := sprintf("write <integer>%v</integer> or more, at most 16", [min([required(s.p), 16])])
}

report contains lib.with_hint(lib.fail_payload(s.p, s.pl, s.key, msg), hint) if {
	some s in settings
	n := int_of(s)
	not between(n, s.lo, s.hi)
	msg := sprintf("%s %v is outside %d–%d, the range %s accepts", [name(s), n, s.lo, s.hi, s.os])
	hint := sprintf("use a value from %v to 16", [max([required(s.p), s.lo])])
}

report contains lib.with_hint(lib.fail_payload(s.p, s.pl, s.key, msg), hint) if {
	some s in settings
	n := int_of(s)
	between(n, s.lo, s.hi)
	want := required(s.p)
	n < want
	msg := sprintf("%s is %v, below the required minimum passcode length%s of %v", [name(s), n, where(s.p, want), want])
	hint := sprintf("set %s to at least %v", [name(s), want])
}

between(n, lo, hi) if {
	n >= lo
	n <= hi
}

# No Apple passcode payload of the entry sets a length: Apple's default is 0.
report contains lib.with_hint(lib.fail_at(p.file, pl.line, pl.col, msg), hint) if {
	some [p, pl] in apple_payloads_without_length
	msg := sprintf("the passcode payload sets no %s, so any length is accepted (Apple's default is 0)", [apple_key[p.format]])
	hint := sprintf("add %s with a value of at least %v", [apple_key[p.format], min([required(p), 16])])
}

# The Apple passcode payloads of the entries that set no length, once per kind of profile (p is
# a profile kind, see lib.profile_kinds_in): the finding reads nothing else of the profile.
apple_payloads_without_length contains [kind, pl] if {
	some [format, pl, members] in lib.apple_passcode_groups
	without := [i | some i in members; not entries_setting_apple_length[input.profiles[i].entry]]
	some kind in lib.profile_kinds_in(format, without)
}

sets_apple_length(format, pl) if pl.values[apple_key[format]] != null

# The entries and their settings are sets built once, not functions of the entry (nor partial
# sets, which OPA evaluates anew for each entry looked up in them): either would scan every
# payload for every payload. Whether a payload sets the length is tested once for all the
# profiles that hold it.
entries_setting_apple_length := {input.profiles[i].entry |
	some [format, pl, members] in lib.apple_passcode_groups
	sets_apple_length(format, pl)
	some i in members
}

# Password policies without MinDevicePasswordLength anywhere in the entry: Windows' default is 4.
report contains lib.with_hint(lib.fail_at(file, line, col, msg), hint) if {
	some key in {x.key | some x in password_payloads}
	[entry, _, file] := key
	not entries_setting_windows_length[entry]
	firsts := [x.pos | some x in password_payloads; x.key == key] # indexed by key (see below)
	[line, col] := min(firsts)
	msg := "DeviceLock password policies are set but no profile of the team sets MinDevicePasswordLength, so Windows requires only 4 characters"
	hint := sprintf("add ./Device/Vendor/MSFT/Policy/Config/DeviceLock/MinDevicePasswordLength with <Data>%v</Data> or more", [min([max([mins.windows, 4]), 16])])
}

entries_setting_windows_length := {p.entry |
	some [p, pl, "MinDevicePasswordLength"] in lib.windows_devicelock_payloads
	_ = pl.values.Data # present, as settings needs it
}

# profile_key tells a team's profile entries apart (ref is where the entry lists it).
profile_key(p) := [p.entry, object.get(p, "ref", null), p.file]

# password_payloads are the DeviceLock password payloads, each with its profile's key. The
# report looks them up by key in a comprehension that closes over the key alone, which OPA
# indexes once per evaluation (a key that finds nothing would be evaluated in full, so only
# keys of these payloads are looked up); comparing every profile with every payload's
# profile was quadratic in a batch's profiles.
password_payloads contains {"key": profile_key(p), "pos": [pl.line, pl.col]} if {
	some [p, pl, node] in lib.windows_devicelock_payloads
	node in lib.windows_password_nodes
}
