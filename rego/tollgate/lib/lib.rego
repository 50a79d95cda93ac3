# METADATA
# title: tollgate's Rego library
# description: |
#   Helpers for rules: build findings that the engine locates at file:line:column, read rule
#   parameters, compare versions and dates, walk the repository model. Import it with
#   `import data.tollgate.lib`.
package tollgate.lib

# fail is a finding at a data path of a YAML document: the engine maps the path (across
# includes) to the exact file, line and column. file is the entry file (or package file) the
# path starts in, path an array of keys and indices.
fail(file, path, msg) := {"file": file, "path": path, "msg": msg}

# fail_key is like fail but points at the mapping key instead of the value.
fail_key(file, path, msg) := {"file": file, "path": path, "msg": msg, "at": "key"}

# fail_at is a finding at an explicit position (profiles, scripts: files without a data path).
fail_at(file, line, col, msg) := {"file": file, "line": line, "col": col, "msg": msg}

# fail_file is a finding about a file as a whole (line 1).
fail_file(file, msg) := {"file": file, "msg": msg}

# with_hint adds a "how to fix" hint to a finding.
with_hint(f, hint) := object.union(f, {"hint": hint})

# with_severity overrides the rule's default severity for one finding.
with_severity(f, severity) := object.union(f, {"severity": severity})

# param returns the value of a rule parameter; the engine fills in the defaults declared in
# the rule's METADATA, overridden by .tollgate.yaml.
param(rule_id, name) := rule_params(rule_id)[name]

# rule_params is a rule's parameters, read from the store once per evaluation (OPA caches a
# function's result per arguments) and then looked up as a value: reading each parameter from
# the store cost a storage read apiece, and the per-platform parameters of the passcode rules
# are read dozens of times per evaluation.
rule_params(rule_id) := data.tollgate.params[rule_id]

# entries is every entry file: the global file first, then team files. An array, not a set:
# a set would hash every whole document.
entries := array.concat([g | g := input.global; g != null], input.teams)

# version_parts parses "15.1.2" into [15, 1, 2], padding to three numbers ("15" = 15.0.0).
version_parts(v) := parts if {
	regex.match(`^\d+(\.\d+){0,2}$`, v)
	raw := [to_number(p) | some p in split(v, ".")]
	parts := array.concat(raw, array.slice([0, 0, 0], 0, 3 - count(raw)))
}

# version_compare is -1, 0 or 1; both must be valid versions.
version_compare(a, b) := -1 if version_parts(a) < version_parts(b)

version_compare(a, b) := 0 if version_parts(a) == version_parts(b)

version_compare(a, b) := 1 if version_parts(a) > version_parts(b)

# valid_date holds for a real calendar date written YYYY-MM-DD (2025-02-30 is not).
valid_date(s) if tollgate.date_days(s)

# days_between is the number of whole days from date a to date b (YYYY-MM-DD, may be negative);
# undefined when either is not a valid date.
days_between(a, b) := tollgate.date_days(b) - tollgate.date_days(a)

# today is the evaluation date (--now, SOURCE_DATE_EPOCH or the clock) as YYYY-MM-DD.
today := time.format([time.now_ns(), "UTC", "2006-01-02"])

# today_days is today as tollgate.date_days gives it: compare a date with it as an integer.
today_days := tollgate.date_days(today)

# get walks a path in a document, undefined when absent.
get(doc, path) := object.get(doc, path, null)

# --- Profiles (passcode, OS-update and profile rules) ---

# apple_passcode_types maps an Apple profile format to the payload type that carries passcode
# settings: the legacy profile payload and the DDM declaration.
apple_passcode_types := {
	"mobileconfig": "com.apple.mobiledevice.passwordpolicy",
	"ddm": "com.apple.configuration.passcode.settings",
}

# profiles_by_payloads groups input.profiles by format and payloads (tollgate.group_by). A batch
# lists each profile file once per team that includes it, every time with the same payloads:
# the helpers below look at each group's payloads once and visit only the profiles of the
# groups they want, where iterating every profile's payloads cost a few expressions per
# payload and team.
profiles_by_payloads := tollgate.group_by(input.profiles, ["format", "payloads"])

# apple_passcode_groups is every Apple passcode payload as [format, payload, members]:
# members are the indices in input.profiles of the profiles of that format that hold it.
apple_passcode_groups contains [format, pl, members] if {
	some [format, payloads], members in profiles_by_payloads
	some pl in payloads
	pl.type == apple_passcode_types[format]
}

# apple_passcode_payloads is every Apple passcode payload as [profile, payload].
apple_passcode_payloads contains [p, pl] if {
	some [_, pl, members] in apple_passcode_groups
	some i in members
	p := input.profiles[i]
}

# A profile's kind is what a finding about its content reads of it: {"file", "format",
# "apple_platforms"} (the platforms it can reach, as profile_platforms gives them), not the
# team that lists it. All the profiles of a batch that share a kind and a payload get the same
# findings about that payload, so a rule computing those from a set of [kind, payload] (see
# apple_passcode_kinds) computes them once per batch for a lib/ profile that many teams
# include, where a set of [profile, payload] computes them once per team.
#
# profile_kinds_in(format, members) is the set of the kinds of the profiles at the indices
# members of input.profiles, all of the given format (a group of profiles_by_payloads).
profile_kinds_in(format, members) := {{"file": p.file, "format": format, "apple_platforms": object.get(p, "apple_platforms", [])} |
	some i in members
	p := input.profiles[i]
}

# apple_passcode_kinds is every Apple passcode payload as [kind, payload] (see profile_kinds_in).
apple_passcode_kinds contains [kind, pl] if {
	some [format, pl, members] in apple_passcode_groups
	some kind in profile_kinds_in(format, members)
}

# windows_policy_node is [area, node] for a SyncML payload on the Policy CSP
# (./Device/Vendor/MSFT/Policy/Config/<Area>/<Node>, also ./User/… and the implicit ./Vendor/…),
# undefined for other LocURIs. The area is returned as written.
windows_policy_node(pl) := [m[1], m[2]] if {
	is_string(pl.type)
	some m in regex.find_all_string_submatch_n(`(?i)^\./(?:device/|user/)?vendor/msft/policy/config/([^/]+)/([^/?]+)$`, pl.type, 1)
}

# windows_devicelock_groups is every SyncML DeviceLock payload as [payload, node, members]:
# members are the indices in input.profiles of the profiles that hold it.
windows_devicelock_groups contains [pl, node, members] if {
	some ["syncml", payloads], members in profiles_by_payloads
	some pl in payloads
	[area, node] := windows_policy_node(pl)
	lower(area) == "devicelock"
}

# windows_devicelock_payloads is every SyncML DeviceLock payload as [profile, payload, node].
windows_devicelock_payloads contains [p, pl, node] if {
	some [pl, node, members] in windows_devicelock_groups
	some i in members
	p := input.profiles[i]
}

# windows_devicelock_kinds is every SyncML DeviceLock payload as [kind, payload, node] (see
# profile_kinds_in).
windows_devicelock_kinds contains [kind, pl, node] if {
	some [pl, node, members] in windows_devicelock_groups
	some kind in profile_kinds_in("syncml", members)
}

# windows_password_nodes are the DeviceLock nodes of the password policy (the EAS group that
# DevicePasswordEnabled switches on and off); other DeviceLock nodes are about the lock screen.
windows_password_nodes := {
	"AllowSimpleDevicePassword", "AlphanumericDevicePasswordRequired", "DevicePasswordEnabled",
	"DevicePasswordExpiration", "DevicePasswordHistory", "MaxDevicePasswordFailedAttempts",
	"MaxInactivityTimeDeviceLock", "MinDevicePasswordComplexCharacters", "MinDevicePasswordLength",
	"MinimumPasswordAge",
}

# profile_int is a profile value as a whole number: a number without a fraction, or a string
# of digits (SyncML <Data>); undefined for anything else (placeholders, text, booleans, 8.5).
profile_int(v) := v if {
	is_number(v)
	v == floor(v)
}

profile_int(v) := to_number(t) if {
	is_string(v)
	t := trim_space(v)
	regex.match(`^-?[0-9]{1,15}$`, t)
}

# profile_placeholder holds for a value Fleet substitutes at delivery ($FLEET_VAR_X, ${X}):
# its real value is unknown to the linter.
profile_placeholder(v) if {
	is_string(v)
	regex.match(`\$\{?[A-Za-z_][A-Za-z0-9_]*\}?`, v)
}

# payload_pos is [line, col] of key in a profile payload, or of the payload itself when the key
# is absent.
payload_pos(pl, key) := [pos.line, pos.col] if {
	pos := pl.keys[key]
} else := [pl.line, pl.col]

# fail_payload is a finding in a profile file at key of a payload (the payload's start if absent).
fail_payload(p, pl, key, msg) := fail_at(p.file, pos[0], pos[1], msg) if {
	pos := payload_pos(pl, key)
}

# has_env_ref holds for a string holding a `$NAME` / `${NAME}` reference that fleetctl expands
# (an odd number of backslashes before the `$` makes it a literal dollar instead).
has_env_ref(s) if {
	is_string(s)
	regex.match(env_ref_pattern, s)
}

# env_ref_pattern is the regular expression behind has_env_ref, for a rule that tests many
# strings: `regex.match(lib.env_ref_pattern, s)` on a string costs less than a function call.
# A reference is preceded by the start of the string or a character other than a backslash,
# then an even number of backslashes. (One regex.match, because finding every `\*$NAME` and
# counting each one's backslashes costs several expressions per reference.)
env_ref_pattern := `(?:^|[^\\])(?:\\\\)*\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)`

# redact describes a secret without revealing it: at most its first 4 characters (none for
# values under 12 characters) and its length. Use it for any value that may be a credential.
redact(s) := sprintf("%q (%d chars)", [concat("", [substring(s, 0, 4), "…"]), count(s)]) if {
	is_string(s)
	count(s) >= 12
} else := sprintf("a %d-character value", [count(s)]) if {
	is_string(s)
} else := sprintf("a literal %s", [type_name(s)])

# software_packages is every software package definition as [file, data path, package, used_by]:
# inline items of a team's software.packages (those with no path:; used_by is empty) and the
# packages of package files (one mapping, or a list of them), with used_by listing the
# {entry, path} of each team's `- path:` item that references the file.
software_packages contains [entry.file, ["software", "packages", i], p, []] if {
	some entry in input.teams
	some i, p in entry.doc.software.packages
	is_object(p)
	not p.path
}

software_packages contains [pkg.file, [], pkg.doc, object.get(pkg, "used_by", [])] if {
	some pkg in input.packages
	is_object(pkg.doc)
}

software_packages contains [pkg.file, [i], p, object.get(pkg, "used_by", [])] if {
	some pkg in input.packages
	is_array(pkg.doc)
	some i, p in pkg.doc
	is_object(p)
}

# url_path is the path part of a URL (no query, no fragment), as url.Parse gives it.
url_path(u) := split(split(u, "#")[0], "?")[0]

# --- Per-platform parameters (passcode rules) ---

# profile_platforms are the platforms a profile can reach: "windows" for a SyncML profile; for
# an Apple profile those of input.profiles[_].apple_platforms (macos, ios, ipados: narrowed by
# built-in platform labels or the profile's directory, else all three).
profile_platforms(p) := ["windows"] if p.format == "syncml"

else := p.apple_platforms if count(object.get(p, "apple_platforms", [])) > 0

else := ["ios", "ipados", "macos"]

# platform_param is a rule parameter for one platform: `<name>_<platform>` when the
# configuration sets it, else `<name>`.
platform_param(rule_id, name, platform) := v if {
	v := param(rule_id, concat("_", [name, platform]))
	v != null
} else := param(rule_id, name)

# platform_set holds when `<name>_<platform>` is set (the platform has its own value).
platform_set(rule_id, name, platform) if param(rule_id, concat("_", [name, platform])) != null

# platforms are the platforms that per-platform parameters name.
platforms := ["ios", "ipados", "macos", "windows"]

# platform_names are the platforms' names for messages.
platform_names := {"macos": "macOS", "ios": "iOS", "ipados": "iPadOS", "windows": "Windows"}

# platform_suffix is " for iOS and iPadOS" for the platforms whose own parameter decided a
# value, "" for none.
platform_suffix(pls) := "" if count(pls) == 0

else := concat("", [" for ", concat(" and ", [platform_names[pl] | some pl in pls])])
