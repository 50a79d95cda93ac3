package tollgate.rules.software_hash_missing_test

import data.tollgate.rules.software_hash_missing as rule

findings(team_doc, packages) := fs if {
	fs := rule.report with input as {"teams": [{"file": "teams/t.yml", "doc": team_doc}], "packages": packages}
}

test_url_without_hash if {
	fs := findings({"software": {"packages": [{"url": "https://x/a.pkg"}, {"path": "../lib/b.yml"}]}}, [{"file": "lib/b.yml", "doc": {"url": "https://x/b.pkg"}}])
	count(fs) == 2
	some f in fs
	f.file == "lib/b.yml"
	f.path == ["url"]
}

test_pinned_or_hash_only_is_fine if {
	pkgs := [
		{"file": "lib/a.yml", "doc": {"url": "https://x/a.pkg", "hash_sha256": "0123abcd"}},
		{"file": "lib/b.yml", "doc": {"hash_sha256": "0123abcd"}},
	]
	count(findings({}, pkgs)) == 0
}
