# METADATA
# title: Argo CD Application prunes with allowEmpty
# description: |
#   With `automated.prune: true`, Argo CD deletes what is no longer in the repository;
#   `allowEmpty: true` lets it go on when the source renders nothing at all. A mistaken path, a
#   deleted directory or a broken generator then deletes every resource of the application
#   (Argo CD's default refuses exactly this). Fix: remove `allowEmpty` (or set it false); when an
#   application must be emptied on purpose, do it with a reviewed manual sync.
# custom:
#   id: argocd-prune-allow-empty
#   kind: kubernetes
#   severity: error
#   category: argocd
#   tags: [argocd, prune, kubernetes]
package tollgate.rules.argocd_prune_allow_empty

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail(d, ["spec", "syncPolicy", "automated", "allowEmpty"], msg), hint) if {
	some d in input.documents
	lib.kube_argo_app(d)
	auto := d.doc.spec.syncPolicy.automated
	auto.prune == true
	auto.allowEmpty == true
	msg := sprintf("%s prunes with allowEmpty: a source that renders nothing (a wrong path, a deleted directory) deletes every resource of the application", [lib.kube_object(d)])
	hint := "remove allowEmpty: true (Argo CD then refuses to prune everything)"
}
