# Policies that lean on conftest's parsing and counting quirks, for the differential test.
package main

import rego.v1

# Numbers reach policies as float64 (1000000 prints as 1e+06), YAML 1.1 booleans as booleans,
# y/on keys as "true".
warn_values contains msg if {
	input.kind == "Values"
	msg := sprintf("big=%v small=%v huge=%v float=%v flag=%v keys=%v", [input.big, input.small, input.huge, input.float, input.flag, object.keys(input.keys)])
}

# A trailing --- gives a null document, which this rule sees.
deny_null contains "a null document" if input == null

# Each item of a top-level list is its own input.
deny_item contains msg if {
	is_string(input.item)
	msg := sprintf("item %s", [input.item])
}

# Prefixed and plain rules, some excepted.
violation_named contains {"msg": "named violation", "level": 3} if input.kind == "Values"

deny contains "plain deny" if input.kind == "Values"

exception contains rules if {
	input.kind == "Values"
	rules := ["item", ""]
}

# Two definitions of one rule count as two in the success total.
warn_twice contains "never" if input.never

warn_twice contains "never either" if input.never_either
