# METADATA
# title: Configuration profile removed from a team, or its label scope narrowed
# description: |
#   Reviews the change (lint --base): a configuration profile that leaves a team, or whose
#   label targeting now reaches fewer hosts (a label taken out of labels_include_any, added to
#   labels_include_all or labels_exclude_any, or targeting added to a profile that went to every
#   host). On the next apply Fleet removes the profile from those hosts: the Wi-Fi, VPN,
#   certificate, passcode or restriction it carried goes with it (on Windows a setting may stay
#   behind, not cleanly removed). A removal that belongs to the change is acknowledged by
#   reading it here; one that does not is the mistake this rule exists for. Renaming a profile's
#   PayloadDisplayName is a removal and an addition for Fleet, and reported as such.
# custom:
#   id: change-profile-removed
#   severity: warning
#   category: change
#   tags: [change, profiles]
package tollgate.rules.change_profile_removed

import data.tollgate.lib

report contains lib.with_hint(lib.fail_change(c, msg), hint) if {
	some c in lib.changes
	c.kind == "profile"
	c.action == "removed"
	msg := sprintf("profile %q (%s) is removed from %s%s: Fleet removes it from those hosts on the next apply", [c.name, c.detail, lib.team_phrase(c), lib.was(c)])
	hint := "if that is not intended, put the profile back in the list; `tollgate diff --base` shows the whole change"
}

report contains lib.fail_change(c, msg) if {
	some c in lib.changes
	c.kind == "profile"
	c.action == "changed"
	some key in narrowed(c)
	f := lib.field(c, key)
	msg := sprintf("profile %q in %s now reaches fewer hosts: %s %s → %s; Fleet removes it from the hosts that no longer match", [c.name, lib.team_phrase(c), key, f.old, f.new])
}

# narrowed lists the label keys whose change leaves the profile on fewer hosts.
narrowed(c) := {key |
	some f in c.fields
	key := f.path
	narrows(key, labels(f.old_value), labels(f.new_value), f.old_value == null, f.new_value == null)
}

labels(v) := {l | some l in v} if is_array(v)

else := set()

# labels_include_any, labels_include_all: targeting where there was none (every host before),
# or fewer labels to match any of, or more labels to match all of. Targeting taken away
# reaches every host: wider.
narrows("labels_include_any", old, new, old_unset, false) if {
	not old_unset
	count(old - new) > 0
}

narrows(key, _, _, true, false) if key in {"labels_include_any", "labels_include_all"}

narrows("labels_include_all", old, new, false, false) if count(new - old) > 0

# labels_exclude_any: a label more to exclude.
narrows("labels_exclude_any", old, new, _, _) if count(new - old) > 0
