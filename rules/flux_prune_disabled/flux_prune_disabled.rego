# METADATA
# title: Flux Kustomization does not prune
# description: |
#   With `prune: false`, a resource removed from the repository stays on the cluster: the
#   repository no longer describes what runs, an old Deployment or RBAC binding lives on
#   unreviewed, and a rename leaves the old object beside the new one. Set `prune: true`, and
#   protect the few objects that must survive a removal with the annotation
#   `kustomize.toolkit.fluxcd.io/prune: disabled`.
# custom:
#   id: flux-prune-disabled
#   kind: kubernetes
#   severity: warning
#   category: flux
#   tags: [flux, drift, kubernetes]
package tollgate.rules.flux_prune_disabled

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail(d, ["spec", "prune"], msg), hint) if {
	some d in input.documents
	lib.kube_is(d, "kustomize.toolkit.fluxcd.io", "Kustomization")
	d.doc.spec.prune == false
	msg := sprintf("%s has prune: false: resources removed from the repository stay on the cluster", [lib.kube_object(d)])
	hint := "set prune: true; keep single objects with the annotation kustomize.toolkit.fluxcd.io/prune: disabled"
}
