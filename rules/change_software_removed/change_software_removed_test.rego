package tollgate.rules.change_software_removed_test

import data.tollgate.rules.change_software_removed

findings(changes) := fs if {
	fs := change_software_removed.report with input as {"change": {"changes": changes}}
}

msgs(changes) := {f.msg | some f in findings(changes)}

software(action, name, detail, facts) := {
	"kind": "software", "action": action, "team": "Workstations", "name": name, "detail": detail,
	"key": concat(":", ["url", name]), "facts": facts,
	"base": {"file": "teams/w.yml", "line": 21, "column": 7},
	"head": {"file": "teams/w.yml", "line": 19, "column": 3},
}

zoom := software("removed", "https://zoom.us/client/latest/ZoomInstallerIT.pkg", "package lib/zoom.yml", {"self_service": false, "setup_experience": false})

test_package_removed if {
	fs := findings([zoom])
	count(fs) == 1
	some f in fs
	f.line == 19
	f.msg == `software package "https://zoom.us/client/latest/ZoomInstallerIT.pkg" is removed from team "Workstations" (was teams/w.yml:21): Fleet deletes it from the team on the next apply; hosts keep what is installed`
}

test_what_the_team_did_with_it if {
	msgs([software("removed", "803453959", "app store apps", {"self_service": true, "setup_experience": true})]) == {`App Store app "803453959" is removed from team "Workstations" (was teams/w.yml:21): Fleet deletes it from the team on the next apply (offered in self-service and installed during the setup experience); hosts keep what is installed`}
	some m in msgs([software("removed", "slack/darwin", "fleet maintained apps", {"self_service": true})])
	startswith(m, `Fleet-maintained app "slack/darwin" is removed`)
	contains(m, "(offered in self-service)")
	some s in msgs([software("removed", "setup.sh", "script package lib/setup.sh", {})])
	startswith(s, `script package "setup.sh" is removed`)
}

test_a_package_updated_in_place_is_no_removal if {
	# A new hash for the same URL.
	count(findings([zoom, software("added", zoom.name, "package lib/zoom.yml", {})])) == 0

	# The same package file, now naming another URL.
	count(findings([zoom, software("added", "https://zoom.us/client/6.3/ZoomInstallerIT.pkg", "package lib/zoom.yml", {})])) == 0
}

test_the_same_package_added_elsewhere_is_still_a_removal if {
	count(findings([zoom, object.union(software("added", zoom.name, "package lib/zoom.yml", {}), {"team": "Servers"})])) == 1
	count(findings([zoom, software("added", "https://other.example/app.pkg", "package lib/other.yml", {})])) == 1
}

test_other_changes_are_not_its_business if {
	count(findings([software("added", "x", "app store apps", {})])) == 0
	count(findings([software("changed", "x", "app store apps", {})])) == 0
	count(findings([object.union(zoom, {"kind": "script"})])) == 0
}
