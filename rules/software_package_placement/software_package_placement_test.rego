package tollgate.rules.software_package_placement_test

import data.tollgate.rules.software_package_placement

team(packages) := {"global": null, "teams": [{"file": "fleets/t.yml", "doc": {"software": {"packages": packages}}}], "packages": []}

paths(packages) := {f.path | some f in software_package_placement.report with input as team(packages)}

test_team_level_settings_are_fine if {
	count(paths([{"path": "../lib/slack.yml", "self_service": true, "categories": ["Communication"], "labels_include_any": ["a"], "setup_experience": true}])) == 0
}

test_package_keys_on_a_yaml_item if {
	paths([{"path": "../lib/slack.yml", "url": "https://x/a.pkg", "icon": {"path": "i.png"}, "uninstall_script": {"path": "u.sh"}}]) == {
		["software", "packages", 0, "url"],
		["software", "packages", 0, "icon"],
		["software", "packages", 0, "uninstall_script"],
	}
}

test_script_package_keeps_its_scripts if {
	count(paths([{"path": "../lib/tool.sh", "uninstall_script": {"path": "u.sh"}, "pre_install_query": {"path": "q.yml"}, "icon": {"path": "i.png"}}])) == 0
	paths([{"path": "../lib/tool.sh", "install_script": {"path": "i.sh"}, "hash_sha256": "ab"}]) == {
		["software", "packages", 0, "install_script"],
		["software", "packages", 0, "hash_sha256"],
	}
}

test_setup_experience_platform if {
	count(paths([{"path": "../lib/tool.sh", "setup_experience_platform": "darwin, Linux"}])) == 0
	count(paths([{"path": "../lib/tool.py", "setup_experience_platform": ["darwin"]}])) == 0
	count(paths([{"path": "../lib/tool.sh", "setup_experience_platform": ""}])) == 0
	paths([{"path": "../lib/tool.sh", "setup_experience_platform": "macos"}]) == {["software", "packages", 0, "setup_experience_platform"]}
	paths([{"path": "../lib/tool.ps1", "setup_experience_platform": "darwin"}]) == {["software", "packages", 0, "setup_experience_platform"]}
	paths([{"url": "https://x/a.pkg", "setup_experience_platform": "darwin"}]) == {["software", "packages", 0, "setup_experience_platform"]}
}

test_setup_experience_in_a_multi_package_file if {
	fs := software_package_placement.report with input as {"global": null, "teams": [], "packages": [{"file": "lib/multi.yml", "doc": [{"url": "https://x/a.pkg", "setup_experience": true}, {"url": "https://x/b.pkg"}]}]}
	{f.path | some f in fs} == {[0, "setup_experience"]}
	single := software_package_placement.report with input as {"global": null, "teams": [], "packages": [{"file": "lib/one.yml", "doc": [{"url": "https://x/a.pkg", "setup_experience": true}]}]}
	count(single) == 0
}
