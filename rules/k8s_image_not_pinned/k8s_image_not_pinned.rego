# METADATA
# title: Container image not pinned to a version
# description: |
#   A GitOps repository is the record of what runs: an image without a tag (`nginx`, which
#   means `nginx:latest`) or tagged `:latest`, and with no digest, changes whenever someone
#   pushes the tag, without a commit, so the repository no longer says what runs, a rollback to
#   an earlier commit does not roll back the image, and two nodes may run different builds.
#   Every container, init container and ephemeral container of a Pod, Deployment, StatefulSet,
#   DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or Argo Rollouts `Rollout` is
#   checked. An image with a digest (`@sha256:…`) is pinned whatever its tag. Fix: name a
#   release tag (`nginx:1.27.3`), better with its digest (`nginx:1.27.3@sha256:…`); image
#   automation (Flux image-automation, Argo CD Image Updater, Renovate) keeps it current through
#   commits.
# custom:
#   id: k8s-image-not-pinned
#   kind: kubernetes
#   severity: error
#   category: images
#   tags: [images, reproducibility, kubernetes]
package tollgate.rules.k8s_image_not_pinned

import data.tollgate.lib

report contains lib.with_hint(lib.kube_fail(d, array.concat(p, ["image"]), msg), hint) if {
	some d in input.documents
	some [p, c] in lib.kube_containers(d)
	is_string(c.image)
	problem := unpinned(c.image)
	msg := sprintf("container %q of %s uses image %q, %s: what runs changes without a commit", [object.get(c, "name", ""), lib.kube_object(d), c.image, problem])
	hint := sprintf("pin a release tag, ideally with its digest: %s:<version>@sha256:<digest>", [repository(c.image)])
}

# unpinned says why an image is not pinned; undefined when it is (a digest, or a tag other
# than latest).
unpinned(image) := "which has no tag (Kubernetes pulls :latest)" if {
	not contains(image, "@")
	tag(image) == ""
} else := "tagged :latest" if {
	not contains(image, "@")
	tag(image) == "latest"
}

# tag is the image's tag: what follows the last colon after the last slash ("" when none; a
# registry port, registry:5000/app, is not a tag).
tag(image) := t if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	pieces := split(last, ":")
	t := pieces[count(pieces) - 1]
} else := ""

repository(image) := r if {
	tag(image) != ""
	r := substring(image, 0, count(image) - count(tag(image)) - 1)
} else := image
