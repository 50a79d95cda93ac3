package tollgate.rules.team_name_invalid_test

import data.tollgate.rules.team_name_invalid

findings(name) := fs if {
	fs := team_name_invalid.report with input as {"teams": [{"file": "fleets/t.yml", "kind": "team", "doc": {"name": name}}]}
}

# ee/server/service verifyFleetName: fleet.IsReservedTeamName is case-insensitive and sees the
# trimmed name.
test_reserved_names if {
	some name in ["All teams", "all fleets", "  ALL FLEETS  "]
	fs := findings(name)
	count(fs) == 1
	some f in fs
	f.path == ["name"]
	contains(f.msg, "is reserved by Fleet")
}

test_ordinary_names_pass if {
	count(findings("All teams of servers")) == 0
	count(findings("Workstations")) == 0
}

# The unassigned file's names are the loader's concern, not a team's.
test_unassigned_entry_is_not_checked if {
	fs := team_name_invalid.report with input as {"teams": [{"file": "fleets/unassigned.yml", "kind": "unassigned", "doc": {"name": "All fleets"}}]}
	count(fs) == 0
}

# MaxTeamNameLength counts bytes: 255 ASCII characters pass, 128 two-byte characters (256
# bytes) do not.
test_length_in_bytes if {
	count(findings(concat("", [c | some _ in numbers.range(1, 255); c := "a"]))) == 0
	fs := findings(concat("", [c | some _ in numbers.range(1, 128); c := "é"]))
	some f in fs
	contains(f.msg, "256 bytes")
}
