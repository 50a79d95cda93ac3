package tollgate.rules.policy_automation_target_missing_test

import data.tollgate.rules.policy_automation_target_missing as rule

ref(path, role, target) := {"entry": "teams/t.yml", "path": path, "role": role, "target": target, "exists": true}

base_refs := [
	ref(["controls", "scripts", 0, "path"], "script", "lib/fix.sh"),
	ref(["software", "packages", 0, "path"], "package", "lib/app.yml"),
]

findings(doc, refs) := fs if {
	fs := rule.report with input as {"teams": [{"file": "teams/t.yml", "kind": "team", "doc": doc}], "refs": refs}
}

test_script_listed_is_fine if {
	doc := {"policies": [{"name": "p", "run_script": {"path": "../lib/fix.sh"}}]}
	count(findings(doc, array.concat(base_refs, [ref(["policies", 0, "run_script", "path"], "script", "lib/fix.sh")]))) == 0
}

test_script_not_listed if {
	doc := {"policies": [{"name": "p", "run_script": {"path": "../lib/other.sh"}}]}
	fs := findings(doc, array.concat(base_refs, [ref(["policies", 0, "run_script", "path"], "script", "lib/other.sh")]))
	some f in fs
	f.path == ["policies", 0, "run_script", "path"]
	contains(f.msg, "run_script lib/other.sh of policy \"p\" is not listed")
}

test_package_path if {
	doc := {"software": {"packages": [{"path": "../lib/app.yml"}]}, "policies": [{"name": "ok", "install_software": {"package_path": "../lib/app.yml"}}, {"name": "bad", "install_software": {"package_path": "../lib/b.yml"}}]}
	refs := array.concat(base_refs, [
		ref(["policies", 0, "install_software", "package_path"], "package-ref", "lib/app.yml"),
		ref(["policies", 1, "install_software", "package_path"], "package-ref", "lib/b.yml"),
	])
	fs := findings(doc, refs)
	count(fs) == 1
	some f in fs
	f.path == ["policies", 1, "install_software", "package_path"]
}

test_app_store_id if {
	doc := {"software": {"app_store_apps": [{"app_store_id": "803453959"}]}, "policies": [
		{"name": "ok", "install_software": {"app_store_id": "803453959"}},
		{"name": "bad", "install_software": {"app_store_id": "1"}},
	]}
	fs := findings(doc, base_refs)
	count(fs) == 1
	some f in fs
	f.path == ["policies", 1, "install_software", "app_store_id"]
}

test_fma_and_patch_policy if {
	doc := {"software": {"fleet_maintained_apps": [{"slug": "slack/darwin"}]}, "policies": [
		{"name": "ok", "install_software": {"fleet_maintained_app_slug": "slack/darwin"}},
		{"name": "bad", "install_software": {"fleet_maintained_app_slug": "zoom/darwin"}},
		{"name": "patch", "type": "patch", "fleet_maintained_app_slug": "1password/darwin", "install_software": true},
	]}
	fs := findings(doc, base_refs)
	count(fs) == 2
	some f in fs
	f.path == ["policies", 2, "fleet_maintained_app_slug"]
}

resend_input(name) := {
	"global": null,
	"teams": [{"file": "fleets/t.yml", "kind": "team", "doc": {"policies": [{"name": "p", "query": "SELECT 1", "resend_configuration_profile": name}]}}],
	"profiles": [
		{"file": "lib/wifi.mobileconfig", "entry": "fleets/t.yml", "format": "mobileconfig", "name": "Wi-Fi"},
		{"file": "lib/Password.xml", "entry": "fleets/t.yml", "format": "syncml", "name": "Password"},
		{"file": "lib/decl.json", "entry": "fleets/t.yml", "format": "ddm", "name": "com.example.decl"},
	],
	"refs": [],
}

resend_findings(doc) := fs if {
	fs := rule.report with input as doc
}

test_resend_names_a_profile_of_the_file if {
	count(resend_findings(resend_input("Wi-Fi"))) == 0
	count(resend_findings(resend_input(" Password "))) == 0
	count(resend_findings(resend_input(""))) == 0
}

test_resend_names_no_profile if {
	fs := resend_findings(resend_input("VPN"))
	some f in fs
	f.path == ["policies", 0, "resend_configuration_profile"]
	contains(f.msg, "was not defined in controls")
}

test_resend_ddm_declarations_do_not_count if {
	count(resend_findings(resend_input("com.example.decl"))) == 1
}

test_resend_silent_when_a_profile_did_not_parse if {
	doc := object.union(resend_input("VPN"), {"refs": [{"entry": "fleets/t.yml", "path": ["controls", "apple_settings", "configuration_profiles", 0, "path"], "role": "profile", "target": "lib/broken.mobileconfig", "exists": true}]})
	count(resend_findings(doc)) == 0
}
