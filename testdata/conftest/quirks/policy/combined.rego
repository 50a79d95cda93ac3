# Run with --combine --namespace combined: the combined input goes through a JSON round trip,
# so its numbers print as JSON writes them (1000000, not 1e+06).
package combined

import rego.v1

warn contains msg if {
	some doc in input
	doc.contents.kind == "Values"
	msg := sprintf("%s: big=%v small=%v huge=%v", [doc.path, doc.contents.big, doc.contents.small, doc.contents.huge])
}

deny contains sprintf("%d inputs", [count(input)]) if true
