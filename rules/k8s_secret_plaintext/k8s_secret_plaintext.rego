# METADATA
# title: Kubernetes Secret committed in plain text
# description: |
#   A `Secret` manifest with `data` or `stringData` values is the secret itself: anyone who can
#   read the repository can read it (base64 in `data` is an encoding, not encryption), and the
#   git history keeps it after it is removed. Argo CD and Flux apply it as written. Commit the
#   secret encrypted instead: as a `SealedSecret` (Bitnami Sealed Secrets), or with SOPS (Flux's
#   kustomize-controller decrypts files that carry `sops` metadata, when the Kustomization that
#   applies them has `decryption.provider: sops`), or keep it outside git (External Secrets,
#   a vault plugin). SOPS-encrypted documents and `SealedSecret` are not reported, nor a Secret
#   whose values are all empty. The finding points at each plain-text value and never shows it.
#   It cannot be suppressed inline: remove the secret, rotate it (the history keeps the old
#   value), and commit it encrypted.
# custom:
#   id: k8s-secret-plaintext
#   kind: kubernetes
#   severity: error
#   category: secrets
#   tags: [secrets, security, kubernetes]
#   security: true
#   security_severity: 8.5
#   not_suppressible: true
package tollgate.rules.k8s_secret_plaintext

import data.tollgate.lib

hint := "remove it, rotate it (the git history keeps the old value), and commit it encrypted: a SealedSecret (kubeseal), or SOPS with decryption in the Flux Kustomization"

report contains lib.with_hint(lib.kube_fail(d, [field, key], msg), hint) if {
	some d in input.documents
	lib.kube_is(d, "", "Secret")
	not d.encrypted
	some field in ["data", "stringData"]
	some key, v in object.get(d.doc, field, {})
	plain(v)
	msg := sprintf("%s holds %s.%s in plain text: anyone who can read the repository can read it", [lib.kube_object(d), field, key])
}

# plain holds for a value that is set (an empty value reveals nothing).
plain(v) if {
	is_string(v)
	trim_space(v) != ""
}

plain(v) if {
	not is_string(v)
	v != null
}
