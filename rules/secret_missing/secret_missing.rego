# METADATA
# title: Environment variable not provided to fleetctl
# description: |
#   fleetctl expands every `$VAR` / `${VAR}` in the raw text of the YAML files it reads (comments
#   included) and uploads every `$FLEET_SECRET_*` that profiles and scripts use; an unset one
#   stops the run with `environment variable "VAR" not set`, usually only in CI, after the merge.
#   This rule checks each reference against what the repository's CI gives the step that runs
#   fleetctl (the `env:` of its GitHub workflow, job and step, or GitLab `variables:`) and the
#   names listed under `secrets:` in `.tollgate.yaml`. A reference inside a YAML comment counts:
#   fleetctl expands comments too (fleetdm/fleet#46992). When tollgate finds no CI configuration
#   and `.tollgate.yaml` lists no secrets, it cannot tell what is set and stays silent. GitLab
#   keeps variables in project settings, outside the repository, so there the finding is a
#   warning. Fix: map the variable in the workflow (`env: {VAR: ${{ secrets.VAR }}}`), list it
#   under `secrets:` in `.tollgate.yaml` when CI provides it some other way, or escape a literal
#   dollar as `\$VAR`.
# custom:
#   id: secret-missing
#   severity: error
#   category: secrets
#   tags: [secrets, ci, env]
package tollgate.rules.secret_missing

import data.tollgate.lib

provided := {n | some n in input.repo.ci.provided} | {n | some n in input.repo.secrets}

# Without CI and without a configured list, tollgate can't know what will be set.
can_tell if input.repo.ci.known

can_tell if count(input.repo.secrets) > 0

severity := "warning" if {
	input.repo.ci.advisory
	count(input.repo.secrets) == 0
} else := "error"

# $FLEET_SECRET_* in YAML is already an error of its own (env-syntax): fleetctl refuses it there.
checked(r) if r.kind == "env"

checked(r) if {
	r.kind == "fleet_secret"
	r.format != "yaml"
}

ci_where := sprintf("CI (%s)", [concat(", ", input.repo.ci.workflows)]) if count(input.repo.ci.workflows) > 0

where := concat(" nor ", [ci_where, "the secrets list of .tollgate.yaml"]) if {
	ci_where
	count(input.repo.secrets) > 0
} else := ci_where if {
	ci_where
} else := "the secrets list of .tollgate.yaml"

report contains lib.with_severity(lib.with_hint(f, hint), severity) if {
	can_tell
	some r in input.env_refs
	checked(r)
	not provided[r.name]
	msg := sprintf("$%s is not provided by %s%s; fleetctl fails with environment variable %q not set", [r.name, where, comment_note(r), r.name])
	f := object.union(lib.fail_at(r.file, r.line, r.col, msg), {"end_col": r.end_col})
	hint := hint_for(r)
}

comment_note(r) := " (the reference is inside a YAML comment, which fleetctl expands too: fleetdm/fleet#46992)" if r.in_comment

else := ""

hint_for(r) := sprintf("delete the reference from the comment or escape it as \\$%s", [r.name]) if r.in_comment

else := sprintf("map %s in the env of the workflow step that runs fleetctl (e.g. %s: ${{ secrets.%s }}), or list it under secrets: in .tollgate.yaml", [r.name, r.name, r.name])
