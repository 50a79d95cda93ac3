# METADATA
# title: OS minimum version that Apple no longer offers
# description: |
#   Since Fleet 4.83 the server checks a `controls.macos_updates` / `ios_updates` /
#   `ipados_updates` `minimum_version` against the versions Apple's software lookup service
#   (GDMF, `gdmf.apple.com/v2/pmv`) currently offers, and refuses any other: "The minimum
#   version isn't supported by Apple." That includes versions that were released once but are
#   no longer offered (Apple drops them as newer ones ship), and versions offered for iPads only
#   in `ios_updates`: iOS is checked against the versions offered for iPhones, iPadOS against
#   those for iPads. (A version only ever released for iPads, such as iPadOS 17.7.11, is
#   reported in `ios_updates` by os-version-unreleased.) `minimum_version: latest` is not checked
#   (Fleet picks an offered version).
#
#   tollgate compares with the GDMF list of its OS catalog (embedded, or `--os-catalog`;
#   `tollgate catalog update` fetches a fresh one, and the GitHub action does so every day), and
#   names the list's date in the finding. The list changes daily: with a catalog older than 14
#   days the finding is a warning. Versions newer than the catalog knows are
#   os-version-unreleased's to judge.
# custom:
#   id: os-version-not-offered
#   severity: error
#   category: os-updates
#   tags: [apple, os-updates]
package tollgate.rules.os_version_not_offered

import data.tollgate.lib

names := {"macos": "macOS", "ios": "iOS", "ipados": "iPadOS"}

# Fleet checks GDMF from 4.83 on; without a target (tests, user rules) the check applies.
applies if not data.fleet_version

applies if lib.version_compare(data.fleet_version, "4.83") >= 0

report contains object.union(f, {"file": entry.file}) if {
	applies
	some entry in lib.entries
	some [section, platform] in [["macos_updates", "macos"], ["ios_updates", "ios"], ["ipados_updates", "ipados"]]
	version := entry.doc.controls[section].minimum_version
	some f in problems(section, platform, version)
}

# As os-version-unreleased, a finding depends on the version only, so OPA's function cache
# computes it once per distinct version.
problems(section, platform, version) := {f |
	is_string(version)
	version != ""
	version != "latest"
	offered := data.os_catalog[platform].gdmf
	is_array(offered) # null: the catalog has no GDMF list, nothing to compare with
	status := tollgate.os_version_status(platform, version)
	status.kind == "released"
	not status.version in offered
	msg := message(platform, status.version, data.os_catalog.gdmf_date)
	f := lib.with_severity(lib.with_hint(lib.fail("", ["controls", section, "minimum_version"], msg), hint(platform, status.version, offered)), severity)
}

message(platform, v, day) := sprintf("%s %q is not offered by Apple (GDMF list of %s): Fleet 4.83+ refuses it with \"The minimum version isn't supported by Apple.\"", [names[platform], v, day]) if {
	not ipados_only(platform, v)
}

message(platform, v, day) := sprintf("iOS %q is offered for iPads only (GDMF list of %s): Fleet checks iOS versions against iPhones and refuses it with \"The minimum version isn't supported by Apple.\"", [v, day]) if {
	ipados_only(platform, v)
}

ipados_only("ios", v) if v in data.os_catalog.ipados.gdmf

# hint names the newest offered version of the same major, else the newest offered.
hint(platform, v, offered) := sprintf("use a version Apple offers, such as %q, or minimum_version: latest with deadline_days", [best]) if {
	major := split(v, ".")[0]
	same := [o | some o in offered; split(o, ".")[0] == major]
	count(same) > 0
	best := same[0]
} else := sprintf("use a version Apple offers, such as %q, or minimum_version: latest with deadline_days", [offered[0]]) if {
	count(offered) > 0
} else := "use minimum_version: latest with deadline_days"

# The GDMF list changes daily: an old one is only a warning.
severity := "error" if {
	age := lib.today_days - tollgate.date_days(data.os_catalog.gdmf_date)
	age < data.os_catalog.fresh_days
} else := "warning"
