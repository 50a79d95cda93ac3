package tollgate.rules.flux_sops_no_decryption_test

import data.tollgate.rules.flux_sops_no_decryption

inp(decryption) := {"kind": "kubernetes",
	"appliers": [{"controller": "flux", "id": "Kustomization flux-system/apps", "file": "clusters/apps.yaml", "decryption": decryption}],
	"documents": [{"file": "apps/secret.yaml", "index": 0, "apiVersion": "v1", "kind": "Secret", "name": "db", "namespace": "apps",
		"encrypted": true, "appliers": [{"applier": 0, "identity": "core/Secret/apps/db"}], "doc": {"sops": {"version": "3.9"}}}]}

test_no_decryption if {
	fs := flux_sops_no_decryption.report with input as inp("")
	some f in fs
	f.path == ["sops"]
	f.at == "key"
}

test_sops_provider if {
	count(flux_sops_no_decryption.report) == 0 with input as inp("sops")
}
