package tollgate.rules.argocd_auto_sync_self_heal_test

import data.tollgate.rules.argocd_auto_sync_self_heal

app(sync) := {"kind": "kubernetes", "documents": [{"file": "a.yaml", "index": 0, "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
	"name": "demo", "namespace": "argocd", "patch": false, "doc": {"spec": {"syncPolicy": sync}}}]}

test_no_self_heal if {
	fs := argocd_auto_sync_self_heal.report with input as app({"automated": {"prune": true}})
	count(fs) == 1
	some f in fs
	f.path == ["spec", "syncPolicy", "automated"]
}

test_empty_automated if {
	count(argocd_auto_sync_self_heal.report) == 1 with input as app({"automated": {}})
}

test_self_heal if {
	count(argocd_auto_sync_self_heal.report) == 0 with input as app({"automated": {"selfHeal": true}})
}

test_manual_sync if {
	count(argocd_auto_sync_self_heal.report) == 0 with input as app({"syncOptions": ["CreateNamespace=true"]})
}

test_disabled if {
	count(argocd_auto_sync_self_heal.report) == 0 with input as app({"automated": {"enabled": false}})
}
