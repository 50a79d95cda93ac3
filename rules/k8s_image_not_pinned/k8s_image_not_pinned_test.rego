package tollgate.rules.k8s_image_not_pinned_test

import data.tollgate.rules.k8s_image_not_pinned

deployment(images) := {"kind": "kubernetes", "documents": [{
	"file": "d.yaml", "index": 0, "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "",
	"doc": {"spec": {"template": {"spec": {"containers": [{"name": sprintf("c%d", [i]), "image": img} | some i, img in images]}}}},
}]}

test_latest if {
	fs := k8s_image_not_pinned.report with input as deployment(["nginx:latest"])
	count(fs) == 1
	some f in fs
	f.path == ["spec", "template", "spec", "containers", 0, "image"]
	contains(f.msg, "tagged :latest")
}

test_no_tag if {
	fs := k8s_image_not_pinned.report with input as deployment(["registry:5000/team/app"])
	some f in fs
	contains(f.msg, "has no tag")
}

test_pinned if {
	count(k8s_image_not_pinned.report) == 0 with input as deployment(["nginx:1.27.3", "nginx@sha256:abc", "nginx:latest@sha256:abc", "registry:5000/app:v2"])
}

test_cronjob_init_container if {
	inp := {"kind": "kubernetes", "documents": [{"file": "c.yaml", "index": 0, "apiVersion": "batch/v1", "kind": "CronJob", "name": "j", "namespace": "x",
		"doc": {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"initContainers": [{"name": "i", "image": "busybox"}], "containers": []}}}}}}}]}
	fs := k8s_image_not_pinned.report with input as inp
	some f in fs
	f.path == ["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "image"]
}
