package tollgate.rules.flux_interval_bounds_test

import data.tollgate.rules.flux_interval_bounds

doc(interval) := {"kind": "kubernetes", "documents": [{"file": "k.yaml", "index": 0, "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
	"name": "app", "namespace": "flux-system", "doc": {"spec": {"interval": interval}}}]}

bounds(lo, hi) := {"flux-interval-bounds": {"min_interval": lo, "max_interval": hi}}

test_too_short if {
	fs := flux_interval_bounds.report with input as doc("10s") with data.tollgate.params as bounds("1m", "24h")
	some f in fs
	f.path == ["spec", "interval"]
	contains(f.msg, "more often than the minimum of 1m")
}

test_too_long if {
	fs := flux_interval_bounds.report with input as doc("48h") with data.tollgate.params as bounds("1m", "24h")
	some f in fs
	contains(f.msg, "less often than the maximum of 24h")
}

test_within if {
	count(flux_interval_bounds.report) == 0 with input as doc("5m") with data.tollgate.params as bounds("1m", "24h")
	count(flux_interval_bounds.report) == 0 with input as doc("1h30m") with data.tollgate.params as bounds("1m", "24h")
}

test_not_a_duration if {
	fs := flux_interval_bounds.report with input as doc("five minutes") with data.tollgate.params as bounds("1m", "24h")
	some f in fs
	contains(f.msg, "not a duration")
}

test_bad_parameter if {
	fs := flux_interval_bounds.report with input as doc("5m") with data.tollgate.params as bounds("soon", "24h")
	some f in fs
	contains(f.msg, "parameter min_interval")
}
