# METADATA
# title: Flux GitRepository follows a branch where a tag or semver range is required
# description: |
#   A `GitRepository` whose `ref` names a branch (or nothing, which is the default branch)
#   delivers every push to that branch to the cluster. Where releases are promoted by tag, the
#   source must name a `tag`, a `semver` range, a `commit` or a tag `name` (`refs/tags/…`). Set
#   the `required` parameter to true to require this of every GitRepository; by default the
#   rule reports nothing (following a branch is the usual setup).
# custom:
#   id: flux-source-not-pinned
#   kind: kubernetes
#   severity: error
#   category: flux
#   tags: [flux, promotion, kubernetes]
#   params:
#     - name: required
#       default: false
#       description: require every GitRepository to name a tag, a semver range, a commit or a tag ref
package tollgate.rules.flux_source_not_pinned

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail(d, path, msg), hint) if {
	lib.param("flux-source-not-pinned", "required") == true
	some d in input.documents
	lib.kube_is(d, "source.toolkit.fluxcd.io", "GitRepository")
	not d.patch
	ref := object.get(d.doc, ["spec", "ref"], {})
	not pinned(ref)
	path := where(ref)
	msg := sprintf("%s follows %s: every push there reaches the cluster, and a tag or semver range is required", [lib.kube_object(d), followed(ref)])
	hint := "set spec.ref.tag, spec.ref.semver or spec.ref.commit (or a refs/tags/ name)"
}

pinned(ref) if {
	some key in ["tag", "semver", "commit"]
	object.get(ref, key, "") != ""
}

pinned(ref) if startswith(object.get(ref, "name", ""), "refs/tags/")

where(ref) := ["spec", "ref", "branch"] if ref.branch

else := ["spec", "ref"]

followed(ref) := sprintf("the branch %q", [ref.branch]) if ref.branch

else := "the default branch"
