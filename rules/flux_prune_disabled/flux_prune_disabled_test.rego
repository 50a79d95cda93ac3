package tollgate.rules.flux_prune_disabled_test

import data.tollgate.rules.flux_prune_disabled

ks(spec) := {"kind": "kubernetes", "documents": [{"file": "k.yaml", "index": 0, "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
	"name": "apps", "namespace": "flux-system", "doc": {"spec": spec}}]}

test_prune_false if {
	fs := flux_prune_disabled.report with input as ks({"prune": false})
	some f in fs
	f.path == ["spec", "prune"]
}

test_prune_true if {
	count(flux_prune_disabled.report) == 0 with input as ks({"prune": true})
}

test_kustomize_kustomization_is_not_flux if {
	inp := {"kind": "kubernetes", "documents": [{"file": "k.yaml", "index": 0, "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "name": "", "namespace": "", "doc": {"spec": {"prune": false}}}]}
	count(flux_prune_disabled.report) == 0 with input as inp
}
