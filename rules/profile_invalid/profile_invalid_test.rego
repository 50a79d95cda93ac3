package tollgate.rules.profile_invalid_test

import data.tollgate.rules.profile_invalid

prof(file, format, platform, problems) := {
	"file": file, "entry": "teams/t.yml", "format": format, "platform": platform, "problems": problems,
	"ref": ["controls", sprintf("%s_settings", [platform]), "custom_settings", 0, "path"], "payloads": [],
}

findings(ps) := fs if {
	fs := profile_invalid.report with input as {"profiles": ps}
}

test_problem_at_its_line_with_its_severity if {
	fs := findings([prof("lib/a.mobileconfig", "mobileconfig", "apple", [
		{"line": 7, "col": 3, "code": "plist-syntax", "message": "invalid XML: x", "severity": "error"},
		{"line": 2, "col": 1, "code": "plist-missing-uuid", "message": "the profile has no PayloadUUID", "severity": "warning"},
	])])
	count(fs) == 2
	some f in fs
	f.line == 7
	f.severity == "error"
	some g in fs
	g.line == 2
	g.severity == "warning"
}

test_clean_profiles_are_silent if {
	count(findings([
		prof("lib/a.mobileconfig", "mobileconfig", "apple", []),
		prof("lib/b.json", "ddm", "apple", []),
		prof("lib/c.xml", "syncml", "windows", []),
		prof("lib/d.json", "android", "android", []),
	])) == 0
}

test_windows_profile_in_apple_list if {
	fs := findings([prof("lib/c.xml", "syncml", "apple", [])])
	some f in fs
	f.file == "teams/t.yml"
	f.path == ["controls", "apple_settings", "custom_settings", 0, "path"]
	f.msg == "a Windows SyncML profile is listed in apple_settings, which takes .mobileconfig or DDM .json files only"
	contains(f.hint, "windows_settings")
}

test_apple_profile_in_windows_list if {
	fs := findings([prof("lib/a.mobileconfig", "mobileconfig", "windows", [])])
	some f in fs
	contains(f.hint, "macos_settings")
}

test_plist_extension if {
	fs := findings([prof("lib/a.plist", "mobileconfig", "apple", [])])
	some f in fs
	contains(f.hint, "rename the file to end in .mobileconfig")
}

test_plist_in_xml_is_left_to_the_parser if {
	fs := findings([prof("lib/a.xml", "syncml", "apple", [{"line": 2, "col": 1, "code": "syncml-is-plist", "message": "m", "severity": "error"}])])
	count(fs) == 1
}

# A lib/ profile listed by several teams: a problem in the file is one finding, a wrong list is
# a finding in each team file that lists it there.
test_shared_profile if {
	problem := {"line": 7, "col": 3, "code": "plist-syntax", "message": "invalid XML: x", "severity": "error"}
	bad := prof("lib/a.mobileconfig", "mobileconfig", "apple", [problem])
	misplaced := prof("lib/c.xml", "syncml", "apple", [])
	fs := findings([
		bad, object.union(bad, {"entry": "teams/u.yml"}),
		misplaced, object.union(misplaced, {"entry": "teams/u.yml"}),
		prof("lib/c.xml", "syncml", "windows", []),
	])
	count([f | some f in fs; f.file == "lib/a.mobileconfig"]) == 1
	{f.file | some f in fs; f.path} == {"teams/t.yml", "teams/u.yml"}
	count(fs) == 3
}
