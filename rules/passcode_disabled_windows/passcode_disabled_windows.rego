# METADATA
# title: Windows profile turns the device password off
# description: |
#   The Policy CSP node DeviceLock/DevicePasswordEnabled is inverted: `<Data>0</Data>` turns the
#   device password policy on and `<Data>1</Data>` turns it off, which also zeroes the length
#   and complexity settings of the same policy. Fleet's own configuration shipped `1` under the
#   comment "Enable device passwords" (PR #29565, fixed in PR #30339). Fix: write 0, or remove
#   the node (0 is the default).
# custom:
#   id: passcode-disabled-windows
#   severity: error
#   category: passcode
#   tags: [windows, passcode, profiles]
#   security: true
#   security_severity: 7.5
package tollgate.rules.passcode_disabled_windows

import data.tollgate.lib

report contains lib.with_hint(lib.fail_payload(p, pl, "Data", msg), hint) if {
	some [p, pl, node] in lib.windows_devicelock_kinds # p is a profile kind, see lib.profile_kinds_in
	node == "DevicePasswordEnabled"
	lib.profile_int(pl.values.Data) == 1
	msg := "DevicePasswordEnabled is 1, which turns the device password off (0 turns it on)"
	hint := "write <Data>0</Data> to require a password; 1 also voids the length and complexity settings"
}
