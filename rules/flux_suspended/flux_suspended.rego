# METADATA
# title: Flux resource committed suspended
# description: |
#   `suspend: true` stops Flux from reconciling the resource: commits to what it applies no
#   longer reach the cluster, and drift is no longer corrected. Suspending is an operator's
#   tool during an incident (`flux suspend`), and committing it makes the pause permanent and
#   silent. Remove `suspend: true` (or set it false) before merging; if the resource is retired,
#   delete it.
# custom:
#   id: flux-suspended
#   kind: kubernetes
#   severity: warning
#   category: flux
#   tags: [flux, drift, kubernetes]
package tollgate.rules.flux_suspended

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail(d, ["spec", "suspend"], msg), hint) if {
	some d in input.documents
	lib.kube_flux(d)
	d.doc.spec.suspend == true
	msg := sprintf("%s is committed with suspend: true: Flux does not reconcile it, so commits to it never reach the cluster", [lib.kube_object(d)])
	hint := "remove suspend: true (suspend during an incident with flux suspend, not in git)"
}
