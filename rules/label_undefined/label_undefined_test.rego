package tollgate.rules.label_undefined_test

import data.tollgate.rules.label_undefined

params := {"label-undefined": {"extra_builtins": ["Debian Linux"]}}

repo(global_doc, team_doc, era, repo_labels) := {
	"era": era,
	"global": {"file": "default.yml", "doc": global_doc},
	"teams": [{"file": "teams/t.yml", "doc": team_doc}],
	"packages": [],
	"repo": {"labels": repo_labels},
}

findings(inp) := fs if {
	fs := label_undefined.report with input as inp with data.tollgate.params as params
}

defined := {"labels": [{"name": "Macs", "query": "SELECT 1"}], "org_settings": {}}

test_undefined_policy_label if {
	fs := findings(repo(defined, {"policies": [{"name": "p", "labels_include_any": ["Macs", "Linux boxes"]}]}, "teams", ["Macs"]))
	count(fs) == 1
	some f in fs
	f.path == ["policies", 0, "labels_include_any", 1]
	contains(f.msg, `label "Linux boxes" used by a policy`)
}

test_builtins_and_extra_builtins_are_defined if {
	team := {"controls": {"macos_settings": {"custom_settings": [{"path": "a.mobileconfig", "labels_include_all": ["macOS 14+ (Sonoma+)", "Debian Linux"]}]}}}
	count(findings(repo(defined, team, "teams", ["Macs"]))) == 0
}

test_case_differs_suggests if {
	fs := findings(repo(defined, {"software": {"app_store_apps": [{"app_store_id": "1", "labels_exclude_any": ["macs"]}]}}, "teams", ["Macs"]))
	some f in fs
	contains(f.hint, `did you mean "Macs"`)
}

test_team_labels_count_in_fleets_era_only if {
	team := {"labels": [{"name": "Kiosks"}], "reports": [{"name": "r", "labels_include_any": ["Kiosks"]}]}
	count(findings(repo(defined, team, "fleets", ["Kiosks", "Macs"]))) == 0
	fs := findings(repo(defined, team, "teams", ["Kiosks", "Macs"]))
	some f in fs
	contains(f.msg, "defined only in a team file")
}

test_silent_without_global_labels_key if {
	count(findings(repo({"org_settings": {}}, {"policies": [{"name": "p", "labels_include_any": ["Nope"]}]}, "teams", []))) == 0
}

test_package_file if {
	inp := object.union(repo(defined, {}, "teams", ["Macs"]), {"packages": [{"file": "lib/p.yml", "doc": {"url": "https://x/p.pkg", "labels_include_any": ["Nope"]}}]})
	fs := findings(inp)
	some f in fs
	f.file == "lib/p.yml"
	f.path == ["labels_include_any", 0]
}
