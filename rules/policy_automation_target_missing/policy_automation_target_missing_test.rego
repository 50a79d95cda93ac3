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
