package tollgate.rules.query_env_reference_test

import data.tollgate.rules.query_env_reference

findings(doc) := fs if {
	fs := query_env_reference.report with input as {"global": {"file": "default.yml", "doc": doc}, "teams": []}
}

test_token_in_policy_query if {
	fs := findings({"policies": [{"name": "p", "query": "SELECT 1 FROM x WHERE t = '$FLEET_API_TOKEN';"}]})
	count(fs) == 1
	some f in fs
	f.path == ["policies", 0, "query"]
	contains(f.msg, "$FLEET_API_TOKEN in the policy query text")
}

test_braces_queries_reports_labels if {
	fs := findings({
		"queries": [{"name": "q", "query": "SELECT '${HOME}'"}],
		"reports": [{"name": "r", "query": "SELECT '$USER'"}],
		"labels": [{"name": "l", "query": "SELECT '$CI_JOB_TOKEN' AND '$USER'"}],
	})
	count(fs) == 4
}

test_not_expanded if {
	count(findings({"policies": [
		{"name": "escaped", "query": `SELECT '\$HOME'`},
		{"name": "server var", "query": "SELECT '$FLEET_VAR_HOST_UUID'"},
		{"name": "fleet secret", "query": "SELECT '$FLEET_SECRET_X'"},
		{"name": "price", "query": "SELECT '$5'"},
		{"name": "no query"},
	]})) == 0
}

test_even_backslashes_expand if {
	count(findings({"policies": [{"name": "p", "query": `SELECT '\\$HOME'`}]})) == 1
}
