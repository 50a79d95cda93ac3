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

step(label, line, provided) := {"file": ".github/workflows/gitops.yml", "line": line, "col": 9, "end_col": 13,
	"label": label, "provided": {n: true | some n in provided}, "opaque": false, "advisory": false}

two_steps := object.union(gh, {"steps": [
	step("step \"Dry run\" of job \"fleet-gitops\"", 30, ["FLEET_URL", "ENROLL"]),
	step("step \"Apply\" of job \"fleet-gitops\"", 40, ["FLEET_URL"]),
]})

# Mapped on the dry run only: the apply step fails after the merge, and that is where it is said.
test_missing_on_one_step_is_at_that_step if {
	fs := findings([ref("ENROLL", "env", "yaml", false), ref("ENROLL", "env", "yaml", true)], two_steps, [])
	count(fs) == 1
	some f in fs
	f.file == ".github/workflows/gitops.yml"
	f.line == 40
	f.col == 9
	f.severity == "error"
	contains(f.msg, "$ENROLL is not provided to step \"Apply\" of job \"fleet-gitops\"")
	contains(f.msg, "though step \"Dry run\" of job \"fleet-gitops\" gets it")
}

# On no step at all: at the reference, as without steps.
test_missing_on_every_step_is_at_the_reference if {
	fs := findings([ref("OTHER", "env", "yaml", false)], two_steps, [])
	count(fs) == 1
	some f in fs
	f.file == "default.yml"
	f.line == 3
}

# Set on every step, or declared in .tollgate.yaml, or a step whose env tollgate can't read.
test_provided_everywhere_is_silent if {
	count(findings([ref("FLEET_URL", "env", "yaml", false)], two_steps, [])) == 0
	count(findings([ref("ENROLL", "env", "yaml", false)], two_steps, ["ENROLL"])) == 0
	opaque := object.union(gh, {"steps": [
		step("a", 30, ["ENROLL"]),
		object.union(step("b", 40, []), {"opaque": true}),
	]})
	count(findings([ref("ENROLL", "env", "yaml", false)], opaque, [])) == 0
}

# The union of the jobs does not hide a step without the variable: mapped on a step that does
# not run fleetctl only, it is missing where fleetctl runs.
test_union_does_not_count_when_steps_are_known if {
	ci := object.union(gh, {"provided": ["FLEET_URL", "ENROLL"], "steps": [step("apply", 40, ["FLEET_URL"])]})
	fs := findings([ref("ENROLL", "env", "yaml", false)], ci, [])
	count(fs) == 1
}

test_gitlab_job_is_a_warning if {
	gl := {"known": true, "advisory": true, "provided": ["ENROLL"], "workflows": [".gitlab-ci.yml"], "steps": [
		object.union(step("job \"dry-run\"", 1, ["ENROLL"]), {"file": ".gitlab-ci.yml", "advisory": true}),
		object.union(step("job \"apply\"", 9, []), {"file": ".gitlab-ci.yml", "advisory": true}),
	]}
	fs := findings([ref("ENROLL", "env", "yaml", false)], gl, [])
	count(fs) == 1
	some f in fs
	f.severity == "warning"
	f.line == 9
	contains(f.hint, "variables:")
}
