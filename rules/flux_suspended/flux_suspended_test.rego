package tollgate.rules.flux_suspended_test

import data.tollgate.rules.flux_suspended

doc(api, kind, spec) := {"kind": "kubernetes", "documents": [{"file": "k.yaml", "index": 0, "apiVersion": api, "kind": kind,
	"name": "apps", "namespace": "flux-system", "doc": {"spec": spec}}]}

test_suspended_kustomization if {
	fs := flux_suspended.report with input as doc("kustomize.toolkit.fluxcd.io/v1", "Kustomization", {"suspend": true})
	some f in fs
	f.path == ["spec", "suspend"]
}

test_suspended_helm_release if {
	count(flux_suspended.report) == 1 with input as doc("helm.toolkit.fluxcd.io/v2", "HelmRelease", {"suspend": true})
}

test_not_suspended if {
	count(flux_suspended.report) == 0 with input as doc("source.toolkit.fluxcd.io/v1", "GitRepository", {"suspend": false})
}

test_other_controller if {
	count(flux_suspended.report) == 0 with input as doc("batch/v1", "CronJob", {"suspend": true})
}
