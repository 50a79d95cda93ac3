# METADATA
# title: OS minimum version that Apple has not released
# description: |
#   `controls.macos_updates` / `ios_updates` / `ipados_updates` `minimum_version` must be a version
#   Apple has shipped for that platform. Fleet 4.83+ rejects other versions at apply ("The minimum
#   version isn't supported by Apple."), older Fleet accepts them and the update is never enforced.
#   tollgate checks against its OS catalog (embedded, or `--os-catalog FILE`; refresh it with
#   `tollgate catalog update`). A version newer than everything in a catalog older than 14 days is
#   only a warning naming the catalog's date, since Apple may have shipped it since; a version
#   known only as a beta or RC, or released for the other hardware only (iPadOS-only 17.7.x in
#   `ios_updates`), is an error.
# custom:
#   id: os-version-unreleased
#   severity: error
#   category: os-updates
#   tags: [apple, os-updates]
package tollgate.rules.os_version_unreleased

import data.tollgate.lib

# A finding depends on the section and its version only: problems(section, platform, version)
# builds it without the file, and the report adds it. OPA caches a function's result per
# arguments, so the verdict and the finding are computed once per distinct version, not once
# per team. (It caches a value, not an undefined result: hence a set, empty for most versions.)
# One report per section, each reading its section by name: iterating over the sections for
# every team cost more than the three lookups.
report contains object.union(finding, {"file": entry.file}) if {
	some entry in lib.entries
	version := entry.doc.controls.macos_updates.minimum_version
	some finding in problems("macos_updates", "macos", version)
}

report contains object.union(finding, {"file": entry.file}) if {
	some entry in lib.entries
	version := entry.doc.controls.ios_updates.minimum_version
	some finding in problems("ios_updates", "ios", version)
}

report contains object.union(finding, {"file": entry.file}) if {
	some entry in lib.entries
	version := entry.doc.controls.ipados_updates.minimum_version
	some finding in problems("ipados_updates", "ipados", version)
}

problems(section, platform, version) := {finding |
	is_string(version)
	version != ""
	status := tollgate.os_version_status(platform, version)
	status.kind in {"unreleased", "newer-than-catalog", "wrong-platform"}
	f := lib.fail("", ["controls", section, "minimum_version"], status.message)
	finding := lib.with_hint(lib.with_severity(f, status.severity), hint(status))
}

# The hint stays on the version's own major line when Apple has released one (15.10 → the newest
# 15.x): a jump to the next major would be a riskier change than the mistake it fixes.
hint(status) := sprintf("use a released version such as %q", [suggested(status)]) if {
	status.kind != "newer-than-catalog"
}

suggested(status) := status.latest_in_major if status.latest_in_major != ""

else := status.latest

hint(status) := "run `tollgate catalog update -o os-catalog.json` and pass `--os-catalog os-catalog.json`" if {
	status.kind == "newer-than-catalog"
}
