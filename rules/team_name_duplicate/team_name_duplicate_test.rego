package tollgate.rules.team_name_duplicate_test

import data.tollgate.rules.team_name_duplicate

team(name, key, file) := {"name": name, "name_key": key, "file": file, "kind": "team"}

# clashes builds input.repo.team_name_clashes as the model does (internal/model nameClashes).
clashes(teams) := [{"key": k, "teams": group} |
	some k in {lower(t.name_key) | some t in teams; t.name_key != ""}
	group := [t | some t in teams; lower(t.name_key) == k]
	count(group) > 1
]

findings(teams, local) := fs if {
	fs := team_name_duplicate.report with input as {
		"teams": [{"file": f} | some f in local],
		"repo": {"teams": teams, "team_name_clashes": clashes(teams)},
	}
}

test_exact_duplicate_points_at_the_second if {
	teams := [team("Servers", "Servers", "teams/a.yml"), team("Servers", "Servers", "teams/b.yml")]
	fs := findings(teams, ["teams/a.yml", "teams/b.yml"])
	count(fs) == 1
	some f in fs
	f.file == "teams/b.yml"
	f.path == ["name"]
	f.msg == `team name "Servers" is already used by teams/a.yml; both files would configure the same team`
}

test_case_and_nfc_differences_are_duplicates if {
	# "Café" written with a combining accent: the model's name_key is its NFC form.
	teams := [team("Café", "Café", "teams/a.yml"), team("cafe\u0301", "café", "teams/b.yml")]
	fs := findings(teams, ["teams/a.yml", "teams/b.yml"])
	some f in fs
	contains(f.msg, "differ only in case, accents, spaces, invisible characters or Unicode form")
}

test_three_files_give_two_findings if {
	teams := [team("X", "X", "teams/a.yml"), team("X", "X", "teams/b.yml"), team("X", "X", "teams/c.yml")]
	fs := findings(teams, ["teams/a.yml", "teams/b.yml", "teams/c.yml"])
	count(fs) == 2
	every f in fs {
		contains(f.msg, "teams/a.yml")
	}
}

test_other_shard_is_not_reported_here if {
	teams := [team("X", "X", "teams/a.yml"), team("X", "X", "teams/b.yml")]
	count(findings(teams, ["teams/a.yml"])) == 0
}

test_distinct_names if {
	count(findings([team("A", "A", "teams/a.yml"), team("B", "B", "teams/b.yml")], ["teams/a.yml", "teams/b.yml"])) == 0
}
