# METADATA
# title: Profile that Fleet cannot read or refuses
# description: |
#   Every configuration profile a team lists must parse and follow Fleet's rules: an XML plist
#   (.mobileconfig, possibly signed) with PayloadDisplayName and PayloadIdentifier, a DDM
#   declaration (.json) of an allowed com.apple.configuration type, a Windows SyncML fragment
#   (.xml) of <Replace>/<Add> items without reserved LocURIs or duplicate CmdIDs, an Android
#   policy (.json). Each problem the profile parser finds is reported at its line in the profile
#   with its own severity. A profile listed under the wrong platform (a .xml Windows profile in
#   macos_settings, a .mobileconfig in windows_settings, a .plist file) is reported at its entry
#   in the team file. Fleet refuses the whole apply when one profile is refused. Fix: correct the
#   profile, or list it under the settings of its platform.
# custom:
#   id: profile-invalid
#   severity: error
#   category: profiles
#   tags: [apple, windows, android, profiles]
package tollgate.rules.profile_invalid

import data.tollgate.lib

# A batch lists each lib/ profile once per team that includes it, all alike but for the team
# and the reference. The findings below read only a profile's platform, format, file and
# problems, except for the place of a profile listed in the wrong list: so each kind of profile
# is judged once (tollgate.group_by), and only the profiles of a wrong kind are visited, where
# judging each profile of each team cost a regular expression apiece.
kinds := tollgate.group_by(input.profiles, ["platform", "format", "file", "problems"])

report contains lib.with_severity(lib.fail_at(file, pr.line, pr.col, pr.message), pr.severity) if {
	some [_, _, file, problems], _ in kinds
	some pr in problems
}

extension(file) := lower(m[0]) if {
	m := regex.find_n(`\.[^./\\]+$`, file, 1)
	count(m) == 1
} else := ""

# What each settings list takes: formats and file extensions (Fleet still accepts .xml plists in
# the Apple list for backwards compatibility).
takes := {
	"apple": {"formats": {"mobileconfig", "ddm"}, "exts": {".mobileconfig", ".json", ".xml"}, "want": ".mobileconfig or DDM .json"},
	"windows": {"formats": {"syncml"}, "exts": {".xml"}, "want": "SyncML .xml"},
	"android": {"formats": {"android"}, "exts": {".json"}, "want": "Android policy .json"},
}

section(p) := s if {
	some s in p.ref
	s in {"macos_settings", "apple_settings", "windows_settings", "android_settings"}
} else := "controls"

wrong_list(platform, format, _) if not format in takes[platform].formats

wrong_list(platform, _, file) if not extension(file) in takes[platform].exts

report contains lib.with_hint(lib.fail(p.entry, p.ref, msg), hint) if {
	some [platform, format, file, problems], members in kinds
	takes[platform]
	format != "unknown"
	not has_problem(problems, "syncml-is-plist") # the parser already says it
	wrong_list(platform, format, file)
	some i in members
	p := input.profiles[i]
	msg := sprintf("%s is listed in %s, which takes %s files only", [subject(p), section(p), takes[p.platform].want])
	hint := hint_for(p)
}

subject(p) := describe[p.format] if {
	not p.format in takes[p.platform].formats
} else := sprintf("a %s file", [extension(p.file)]) if {
	extension(p.file) != ""
} else := "a file without an extension"

describe := {
	"mobileconfig": "an Apple configuration profile",
	"ddm": "an Apple DDM declaration",
	"syncml": "a Windows SyncML profile",
	"android": "an Android policy",
}

hint_for(p) := sprintf("list it under %s", [home[p.format]]) if {
	not p.format in takes[p.platform].formats
} else := sprintf("rename the file to end in %s", [ext_want[p.platform]])

home := {
	"mobileconfig": "macos_settings (apple_settings)",
	"ddm": "macos_settings (apple_settings)",
	"syncml": "windows_settings",
	"android": "android_settings",
}

ext_want := {"apple": ".mobileconfig (.json for a declaration)", "windows": ".xml", "android": ".json"}

has_problem(problems, code) if {
	some pr in problems
	pr.code == code
}
