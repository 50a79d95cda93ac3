package tollgate.rules.profile_duplicate_identifier_test

import data.tollgate.rules.profile_duplicate_identifier

prof(file, format, platform, name, ident, i) := {
	"file": file, "entry": "teams/t.yml", "format": format, "platform": platform, "name": name,
	"identifier": ident, "ref": ["controls", "macos_settings", "custom_settings", i, "path"],
}

findings(ps) := fs if {
	fs := profile_duplicate_identifier.report with input as {"profiles": ps}
}

test_same_identifier_at_the_second_reference if {
	fs := findings([
		prof("lib/a.mobileconfig", "mobileconfig", "apple", "A", "com.example.x", 0),
		prof("lib/b.mobileconfig", "mobileconfig", "apple", "B", "com.example.x", 1),
	])
	count(fs) == 1
	some f in fs
	f.path == ["controls", "macos_settings", "custom_settings", 1, "path"]
	f.msg == `PayloadIdentifier "com.example.x" of this profile is already used by lib/a.mobileconfig in this team`
}

test_same_name_across_formats if {
	fs := findings([
		prof("lib/passcode.json", "ddm", "apple", "passcode", "com.example.ddm", 1),
		prof("lib/passcode.xml", "syncml", "windows", "passcode", "", 0),
	])
	count(fs) == 1
	some f in fs
	f.path[3] == 1
	contains(f.msg, `profile name "passcode" (file name)`)
}

test_same_file_twice if {
	fs := findings([
		prof("lib/a.mobileconfig", "mobileconfig", "apple", "A", "com.example.a", 0),
		prof("lib/a.mobileconfig", "mobileconfig", "apple", "A", "com.example.a", 3),
	])
	some f in fs
	f.msg == "this profile is listed twice in this team"
}

test_three_duplicates_two_findings if {
	fs := findings([
		prof("lib/a.mobileconfig", "mobileconfig", "apple", "A", "com.example.x", 0),
		prof("lib/b.mobileconfig", "mobileconfig", "apple", "B", "com.example.x", 1),
		prof("lib/c.mobileconfig", "mobileconfig", "apple", "C", "com.example.x", 2),
	])
	count(fs) == 2
}

test_other_team_and_distinct_are_silent if {
	other := object.union(prof("lib/b.mobileconfig", "mobileconfig", "apple", "A", "com.example.a", 0), {"entry": "teams/u.yml"})
	count(findings([
		prof("lib/a.mobileconfig", "mobileconfig", "apple", "A", "com.example.a", 0),
		other,
		prof("lib/c.xml", "syncml", "windows", "c", "", 1),
		prof("lib/d.xml", "syncml", "windows", "d", "", 2),
	])) == 0
}

test_android_names_apart if {
	count(findings([
		prof("lib/a.json", "android", "android", "policy", "", 0),
		prof("lib/policy.xml", "syncml", "windows", "policy", "", 1),
	])) == 0
}

test_glob_reference_names_the_file if {
	a := object.union(prof("lib/a.mobileconfig", "mobileconfig", "apple", "A", "com.example.x", 0), {"ref": ["controls", "apple_settings", "configuration_profiles", 0, "paths"]})
	b := object.union(prof("lib/b.mobileconfig", "mobileconfig", "apple", "B", "com.example.x", 0), {"ref": ["controls", "apple_settings", "configuration_profiles", 0, "paths"]})
	fs := findings([a, b])
	some f in fs
	f.msg == `PayloadIdentifier "com.example.x" of lib/b.mobileconfig is already used by lib/a.mobileconfig in this team`
}

clashing_pair(entry) := [
	object.union(prof("lib/a.mobileconfig", "mobileconfig", "apple", "A", "com.example.x", 0), {"entry": entry}),
	object.union(prof("lib/b.mobileconfig", "mobileconfig", "apple", "B", "com.example.x", 1), {"entry": entry}),
]

test_each_team_listing_a_clashing_pair_gets_a_finding if {
	fs := findings(array.concat(clashing_pair("teams/t.yml"), array.concat(clashing_pair("teams/u.yml"), [prof("lib/c.mobileconfig", "mobileconfig", "apple", "C", "com.example.c", 2)])))
	{f.file | some f in fs} == {"teams/t.yml", "teams/u.yml"}
	count(fs) == 2
}
