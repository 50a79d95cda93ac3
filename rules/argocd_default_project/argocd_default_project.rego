# METADATA
# title: Argo CD Application uses the default project
# description: |
#   Argo CD's `default` project allows any source repository, any destination cluster and
#   namespace, and every kind, including cluster-wide ones: an Application in it can deploy
#   anything anywhere, and a mistake in its path or destination is not caught by Argo CD. Put
#   each team's or environment's Applications in an `AppProject` that lists the repositories,
#   destinations and kinds they may use.
# custom:
#   id: argocd-default-project
#   kind: kubernetes
#   severity: warning
#   category: argocd
#   tags: [argocd, isolation, kubernetes]
package tollgate.rules.argocd_default_project

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail(d, ["spec", "project"], msg), hint) if {
	some d in input.documents
	lib.kube_argo_app(d)
	not d.patch
	object.get(d.doc, ["spec", "project"], "default") == "default"
	msg := sprintf("%s is in the default project, which lets it deploy any repository to any cluster, namespace and kind", [lib.kube_object(d)])
	hint := "create an AppProject that restricts sourceRepos, destinations and cluster resources, and set spec.project to it"
}
