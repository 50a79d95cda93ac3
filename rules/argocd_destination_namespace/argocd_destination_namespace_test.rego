package tollgate.rules.argocd_destination_namespace_test

import data.tollgate.rules.argocd_destination_namespace

app(dest) := {"kind": "kubernetes", "documents": [{"file": "a.yaml", "index": 0, "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
	"name": "demo", "namespace": "argocd", "patch": false, "doc": {"spec": {"destination": dest}}}]}

test_missing if {
	fs := argocd_destination_namespace.report with input as app({"server": "https://kubernetes.default.svc"})
	some f in fs
	f.path == ["spec", "destination"]
}

test_empty if {
	count(argocd_destination_namespace.report) == 1 with input as app({"name": "in-cluster", "namespace": ""})
}

test_set if {
	count(argocd_destination_namespace.report) == 0 with input as app({"server": "https://kubernetes.default.svc", "namespace": "shop"})
}
