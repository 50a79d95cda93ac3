package tollgate.rules.change_setup_cleared_test

import data.tollgate.rules.change_setup_cleared

findings(changes) := fs if {
	fs := change_setup_cleared.report with input as {"change": {"changes": changes}}
}

msgs(changes) := {f.msg | some f in findings(changes)}

setting(action, key, old, old_value, new, new_value) := {
	"kind": "setting", "action": action, "team": "Workstations", "name": concat(".", ["controls.setup_experience", key]),
	"fields": [{"path": concat(".", ["controls.setup_experience", key]), "old": old, "new": new, "old_value": old_value, "new_value": new_value}],
	"base": {"file": "teams/w.yml", "line": 14, "column": 24},
	"head": {"file": "teams/w.yml", "line": 12, "column": 3},
}

removed(key, old, old_value) := setting("removed", key, old, old_value, "(not set)", null)

test_bootstrap_package_left_out if {
	msgs([removed("macos_bootstrap_package", `"https://example.com/bootstrap.pkg"`, "https://example.com/bootstrap.pkg")]) == {`the bootstrap package (macos_bootstrap_package) is cleared from the setup experience of team "Workstations" (was teams/w.yml:14), its key left out: new Macs enroll without it`}
}

test_bootstrap_package_set_empty if {
	msgs([setting("changed", "macos_bootstrap_package", `"https://example.com/b.pkg"`, "https://example.com/b.pkg", `""`, "")]) == {`the bootstrap package (macos_bootstrap_package) is cleared from the setup experience of team "Workstations": new Macs enroll without it`}
}

test_enrollment_profile_a_file_shown_by_its_digest if {
	count(findings([removed("apple_setup_assistant", "sha256:cc7ae2a170a6", null)])) == 1
}

test_end_user_authentication_and_script if {
	count(findings([setting("changed", "enable_end_user_authentication", "true", true, "false", false)])) == 1
	count(findings([removed("enable_end_user_authentication", "true", true)])) == 1
	count(findings([removed("macos_script", "sha256:0123456789ab", null)])) == 1
}

test_nothing_to_clear_or_replaced_is_fine if {
	count(findings([removed("macos_bootstrap_package", `""`, "")])) == 0
	count(findings([removed("enable_end_user_authentication", "false", false)])) == 0
	count(findings([setting("changed", "macos_bootstrap_package", `"https://a/1.pkg"`, "https://a/1.pkg", `"https://a/2.pkg"`, "https://a/2.pkg")])) == 0
	count(findings([setting("changed", "apple_setup_assistant", "sha256:aaaaaaaaaaaa", null, "sha256:bbbbbbbbbbbb", null)])) == 0
	count(findings([setting("added", "macos_bootstrap_package", "(not set)", null, `"https://a/1.pkg"`, "https://a/1.pkg")])) == 0
	count(findings([removed("apple_enable_release_device_manually", "true", true)])) == 0
}

test_setup_software_item_removed if {
	old := [{"package_path": "../lib/zoom.yml"}, {"app_store_id": "803453959"}]
	msgs([setting("changed", "software", "…", old, "…", [{"package_path": "../lib/zoom.yml"}])]) == {`App Store app 803453959 is no longer installed during the setup experience of team "Workstations": new hosts enroll without it`}
	count(findings([setting("removed", "software", "…", old, "(not set)", null)])) == 2
	count(findings([setting("changed", "software", "…", old, "…", array.concat(old, [{"app_store_id": "1"}]))])) == 0
}

test_software_no_longer_in_setup if {
	c := {
		"kind": "software", "action": "changed", "team": "Workstations", "name": "fleet-desktop/darwin",
		"fields": [{"path": "setup_experience", "old": "true", "new": "false", "old_value": true, "new_value": false}],
		"head": {"file": "teams/w.yml", "line": 30, "column": 7},
	}
	msgs([c]) == {`software "fleet-desktop/darwin" is no longer installed during the setup experience of team "Workstations": new hosts enroll without it`}
	count(findings([json.patch(c, [{"op": "replace", "path": "/fields/0/old_value", "value": false}])])) == 0
}

test_global_controls_are_hosts_with_no_team if {
	some m in msgs([object.union(removed("macos_script", "sha256:0123456789ab", null), {"team": ""})])
	contains(m, "of hosts with no team")
}

test_the_key_as_the_file_spells_it if {
	c := removed("macos_bootstrap_package", `"https://example.com/b.pkg"`, "https://example.com/b.pkg")
	some m in msgs([json.patch(c, [{"op": "add", "path": "/base/path", "value": "controls.macos_setup.bootstrap_package"}])])
	startswith(m, "the bootstrap package (bootstrap_package) is cleared")
}
