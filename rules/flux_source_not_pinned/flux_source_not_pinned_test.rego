package tollgate.rules.flux_source_not_pinned_test

import data.tollgate.rules.flux_source_not_pinned

repo(ref) := {"kind": "kubernetes", "documents": [{"file": "s.yaml", "index": 0, "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
	"name": "app", "namespace": "flux-system", "patch": false, "doc": {"spec": {"url": "https://git", "ref": ref}}}]}

on := {"flux-source-not-pinned": {"required": true}}

test_branch if {
	fs := flux_source_not_pinned.report with input as repo({"branch": "main"}) with data.tollgate.params as on
	some f in fs
	f.path == ["spec", "ref", "branch"]
	contains(f.msg, `the branch "main"`)
}

test_pinned if {
	count(flux_source_not_pinned.report) == 0 with input as repo({"tag": "v1.0.0"}) with data.tollgate.params as on
	count(flux_source_not_pinned.report) == 0 with input as repo({"semver": ">=1.0.0"}) with data.tollgate.params as on
	count(flux_source_not_pinned.report) == 0 with input as repo({"name": "refs/tags/v1"}) with data.tollgate.params as on
}

test_off_by_default if {
	count(flux_source_not_pinned.report) == 0 with input as repo({"branch": "main"}) with data.tollgate.params as {"flux-source-not-pinned": {"required": false}}
}
