# The bundled Kubernetes rules that read one document at a time, written as a plain conftest
# policy, for bench/kube.sh: conftest v0.71.1 runs this on the same files tollgate lints.
# (gitops-resource-conflict and flux-sops-no-decryption need the applications graph, which a
# per-document conftest policy does not have; they are left out here and cost tollgate little.)
package main

pod_spec_paths := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

deny contains msg if {
	input.apiVersion == "v1"
	input.kind == "Secret"
	not input.sops
	some field in ["data", "stringData"]
	some key, v in object.get(input, field, {})
	v != ""
	msg := sprintf("Secret %s holds %s.%s in plain text", [input.metadata.name, field, key])
}

deny contains msg if {
	p := pod_spec_paths[input.kind]
	spec := object.get(input, p, {})
	some key in ["initContainers", "containers", "ephemeralContainers"]
	some c in object.get(spec, key, [])
	not contains(c.image, "@")
	unpinned(c.image)
	msg := sprintf("container %s uses image %s, not pinned", [c.name, c.image])
}

unpinned(image) if endswith(image, ":latest")

unpinned(image) if {
	parts := split(image, "/")
	not contains(parts[count(parts) - 1], ":")
}

argo_app if {
	input.kind == "Application"
	startswith(input.apiVersion, "argoproj.io/")
}

warn contains msg if {
	argo_app
	object.get(input, ["spec", "project"], "default") == "default"
	msg := sprintf("Application %s is in the default project", [input.metadata.name])
}

warn contains msg if {
	argo_app
	auto := input.spec.syncPolicy.automated
	object.get(auto, "selfHeal", false) != true
	msg := sprintf("Application %s syncs automatically without selfHeal", [input.metadata.name])
}

deny contains msg if {
	argo_app
	input.spec.syncPolicy.automated.prune == true
	input.spec.syncPolicy.automated.allowEmpty == true
	msg := sprintf("Application %s prunes with allowEmpty", [input.metadata.name])
}

warn contains msg if {
	argo_app
	object.get(input.spec.destination, "namespace", "") == ""
	msg := sprintf("Application %s has no destination namespace", [input.metadata.name])
}

flux if endswith(split(input.apiVersion, "/")[0], ".toolkit.fluxcd.io")

warn contains msg if {
	input.kind == "Kustomization"
	startswith(input.apiVersion, "kustomize.toolkit.fluxcd.io/")
	input.spec.prune == false
	msg := sprintf("Kustomization %s has prune: false", [input.metadata.name])
}

warn contains msg if {
	flux
	input.spec.suspend == true
	msg := sprintf("%s %s is suspended", [input.kind, input.metadata.name])
}

warn contains msg if {
	flux
	ns := time.parse_duration_ns(input.spec.interval)
	ns < time.parse_duration_ns("1m")
	msg := sprintf("%s %s reconciles too often", [input.kind, input.metadata.name])
}

warn contains msg if {
	flux
	ns := time.parse_duration_ns(input.spec.interval)
	ns > time.parse_duration_ns("24h")
	msg := sprintf("%s %s reconciles too seldom", [input.kind, input.metadata.name])
}
