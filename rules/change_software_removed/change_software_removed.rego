# METADATA
# title: Software removed from a team
# description: |
#   Reviews the change (lint --base): a software package, App Store app or Fleet-maintained
#   app that leaves a team. On the next apply Fleet deletes it from the team: it is no longer
#   offered in self-service, installed by policy automations or during the setup experience;
#   hosts keep what is already installed (Fleet does not uninstall it). The finding says when the team offered it in self-service or installed
#   it during setup. A package updated in place (a new hash or version for the same URL, or
#   the same package file) is a replacement, not a removal, and is not reported; a package
#   whose URL changes is a new package for Fleet and is. A removal that belongs to the change
#   is acknowledged by reading it here; a policy that still installs the package is
#   policy-automation-target-missing's to report.
# custom:
#   id: change-software-removed
#   severity: warning
#   category: change
#   tags: [change, software]
package tollgate.rules.change_software_removed

import data.tollgate.lib

report contains lib.with_hint(lib.fail_change(c, msg), hint) if {
	some c in lib.changes
	c.kind == "software"
	c.action == "removed"
	not replaced(c)
	msg := sprintf("%s %q is removed from %s%s: Fleet deletes it from the team on the next apply%s; hosts keep what is installed", [noun(c), c.name, lib.team_phrase(c), lib.was(c), lost(c)])
	hint := "if that is not intended, put it back in the team's software list"
}

# replaced holds for a package that the same team gains again: the same name (URL or display
# name) or the same package file with another hash, an update rather than a removal.
replaced(c) if {
	names := added_names # the whole set, built once: a lookup of one member evaluates its body again
	[c.team, c.name] in names
}

replaced(c) if {
	startswith(c.detail, "package ")
	files := added_files
	[c.team, c.detail] in files
}

added_names contains [a.team, a.name] if some a in added

added_files contains [a.team, a.detail] if {
	some a in added
	startswith(a.detail, "package ")
}

added contains a if {
	some a in lib.changes
	a.kind == "software"
	a.action == "added"
}

noun(c) := "App Store app" if c.detail == "app store apps"

else := "Fleet-maintained app" if c.detail == "fleet maintained apps"

else := "script package" if startswith(c.detail, "script package ")

else := "software package"

# lost says what the team did with it, from the base's facts.
lost(c) := sprintf(" (%s)", [concat(" and ", uses)]) if {
	uses := [use |
		some key, use in {"self_service": "offered in self-service", "setup_experience": "installed during the setup experience"}
		c.facts[key] == true
	]
	count(uses) > 0
} else := ""
