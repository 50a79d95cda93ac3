package tollgate.lib.change_test

import data.tollgate.lib

field(old, old_value, new, new_value) := {"path": "p", "old": old, "new": new, "old_value": old_value, "new_value": new_value}

test_cleared if {
	lib.cleared(field(`"https://a/b.pkg"`, "https://a/b.pkg", "(not set)", null))
	lib.cleared(field(`"https://a/b.pkg"`, "https://a/b.pkg", `""`, ""))
	lib.cleared(field("true", true, "false", false))
	lib.cleared(field("[1]", [1], "[]", []))
	lib.cleared(field("sha256:0123456789ab", null, "(not set)", null)) # a file's digest
	lib.cleared(field("0", 0, "(not set)", null)) # 0 is a value
}

test_not_cleared if {
	not lib.cleared(field(`""`, "", "(not set)", null)) # nothing was set
	not lib.cleared(field("false", false, "(not set)", null))
	not lib.cleared(field("null", null, "(not set)", null))
	not lib.cleared(field(`"a"`, "a", `"b"`, "b")) # replaced
	not lib.cleared(field("sha256:aaaaaaaaaaaa", null, "sha256:bbbbbbbbbbbb", null))
}

test_controls_phrase if {
	lib.controls_phrase({"team": "", "name": "controls.enable_disk_encryption"}) == "hosts with no team"
	lib.controls_phrase({"team": "", "name": "org_settings.mdm.enable_disk_encryption"}) == "the organisation settings"
	lib.controls_phrase({"team": "Servers", "name": "controls.enable_disk_encryption"}) == `team "Servers"`
}

test_count_phrase if {
	lib.count_phrase({"secret": 1, "policy": 2, "query": 0, "software": 3}) == "2 policies, 1 enroll secret, 3 software items"
	lib.count_phrase({}) == ""
	lib.count_phrase({"query": 2}) == "2 reports" with input as {"era": "fleets"}
	lib.count_phrase({"query": 1}) == "1 query" with input as {"era": "teams"}
}

test_noun if {
	lib.noun("query") == "query"
	lib.noun("query") == "report" with input.era as "fleets"
	lib.noun("secret") == "enroll secret"
}
