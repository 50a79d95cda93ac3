package tollgate.rules.secret_missing_test

import data.tollgate.rules.secret_missing

ref(name, kind, format, in_comment) := {"file": "default.yml", "line": 3, "col": 11, "end_col": 22,
	"name": name, "kind": kind, "format": format, "in_comment": in_comment}

inp(refs, ci, secrets) := {"env_refs": refs, "repo": {"ci": ci, "secrets": secrets}}

gh := {"known": true, "advisory": false, "provided": ["FLEET_URL"], "workflows": [".github/workflows/gitops.yml"]}

findings(refs, ci, secrets) := fs if {
	fs := secret_missing.report with input as inp(refs, ci, secrets)
}

test_missing_is_an_error if {
	fs := findings([ref("ENROLL", "env", "yaml", false)], gh, [])
	some f in fs
	f.severity == "error"
	contains(f.msg, "$ENROLL is not provided by CI (.github/workflows/gitops.yml)")
	f.line == 3
	f.end_col == 22
}

test_provided_by_ci_or_config_is_silent if {
	count(findings([ref("FLEET_URL", "env", "yaml", false)], gh, [])) == 0
	count(findings([ref("ENROLL", "env", "yaml", false)], gh, ["ENROLL"])) == 0
}

test_in_comment_says_so if {
	fs := findings([ref("OLD", "env", "yaml", true)], gh, [])
	some f in fs
	contains(f.msg, "inside a YAML comment")
	contains(f.hint, "escape it as \\$OLD")
}

test_fleet_secret_in_profile if {
	fs := findings([ref("FLEET_SECRET_X", "fleet_secret", "profile", false)], gh, [])
	count(fs) == 1
}

test_fleet_secret_in_yaml_and_fleet_var_are_not_checked_here if {
	count(findings([ref("FLEET_SECRET_X", "fleet_secret", "yaml", false)], gh, [])) == 0
	count(findings([ref("FLEET_VAR_NDES", "fleet_var", "profile", false)], gh, [])) == 0
}

test_unknown_ci_without_config_is_silent if {
	ci := {"known": false, "advisory": false, "provided": [], "workflows": []}
	count(findings([ref("ENROLL", "env", "yaml", false)], ci, [])) == 0
}

test_unknown_ci_with_config_checks if {
	ci := {"known": false, "advisory": false, "provided": [], "workflows": []}
	fs := findings([ref("ENROLL", "env", "yaml", false)], ci, ["OTHER"])
	some f in fs
	contains(f.msg, "not provided by the secrets list of .tollgate.yaml")
}

test_gitlab_is_a_warning if {
	ci := {"known": true, "advisory": true, "provided": [], "workflows": [".gitlab-ci.yml"]}
	fs := findings([ref("ENROLL", "env", "yaml", false)], ci, [])
	some f in fs
	f.severity == "warning"
}
