# METADATA
# title: Two profiles of a team with the same identifier or name
# description: |
#   Fleet identifies a team's profiles by name (PayloadDisplayName of a .mobileconfig, the file
#   name of a DDM .json or Windows .xml) and Apple devices by PayloadIdentifier / DDM Identifier:
#   two profiles of one team that share either are refused ("More than one configuration
#   profile have the same name") or, on the device, replace each other. The same file listed
#   twice (say by a `path` and a `paths` glob) counts too. The finding is at the second
#   reference in the team file. Fix: give each profile its own PayloadDisplayName and
#   PayloadIdentifier (or file name), or remove the duplicate entry.
# custom:
#   id: profile-duplicate-identifier
#   severity: error
#   category: profiles
#   tags: [apple, windows, profiles]
package tollgate.rules.profile_duplicate_identifier

import data.tollgate.lib

order(p) := [p.ref, p.file]

# Android policies have their own list and names.
namespace(p) := "android" if p.platform == "android"

namespace(p) := "mdm" if p.platform != "android"

id_key := {"mobileconfig": "PayloadIdentifier", "ddm": "Identifier"}

# clash is why profile b collides with profile a of the same entry; undefined if it doesn't.
clash(a, b) := sprintf("%s is listed twice in this team", [this(b)]) if {
	a.file == b.file
} else := msg if {
	a.format == b.format
	a.identifier != ""
	a.identifier == b.identifier
	msg := sprintf("%s %q of %s is already used by %s in this team", [id_key[b.format], b.identifier, this(b), a.file])
} else := msg if {
	namespace(a) == namespace(b)
	a.name != ""
	a.name == b.name
	msg := sprintf("profile name %q (%s) of %s is already the name of %s in this team: Fleet identifies profiles by name", [b.name, name_source(b), this(b), a.file])
}

# this names the profile at the reference: the file when a `paths` glob brought it in.
this(p) := p.file if {
	p.ref[count(p.ref) - 1] == "paths"
} else := "this profile"

name_source(p) := "PayloadDisplayName" if p.format == "mobileconfig"

name_source(p) := "file name" if p.format != "mobileconfig"

report contains lib.with_hint(lib.fail(b.entry, b.ref, clash(a, b)), hint) if {
	some b in input.profiles
	[entry, file, format, identifier, name] := [b.entry, b.file, b.format, b.identifier, b.name]

	# The profiles of the team that may clash with b, found by key: each comprehension closes
	# over the keys alone, so OPA indexes input.profiles by them once per evaluation
	# (comprehension indexing). Comparing every pair of a batch's profiles was quadratic: 2,000
	# teams of 15 to 40 profiles took 10 s in this rule alone. Each lookup finds b itself at
	# least: a key no profile has would make OPA evaluate the comprehension in full instead.
	same_file := [a | some a in input.profiles; a.entry == entry; a.file == file]
	same_identifier := [a | some a in input.profiles; a.entry == entry; a.format == format; a.identifier == identifier]
	same_name := [a | some a in input.profiles; a.entry == entry; a.name == name]
	earlier := [[order(a), a] |
		some a in array.concat(array.concat(same_file, same_identifier), same_name)
		order(a) < order(b)
		clash(a, b)
	]
	count(earlier) > 0
	a := min(earlier)[1]
	hint := hint_for(a, b)
}

hint_for(a, b) := "remove one of the two entries" if a.file == b.file

hint_for(a, b) := sprintf("give each profile its own %s", [id_key[b.format]]) if {
	a.file != b.file
	a.identifier == b.identifier
	a.format == b.format
}

hint_for(a, b) := "rename one of the files, or change its PayloadDisplayName" if {
	a.file != b.file
	not same_id(a, b)
}

same_id(a, b) if {
	a.format == b.format
	a.identifier == b.identifier
}
