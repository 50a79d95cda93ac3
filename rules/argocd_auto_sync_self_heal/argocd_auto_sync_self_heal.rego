# METADATA
# title: Argo CD Application syncs automatically without self-heal
# description: |
#   With `syncPolicy.automated`, Argo CD applies every commit, but without `selfHeal: true` it
#   does not undo a change made on the cluster (`kubectl edit`, another controller): the drift
#   stays until the next commit touches that resource, and the repository stops being the
#   truth. Fix: set `selfHeal: true` under `automated`, or drop `automated` when syncs are meant
#   to be manual. An `automated` block with `enabled: false` is not reported.
# custom:
#   id: argocd-auto-sync-no-self-heal
#   kind: kubernetes
#   severity: warning
#   category: argocd
#   tags: [argocd, drift, kubernetes]
package tollgate.rules.argocd_auto_sync_self_heal

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail_key(d, ["spec", "syncPolicy", "automated"], msg), hint) if {
	some d in input.documents
	lib.kube_argo_app(d)
	not d.patch
	auto := d.doc.spec.syncPolicy.automated
	is_object(auto)
	object.get(auto, "enabled", true) != false
	object.get(auto, "selfHeal", false) != true
	msg := sprintf("%s syncs automatically without selfHeal: changes made on the cluster stay until a commit touches the resource", [lib.kube_object(d)])
	hint := "add selfHeal: true under syncPolicy.automated"
}
