# METADATA
# title: Environment variable expanded into a query
# description: |
#   fleetctl expands every `$VAR` / `${VAR}` in the raw text of the YAML files it reads before
#   parsing them (only `description:` and `resolution:` values are spared, and `$FLEET_VAR_*`
#   is left to the server: `expandEnv` in fleetdm/fleet `pkg/spec/spec.go`). In a policy's,
#   query's (report's) or label's `query:`, the value the variable has in the CI job (often a
#   secret: `$FLEET_API_TOKEN`, an enroll secret) becomes part of the SQL: Fleet stores it, shows
#   it to everyone who can read queries and sends it to every host that runs it. No query needs
#   a variable of the CI job. Fix: write the query without it; if a literal dollar sign is
#   meant, escape it as `\$VAR`.
# custom:
#   id: query-env-reference
#   severity: error
#   category: secrets
#   tags: [secrets, env, queries, policies]
#   security: true
#   security_severity: 7.5
package tollgate.rules.query_env_reference

import data.tollgate.lib

# The keys whose items carry a query fleetctl sends on: policies, queries (reports), labels.
sections := ["policies", "queries", "reports", "labels"]

# A reference fleetctl expands (an odd number of backslashes before the $ makes it a literal):
# the name is the first or second group.
ref_pattern := `(?:^|[^\\])(?:\\\\)*\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))`

report contains lib.with_hint(lib.fail(entry.file, [section, i, "query"], msg), hint) if {
	some entry in lib.entries
	some section in sections
	some i, item in entry.doc[section]
	q := item.query
	is_string(q)
	contains(q, "$") # a reference has one; most queries have none, and the match costs more
	regex.match(ref_pattern, q)
	some name in expanded(q)
	msg := sprintf("$%s in the %s text: fleetctl replaces it with the variable's value, which Fleet then stores and sends to every host that runs the query", [name, what[section]])
	hint := sprintf("remove the variable from the query; to mean a literal dollar sign, escape it as \\$%s", [name])
}

what := {"policies": "policy query", "queries": "query", "reports": "report query", "labels": "label query"}

# expanded is the set of variable names fleetctl expands in q: not $FLEET_VAR_* (the server's,
# matched case-insensitively as fleetctl does), not $FLEET_SECRET_* (fleetctl refuses those in
# YAML: env-reference reports them).
expanded(q) := {name |
	some m in regex.find_all_string_submatch_n(ref_pattern, q, -1)
	name := concat("", [m[1], m[2]])
	not startswith(upper(name), "FLEET_VAR_")
	not startswith(name, "FLEET_SECRET_")
}
