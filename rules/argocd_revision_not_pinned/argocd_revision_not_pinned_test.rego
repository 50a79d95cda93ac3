package tollgate.rules.argocd_revision_not_pinned_test

import data.tollgate.rules.argocd_revision_not_pinned

app(project, rev) := {"kind": "kubernetes", "documents": [{"file": "a.yaml", "index": 0, "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
	"name": "demo", "namespace": "argocd", "patch": false, "doc": {"spec": {"project": project, "source": {"repoURL": "https://git", "path": "x", "targetRevision": rev}}}}]}

params(ps) := {"argocd-revision-not-pinned": {"projects": ps}}

test_head_in_required_project if {
	fs := argocd_revision_not_pinned.report with input as app("prod", "HEAD") with data.tollgate.params as params(["prod"])
	some f in fs
	f.path == ["spec", "source", "targetRevision"]
	contains(f.msg, "tracks HEAD")
}

test_branch_everywhere if {
	fs := argocd_revision_not_pinned.report with input as app("team", "main") with data.tollgate.params as params(["*"])
	some f in fs
	contains(f.msg, `the branch "main"`)
}

test_pinned if {
	count(argocd_revision_not_pinned.report) == 0 with input as app("prod", "v1.4.2") with data.tollgate.params as params(["prod"])
	count(argocd_revision_not_pinned.report) == 0 with input as app("prod", "0123456789abcdef0123456789abcdef01234567") with data.tollgate.params as params(["prod"])
}

test_other_project if {
	count(argocd_revision_not_pinned.report) == 0 with input as app("dev", "HEAD") with data.tollgate.params as params(["prod"])
}

test_off_by_default if {
	count(argocd_revision_not_pinned.report) == 0 with input as app("prod", "HEAD") with data.tollgate.params as params([])
}

test_multi_source if {
	inp := {"kind": "kubernetes", "documents": [{"file": "a.yaml", "index": 0, "apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "name": "m", "namespace": "argocd", "patch": false,
		"doc": {"spec": {"project": "prod", "sources": [{"targetRevision": "1.2.3"}, {"targetRevision": "main"}]}}}]}
	fs := argocd_revision_not_pinned.report with input as inp with data.tollgate.params as params(["prod"])
	count(fs) == 1
	some f in fs
	f.path == ["spec", "sources", 1, "targetRevision"]
}
