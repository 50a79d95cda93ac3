# The library's helpers for rules on Kubernetes repositories (METADATA custom.kind: kubernetes).
# input.documents holds the documents of the repository (docs/policies.md, "Kubernetes"); a
# finding names a document by its file and index and a data path in it, and the engine maps
# the path to the line and column.
package tollgate.lib

# kube_fail is a finding at a data path of d, an element of input.documents. For a resource
# kustomize built (--render), the engine places it on the source document it came from and
# names the overlay.
kube_fail(d, path, msg) := {
	"file": d.file, "document": d.index, "path": path, "msg": msg,
	"overlay": object.get(d, ["rendered", "overlay"], ""),
}

# kube_fail_key is like kube_fail, pointing at the key rather than its value.
kube_fail_key(d, path, msg) := object.union(kube_fail(d, path, msg), {"at": "key"})

# kube_group is the API group of a document ("" for the core group).
kube_group(d) := g if {
	contains(d.apiVersion, "/")
	parts := split(d.apiVersion, "/")
	g := concat("/", array.slice(parts, 0, count(parts) - 1))
} else := ""

# kube_is(d, group, kind) holds for a document of that group and kind.
kube_is(d, group, kind) if {
	d.kind == kind
	kube_group(d) == group
}

# kube_object names a document in a message: Deployment "web" (namespace "shop").
kube_object(d) := sprintf("%s %q (namespace %q)", [d.kind, d.name, d.namespace]) if d.namespace != ""

else := sprintf("%s %q", [d.kind, d.name])

# kube_pod_spec_paths are the paths of the pod template of each workload kind.
kube_pod_spec_paths := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"ReplicationController": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"Rollout": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

# kube_containers(d) is every container of a workload as [data path, container]: containers,
# init containers and ephemeral containers of its pod template.
kube_containers(d) := [[array.concat(p, [key, i]), c] |
	p := kube_pod_spec_paths[d.kind]
	spec := object.get(d.doc, p, {})
	is_object(spec)
	some key in ["initContainers", "containers", "ephemeralContainers"]
	some i, c in object.get(spec, key, [])
	is_object(c)
]

# kube_duration_ns is a Go duration ("5m", "1h30m") in nanoseconds; undefined when it is not one.
kube_duration_ns(s) := time.parse_duration_ns(s) if {
	is_string(s)
	regex.match(`^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$`, s)
}

# kube_flux(d) holds for a Flux custom resource.
kube_flux(d) if endswith(kube_group(d), ".toolkit.fluxcd.io")

# kube_argo_app(d) holds for an Argo CD Application.
kube_argo_app(d) if kube_is(d, "argoproj.io", "Application")
