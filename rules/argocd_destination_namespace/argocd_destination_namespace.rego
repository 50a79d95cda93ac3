# METADATA
# title: Argo CD Application has no destination namespace
# description: |
#   An Application without `spec.destination.namespace` applies each manifest that names no
#   namespace to whatever namespace the cluster defaults to (`default`), so a resource meant
#   for the team's namespace lands beside other teams' workloads, and `CreateNamespace=true`
#   creates nothing. Set the destination namespace (manifests that name their own keep it).
#   Applications whose resources are all cluster-wide may leave it out: suppress the finding
#   with a reason.
# custom:
#   id: argocd-destination-namespace
#   kind: kubernetes
#   severity: warning
#   category: argocd
#   tags: [argocd, isolation, kubernetes]
package tollgate.rules.argocd_destination_namespace

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail_key(d, ["spec", "destination"], msg), hint) if {
	some d in input.documents
	lib.kube_argo_app(d)
	not d.patch
	is_object(d.doc.spec.destination)
	object.get(d.doc.spec.destination, "namespace", "") == ""
	msg := sprintf("%s has no destination namespace: manifests that name none go to the cluster's default namespace", [lib.kube_object(d)])
	hint := "set spec.destination.namespace"
}
