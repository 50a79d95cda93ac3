package tollgate.rules.query_name_duplicate_test

import data.tollgate.rules.query_name_duplicate

findings(doc) := fs if {
	fs := query_name_duplicate.report with input as {"global": {"file": "default.yml", "doc": doc}, "teams": []}
}

test_duplicate_query if {
	fs := findings({"queries": [{"name": "Uptime"}, {"name": "Disk"}, {"name": "Uptime"}]})
	count(fs) == 1
	some f in fs
	f.path == ["queries", 2, "name"]
	contains(f.msg, `duplicate query name "Uptime", already used by query #1 of default.yml's queries`)
}

test_duplicate_report if {
	fs := findings({"reports": [{"name": "Uptime"}, {"name": "Uptime"}]})
	some f in fs
	contains(f.msg, "duplicate report names")
}

test_unique_names if {
	count(findings({"queries": [{"name": "A"}, {"name": "B"}, {"interval": 60}]})) == 0
}
