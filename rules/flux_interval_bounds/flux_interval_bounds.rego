# METADATA
# title: Flux reconcile interval outside the configured bounds
# description: |
#   `spec.interval` of a Flux resource is how often it is reconciled: too short and hundreds of
#   objects poll the git host, the registry and the API server (rate limits, throttled
#   controllers); too long and drift on the cluster, or a new commit when no webhook notifies
#   Flux, waits that long. The bounds are the `min_interval` and `max_interval` parameters (Go
#   durations, default 1m and 24h). A value that is not a duration is reported too (Flux
#   refuses it).
# custom:
#   id: flux-interval-bounds
#   kind: kubernetes
#   severity: warning
#   category: flux
#   tags: [flux, kubernetes]
#   params:
#     - name: min_interval
#       default: 1m
#       description: shortest interval allowed (a Go duration)
#     - name: max_interval
#       default: 24h
#       description: longest interval allowed (a Go duration)
package tollgate.rules.flux_interval_bounds

import data.tollgate.lib

min_text := lib.param("flux-interval-bounds", "min_interval")

max_text := lib.param("flux-interval-bounds", "max_interval")

min_ns := lib.kube_duration_ns(min_text)

max_ns := lib.kube_duration_ns(max_text)

intervals contains [d, v, ns] if {
	some d in input.documents
	lib.kube_flux(d)
	v := d.doc.spec.interval
	ns := interval_ns(v)
}

interval_ns(v) := lib.kube_duration_ns(v) if lib.kube_duration_ns(v)

else := -1

report contains lib.kube_fail(d, ["spec", "interval"], msg) if {
	some [d, v, -1] in intervals
	msg := sprintf("%s has interval %v, which is not a duration (write it like 5m or 1h30m)", [lib.kube_object(d), v])
}

report contains lib.with_hint(lib.kube_fail(d, ["spec", "interval"], msg), hint) if {
	some [d, v, ns] in intervals
	ns >= 0
	ns < min_ns
	msg := sprintf("%s reconciles every %s, more often than the minimum of %s: it loads the source host and the API server", [lib.kube_object(d), v, min_text])
	hint := sprintf("set interval to at least %s, and use a webhook receiver for fast delivery", [min_text])
}

report contains lib.with_hint(lib.kube_fail(d, ["spec", "interval"], msg), hint) if {
	some [d, v, ns] in intervals
	ns > max_ns
	msg := sprintf("%s reconciles every %s, less often than the maximum of %s: drift and missed commits wait that long", [lib.kube_object(d), v, max_text])
	hint := sprintf("set interval to at most %s", [max_text])
}

# A bound that is not a duration would make the rule silent: said at the first Flux document.
report contains lib.kube_fail(d, ["spec", "interval"], msg) if {
	some name, text in {"min_interval": min_text, "max_interval": max_text}
	not lib.kube_duration_ns(text)
	some d in input.documents
	lib.kube_flux(d)
	d.index == min({x.index | some x in input.documents; lib.kube_flux(x); x.file == d.file})
	d.file == min({x.file | some x in input.documents; lib.kube_flux(x)})
	msg := sprintf("parameter %s of flux-interval-bounds is %v, not a Go duration: intervals are not checked (.tollgate.yaml)", [name, text])
}
