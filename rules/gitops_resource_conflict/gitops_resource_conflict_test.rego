package tollgate.rules.gitops_resource_conflict_test

import data.tollgate.rules.gitops_resource_conflict

doc := {"file": "base/deploy.yaml", "index": 0, "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "",
	"appliers": [{"applier": 0, "identity": "apps/Deployment/shop/web"}, {"applier": 1, "identity": "apps/Deployment/shop/web"}]}

test_two_owners if {
	inp := {"kind": "kubernetes", "documents": [doc], "shared": {"apps/Deployment/shop/web": ["Application argocd/a", "Application argocd/b"]}}
	fs := gitops_resource_conflict.report with input as inp
	count(fs) == 1
	some f in fs
	f.path == ["metadata", "name"]
	contains(f.msg, "Application argocd/a and Application argocd/b")
}

test_one_owner if {
	inp := {"kind": "kubernetes", "documents": [doc], "shared": {}}
	count(gitops_resource_conflict.report) == 0 with input as inp
}
