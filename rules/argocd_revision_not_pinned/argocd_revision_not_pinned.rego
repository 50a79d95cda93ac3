# METADATA
# title: Argo CD Application tracks a branch where its project requires a pinned revision
# description: |
#   An Application whose `targetRevision` is `HEAD`, empty or a branch deploys whatever is
#   pushed there next: for the projects that promote releases by pinning (production, a
#   regulated environment), a push to the branch reaches them without a change to the
#   Application. List those projects in the `projects` parameter (`"*"` for every project);
#   their Applications must name a tag (`v1.4.2`, a semantic version), a commit SHA, or for a
#   Helm chart an exact chart version. Each source of a multi-source Application is checked. By
#   default no project is listed and the rule reports nothing.
# custom:
#   id: argocd-revision-not-pinned
#   kind: kubernetes
#   severity: error
#   category: argocd
#   tags: [argocd, promotion, kubernetes]
#   params:
#     - name: projects
#       default: []
#       description: Argo CD projects whose Applications must pin their revision ("*" for all)
package tollgate.rules.argocd_revision_not_pinned

import data.tollgate.lib

projects := {p | some p in lib.param("argocd-revision-not-pinned", "projects")}

sources(spec) := [[["spec", "source"], spec.source]] if is_object(spec.source)

else := [[["spec", "sources", i], s] | some i, s in spec.sources]

report contains lib.with_hint(lib.kube_fail(d, array.concat(p, ["targetRevision"]), msg), hint) if {
	some d in input.documents
	lib.kube_argo_app(d)
	not d.patch
	project := object.get(d.doc, ["spec", "project"], "default")
	required(project)
	some [p, src] in sources(d.doc.spec)
	rev := object.get(src, "targetRevision", "")
	not pinned(rev)
	msg := sprintf("%s tracks %s, but project %q requires a pinned revision: every push there is deployed", [lib.kube_object(d), tracked(rev), project])
	hint := "set targetRevision to a release tag (v1.4.2) or a commit SHA, and change it to promote"
}

required(project) if projects["*"]

required(project) if projects[project]

tracked(rev) := "HEAD" if rev in {"", "HEAD"}

else := sprintf("the branch %q", [rev])

# pinned: a full commit SHA, or an exact semantic version (a tag or a chart version).
pinned(rev) if regex.match(`^[0-9a-f]{40}$`, rev)

pinned(rev) if regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`, rev)
