# METADATA
# title: macOS update deadlines fall before the change freeze
# description: No fleet may schedule a macOS update deadline after 31 January 2027.
# custom:
#   id: org-change-freeze
#   severity: warning
package tollgate.rules.org_change_freeze

import data.tollgate.lib

report contains lib.fail(team.file, ["controls", "macos_updates", "deadline"], msg) if {
	some team in input.teams
	deadline := team.doc.controls.macos_updates.deadline
	time.parse_ns("2006-01-02", deadline) > time.parse_ns("2006-01-02", "2027-01-31")
	msg := sprintf("the deadline %s falls in the change freeze", [deadline])
}
