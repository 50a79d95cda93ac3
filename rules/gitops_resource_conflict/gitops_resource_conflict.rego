# METADATA
# title: Resource applied by two Argo CD Applications or Flux Kustomizations
# description: |
#   When two Applications (or two Flux Kustomizations, or one of each) apply the same object,
#   same group, kind, namespace and name, each controller overwrites the other's version on
#   every sync: the object flips between them, both report drift forever, and pruning by one
#   deletes what the other still wants. tollgate follows each Application's `source.path` and
#   each Flux Kustomization's `spec.path` through the repository (kustomizations included),
#   gives each object the namespace it gets there (a kustomization's `namespace`, Flux's
#   `targetNamespace`, the Application's destination), and reports an object that more than
#   one of them applies. The same Application defined for several clusters (the same name in
#   `clusters/staging` and `clusters/production`) counts once. Fix: let exactly one of them own
#   the object; share a base through Kustomize rather than through two appliers.
# custom:
#   id: gitops-resource-conflict
#   kind: kubernetes
#   severity: error
#   category: gitops
#   tags: [argocd, flux, kubernetes]
package tollgate.rules.gitops_resource_conflict

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail(d, ["metadata", "name"], msg), hint) if {
	some d in input.documents
	some e in d.appliers
	owners := input.shared[e.identity]
	msg := sprintf("%s is applied as %s by %s: the controllers overwrite each other on every sync", [lib.kube_object(d), e.identity, concat(" and ", owners)])
	hint := "let one Application or Kustomization own it; share manifests through a Kustomize base instead"
}
