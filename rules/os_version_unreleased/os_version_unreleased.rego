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

sections := {"macos_updates": "macos", "ios_updates": "ios", "ipados_updates": "ipados"}

report contains finding if {
	some entry in lib.entries
	some section, platform in sections
	version := entry.doc.controls[section].minimum_version
	is_string(version)
	version != ""
	status := tollgate.os_version_status(platform, version)
	status.kind in {"unreleased", "newer-than-catalog", "wrong-platform"}
	f := lib.fail(entry.file, ["controls", section, "minimum_version"], status.message)
	finding := lib.with_hint(lib.with_severity(f, status.severity), hint(status))
}

hint(status) := sprintf("use a released version such as %q", [status.latest]) if {
	status.kind != "newer-than-catalog"
}

hint(status) := "run `tollgate catalog update -o os-catalog.json` and pass `--os-catalog os-catalog.json`" if {
	status.kind == "newer-than-catalog"
}
