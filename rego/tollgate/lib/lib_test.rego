package tollgate.lib_test

import data.tollgate.lib

test_has_env_ref if {
	lib.has_env_ref("$FLEET_ENROLL_SECRET")
	lib.has_env_ref("${FLEET_ENROLL_SECRET}")
	lib.has_env_ref("prefix-$A_1-suffix")
	lib.has_env_ref(`\\$A`) # the two backslashes are one literal backslash, then $A
	lib.has_env_ref(`\$A $B`)
	lib.has_env_ref(`$\$A$B`)
	lib.has_env_ref("$$A")
}

test_no_env_ref if {
	not lib.has_env_ref("plain")
	not lib.has_env_ref(`\$A`)
	not lib.has_env_ref(`\\\$A`)
	not lib.has_env_ref("$1A")
	not lib.has_env_ref("${A")
	not lib.has_env_ref("$")
	not lib.has_env_ref("${}")
	not lib.has_env_ref(42)
}
