# The library's helpers for rules on a change (lint --base): input.change holds the plan of
# docs/diff-format.md. A change finding is placed where a reviewer comments on it: the thing's
# line in the head, or, for a removal, the list or key it was removed from.
package tollgate.lib

# changes is every change of the plan under review (empty without --base).
changes := input.change.changes if input.change.changes

else := []

# fail_change is a finding at a change's place in the head (its base place when the head has
# none: a file deleted whole).
fail_change(c, msg) := fail_at(c.head.file, c.head.line, c.head.column, msg) if {
	c.head
} else := fail_at(c.base.file, c.base.line, c.base.column, msg)

# was is " (was FILE:LINE)": where a removed thing was written in the base.
was(c) := sprintf(" (was %s:%d)", [c.base.file, c.base.line]) if c.base

else := ""

# team_phrase names a change's team for a message: `team "X"`, or the organisation.
team_phrase(c) := "the organisation settings" if c.team == ""

else := "hosts with no team" if c.team == "No team"

else := sprintf("team %q", [c.team])

# field is the change of one field of a change ({path, old, new, old_value, new_value}).
field(c, name) := f if {
	some f in c.fields
	f.path == name
}
