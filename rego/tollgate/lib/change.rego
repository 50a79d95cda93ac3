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

# controls_phrase names whose hosts a setting's change reaches: the controls of the global file
# are those of hosts with no team.
controls_phrase(c) := "hosts with no team" if {
	c.team == ""
	startswith(c.name, "controls.")
} else := team_phrase(c)

# was_set holds when a field had a value before the change, and is_set after it: a value that
# configures something (not null, "", false, [] or {}), or a file's digest (a setting that
# names a file shows its content as sha256:…, with no parsed value).
was_set(f) if value_set(f.old_value, f.old)

is_set(f) if value_set(f.new_value, f.new)

# cleared holds for a field that had a value and has none now: its key left out (Fleet reads
# a missing key as null and clears the setting), or set to null, "", false or an empty list.
cleared(f) if {
	was_set(f)
	not is_set(f)
}

value_set(v, _) if {
	v != null
	not v in {"", false, [], {}}
}

value_set(null, text) if startswith(text, "sha256:")

# noun is a change's kind as a reviewer reads it (the fleets era calls queries reports), and
# plural its plural when n is not 1.
noun(kind) := forms(kind)[0]

plural(kind, n) := forms(kind)[0] if n == 1

else := forms(kind)[1]

forms(kind) := ["report", "reports"] if {
	kind == "query"
	input.era == "fleets"
} else := object.get(nouns, kind, [kind, sprintf("%ss", [kind])])

# nouns are the singular and plural of each kind of change.
nouns := {
	"team": ["team", "teams"],
	"profile": ["profile", "profiles"],
	"script": ["script", "scripts"],
	"policy": ["policy", "policies"],
	"query": ["query", "queries"],
	"software": ["software item", "software items"],
	"label": ["label", "labels"],
	"secret": ["enroll secret", "enroll secrets"],
	"setting": ["setting", "settings"],
}

# count_phrase writes counts by kind ({"policy": 2, "secret": 1}) as "2 policies, 1 enroll
# secret", kinds in alphabetical order; kinds counted 0 are left out.
count_phrase(counts) := concat(", ", [phrase |
	some kind in sort(object.keys(counts))
	n := counts[kind]
	n > 0
	phrase := sprintf("%d %s", [n, plural(kind, n)])
])
