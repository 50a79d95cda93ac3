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

# peers[i] are the profiles of input.profiles that may clash with profile i: those of the same
# entry with its file, its format and identifier, or its name. tollgate.duplicate_groups finds
# them in one pass over the batch, which lists each lib/ profile once per team that includes
# it; looking them up for each profile with comprehensions indexed by those keys cost several
# expressions per profile and team (and comparing every pair of a batch's profiles was
# quadratic: 2,000 teams of 15 to 40 profiles took 10 s in this rule alone).
peers[i] contains j if {
	some keys in [["entry", "file"], ["entry", "format", "identifier"], ["entry", "name"]]
	some group in tollgate.duplicate_groups(input.profiles, keys)
	some i in group
	some j in group
	j != i
}

report contains lib.with_hint(lib.fail(b.entry, b.ref, clash(a, b)), hint) if {
	some i, js in peers
	b := input.profiles[i]
	_ = [b.entry, b.file, b.format, b.identifier, b.name] # every key a clash is decided on
	earlier := [[order(a), a] |
		some j in js
		a := input.profiles[j]
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
