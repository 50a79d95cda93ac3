package tollgate.rules.argocd_prune_allow_empty_test

import data.tollgate.rules.argocd_prune_allow_empty

app(auto) := {"kind": "kubernetes", "documents": [{"file": "a.yaml", "index": 0, "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
	"name": "demo", "namespace": "argocd", "doc": {"spec": {"syncPolicy": {"automated": auto}}}}]}

test_prune_allow_empty if {
	fs := argocd_prune_allow_empty.report with input as app({"prune": true, "allowEmpty": true})
	some f in fs
	f.path == ["spec", "syncPolicy", "automated", "allowEmpty"]
}

test_no_prune if {
	count(argocd_prune_allow_empty.report) == 0 with input as app({"prune": false, "allowEmpty": true})
}

test_no_allow_empty if {
	count(argocd_prune_allow_empty.report) == 0 with input as app({"prune": true, "allowEmpty": false})
}
