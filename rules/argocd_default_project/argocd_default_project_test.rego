package tollgate.rules.argocd_default_project_test

import data.tollgate.rules.argocd_default_project

app(spec) := {"kind": "kubernetes", "documents": [{"file": "a.yaml", "index": 0, "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
	"name": "demo", "namespace": "argocd", "patch": false, "doc": {"spec": spec}}]}

test_default if {
	fs := argocd_default_project.report with input as app({"project": "default"})
	some f in fs
	f.path == ["spec", "project"]
}

test_own_project if {
	count(argocd_default_project.report) == 0 with input as app({"project": "payments"})
}
