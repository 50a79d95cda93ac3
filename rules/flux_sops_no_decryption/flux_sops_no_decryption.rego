# METADATA
# title: SOPS-encrypted file applied by a Flux Kustomization without decryption
# description: |
#   Flux's kustomize-controller decrypts SOPS-encrypted manifests only for a Kustomization with
#   `spec.decryption.provider: sops` (and a key in `secretRef`). Without it the reconciliation
#   fails on the ciphertext (or applies `ENC[…]` values as they are), and nothing the
#   Kustomization applies is updated until it is fixed. A document is SOPS-encrypted when it
#   carries `sops` metadata; the Kustomizations that apply it are found by following their
#   `spec.path` through the repository (see docs/policies.md).
# custom:
#   id: flux-sops-no-decryption
#   kind: kubernetes
#   severity: error
#   category: flux
#   tags: [flux, secrets, kubernetes]
package tollgate.rules.flux_sops_no_decryption

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail_key(d, ["sops"], msg), hint) if {
	some d in input.documents
	d.encrypted
	some e in d.appliers
	a := input.appliers[e.applier]
	a.controller == "flux"
	a.decryption != "sops"
	msg := sprintf("%s is SOPS-encrypted, but %s (%s) that applies it has no decryption provider: its reconciliation fails on the ciphertext", [lib.kube_object(d), a.id, a.file])
	hint := "add decryption: {provider: sops, secretRef: {name: sops-age}} to the Kustomization's spec"
}
