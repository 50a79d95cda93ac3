# METADATA
# title: Environment variable not provided to fleetctl
# description: |
#   fleetctl expands every `$VAR` / `${VAR}` in the raw text of the YAML files it reads (comments
#   included) and uploads every `$FLEET_SECRET_*` that profiles and scripts use; an unset one
#   stops the run with `environment variable "VAR" not set`, usually only in CI, after the merge.
#   This rule checks each reference against what the repository's CI gives each step that runs
#   fleetctl (the `env:` of its GitHub workflow, job and step, and what earlier steps of its job
#   write to `GITHUB_ENV`; a GitLab job's `variables:`) and the names listed under `secrets:` in
#   `.tollgate.yaml`. Every step that runs `fleetctl gitops`, `tollgate apply` or the template's
#   `gitops.sh` (or an action named for gitops), and every such GitLab job, is checked on its
#   own: a variable mapped on the pull-request dry run but not on the push-to-main apply is
#   reported at the apply step's line in the workflow, since that is where the real apply fails
#   after the merge. A variable no such step gets is reported at the reference. A reference
#   inside a YAML comment counts: fleetctl expands comments too (fleetdm/fleet#46992). When
#   tollgate finds no CI configuration and `.tollgate.yaml` lists no secrets, it cannot tell what
#   is set and stays silent; without a step it recognises, it checks what the workflows' jobs
#   that mention fleetctl set as a whole. GitLab keeps variables in project settings, outside the
#   repository, so there the finding is a warning. Fix: map the variable in the step's or job's
#   env (`env: {VAR: ${{ secrets.VAR }}}`), list it under `secrets:` in `.tollgate.yaml` when
#   CI provides it some other way, or escape a literal dollar as `\$VAR`.
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

declared := {n | some n in input.repo.secrets}

# apply_steps are the CI steps (GitHub) and jobs (GitLab) that run fleetctl.
apply_steps := object.get(input.repo.ci, "steps", [])

# lacks(s, name): step s runs fleetctl without name in its environment.
lacks(s, name) if {
	not s.opaque
	not s.provided[name]
	not declared[name]
}

# missing_everywhere(name): no step that runs fleetctl gets name (or, with no such step found,
# the workflows as a whole don't set it): reported at each reference.
missing_everywhere(name) if {
	count(apply_steps) == 0
	not provided[name]
}

missing_everywhere(name) if {
	count(apply_steps) > 0
	every s in apply_steps {
		lacks(s, name)
	}
}

report contains lib.with_severity(lib.with_hint(f, hint), severity) if {
	can_tell
	some r in input.env_refs
	checked(r)
	missing_everywhere(r.name)
	msg := sprintf("$%s is not provided by %s%s; fleetctl fails with environment variable %q not set", [r.name, where, comment_note(r), r.name])
	f := object.union(lib.fail_at(r.file, r.line, r.col, msg), {"end_col": r.end_col})
	hint := hint_for(r)
}

comment_note(r) := " (the reference is inside a YAML comment, which fleetctl expands too: fleetdm/fleet#46992)" if r.in_comment

else := ""

hint_for(r) := sprintf("delete the reference from the comment or escape it as \\$%s", [r.name]) if r.in_comment

else := sprintf("map %s in the env of the workflow step that runs fleetctl (e.g. %s: ${{ secrets.%s }}), or list it under secrets: in .tollgate.yaml", [r.name, r.name, r.name])

# Some steps that run fleetctl get the variable and others don't: each one without it fails, so
# the finding is at that step in the workflow. Its message names no reference (the same finding
# comes from every part of the repository that uses the variable, and is kept once).
report contains lib.with_severity(lib.with_hint(f, step_hint(s, name)), step_severity(s)) if {
	can_tell
	some name in {r.name | some r in input.env_refs; checked(r)}
	not missing_everywhere(name)
	some s in apply_steps
	lacks(s, name)
	msg := sprintf("$%s is not provided to %s, which runs fleetctl: it fails there with environment variable %q not set, though %s gets it", [name, s.label, name, has(s, name)])
	f := object.union(lib.fail_at(s.file, s.line, s.col, msg), {"end_col": s.end_col})
}

# has names the first step that gets the variable (with its file when it is another workflow).
has(s, name) := label if {
	o := [o | some o in apply_steps; not lacks(o, name)][0]
	label := concat(" in ", array.concat([o.label], [o.file | o.file != s.file]))
}

step_severity(s) := "warning" if {
	s.advisory
	count(input.repo.secrets) == 0
} else := "error"

step_hint(s, name) := sprintf("add %s to the job's variables: (or the project's CI/CD variables)", [name]) if s.advisory

else := sprintf("map %s in the env of this step or of its job (%s: ${{ secrets.%s }})", [name, name, name])
