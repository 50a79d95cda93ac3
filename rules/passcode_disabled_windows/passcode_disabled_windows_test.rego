package tollgate.rules.passcode_disabled_windows_test

import data.tollgate.rules.passcode_disabled_windows

win(locuri, value) := {"profiles": [{
	"file": "lib/screen-lock.xml", "entry": "teams/t.yml", "format": "syncml",
	"payloads": [{"type": locuri, "values": {"LocURI": locuri, "Data": value}, "keys": {"Data": {"line": 10, "col": 5}}, "line": 3, "col": 3}],
}]}

findings(locuri, value) := fs if {
	fs := passcode_disabled_windows.report with input as win(locuri, value)
}

test_one_disables_the_password if {
	fs := findings("./Device/Vendor/MSFT/Policy/Config/DeviceLock/DevicePasswordEnabled", "1")
	count(fs) == 1
	some f in fs
	f.line == 10
	contains(f.msg, "turns the device password off")
}

test_zero_is_silent if {
	count(findings("./Device/Vendor/MSFT/Policy/Config/DeviceLock/DevicePasswordEnabled", "0")) == 0
}

test_user_scope_and_spaces if {
	count(findings("./User/Vendor/MSFT/Policy/Config/DeviceLock/DevicePasswordEnabled", " 1 ")) == 1
}

test_other_node_is_silent if {
	count(findings("./Device/Vendor/MSFT/Policy/Config/DeviceLock/AllowSimpleDevicePassword", "1")) == 0
}
