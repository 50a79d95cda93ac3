# METADATA
# title: Label used but not defined
# description: |
#   Profiles (`labels_include_all`, `labels_include_any`, `labels_exclude_any`, the deprecated
#   `labels`), software packages, App Store apps, Fleet-maintained apps, policies and
#   queries/reports may only name labels that exist after the run. When the global file has a
#   `labels:` key, fleetctl deletes every label not listed there, so a name that is neither listed
#   nor one of Fleet's built-in labels stops the run: "Unknown label '…' is referenced by …",
#   then "Please create the missing labels, or update your settings to not refer to these
#   labels.". Before Fleet 4.82 `labels:` in a team file is ignored, so only the global list
#   counts; fleets-era files may define fleet-scoped labels. When the global file has no
#   `labels:` key (or is not part of the run) the labels live on the server, which tollgate
#   cannot see, and the rule stays silent. Built-in names follow Fleet's ReservedLabelNames;
#   labels a newer Fleet adds can be listed in the `extra_builtins` parameter. Fix: define the
#   label in the global `labels:` list, or correct the name (comparison is exact, case included).
# custom:
#   id: label-undefined
#   severity: error
#   category: labels
#   tags: [labels]
#   params:
#     - name: extra_builtins
#       default: []
#       description: label names to accept as built in, in addition to Fleet's own
package tollgate.rules.label_undefined

import data.tollgate.lib

id := "label-undefined"

# fleet.ReservedLabelNames() (server/fleet/labels.go).
builtins := {
	"All Hosts", "macOS", "Ubuntu Linux", "CentOS Linux", "MS Windows", "Red Hat Linux",
	"All Linux", "chrome", "macOS 14+ (Sonoma+)", "iOS", "iPadOS", "Fedora Linux", "Android",
}

label_keys := {"labels_include_all", "labels_include_any", "labels_exclude_any", "labels_exclude_all"}

global_labels := {trim_space(l.name) | some l in input.global.doc.labels; is_string(l.name)}

# Team-defined labels count from Fleet 4.82 (fleets era) on.
defined := (global_labels | builtins) | {n | some n in lib.param(id, "extra_builtins")} | team_labels

team_labels := {n | some n in input.repo.labels} if input.era == "fleets"

else := set()

# The set of labels after the run is known only when the global file lists them.
known if {
	input.global != null
	"labels" in object.keys(input.global.doc)
}

profile_sections := {"macos_settings", "apple_settings", "windows_settings", "android_settings"}

profile_lists := {"custom_settings", "configuration_profiles"}

# uses: [file, data path of the name, name, what uses it]
uses contains [entry.file, array.concat(p, [key, j]), name, "a profile"] if {
	some entry in lib.entries
	some sec in profile_sections
	some list in profile_lists
	some i, item in entry.doc.controls[sec][list]
	p := ["controls", sec, list, i]
	some key in label_keys | {"labels"}
	some j, name in item[key]
}

uses contains [entry.file, array.concat(p, [key, j]), name, what] if {
	some entry in lib.entries
	some list, what in {"packages": "a software package", "app_store_apps": "an App Store app", "fleet_maintained_apps": "a Fleet-maintained app"}
	some i, item in entry.doc.software[list]
	p := ["software", list, i]
	some key in label_keys
	some j, name in item[key]
}

uses contains [entry.file, [list, i, key, j], name, what] if {
	some entry in lib.entries
	some list, what in {"policies": "a policy", "queries": "a query", "reports": "a report"}
	some i, item in entry.doc[list]
	some key in label_keys
	some j, name in item[key]
}

# Software package files: one package or a list of them.
uses contains [pkg.file, [key, j], name, "a software package"] if {
	some pkg in input.packages
	is_object(pkg.doc)
	some key in label_keys
	some j, name in pkg.doc[key]
}

uses contains [pkg.file, [i, key, j], name, "a software package"] if {
	some pkg in input.packages
	is_array(pkg.doc)
	some i, item in pkg.doc
	some key in label_keys
	some j, name in item[key]
}

report contains lib.with_hint(lib.fail(file, path, msg), hint) if {
	known
	some [file, path, raw, what] in uses
	is_string(raw)
	name := trim_space(raw)
	name != ""
	not contains(name, "$")
	not defined[name]
	msg := sprintf("label %q used by %s is not defined in the global labels: list nor built in; fleetctl stops with \"Unknown label\"%s", [name, what, team_note(name)])
	hint := hint_for(name)
}

team_note(name) := "; it is defined only in a team file, where fleetctl before 4.82 ignores labels:" if {
	input.era != "fleets"
	name in input.repo.labels
} else := ""

hint_for(name) := sprintf("did you mean %q? label names are compared exactly", [other]) if {
	some other in defined
	is_string(other)
	lower(other) == lower(name)
} else := sprintf("add {name: %q, query: …} (or hosts: for a manual label) to the global labels: list", [name])
