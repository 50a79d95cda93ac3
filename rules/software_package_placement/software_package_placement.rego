# METADATA
# title: Software package setting at the wrong level
# description: |
#   A team's `software.packages` item that points at a file (`path:`) carries only the
#   team-level settings of the package (`self_service`, `categories`, labels,
#   `setup_experience`, `display_name`); what describes the package itself lives in the package
#   file. fleetctl stops on anything else (pkg/spec/gitops.go,
#   `SoftwarePackage.HydrateToPackageLevel`): "the software package defined in … must not have
#   icons, scripts, queries, URL, or hash specified at the team level". A script-only package
#   (`path:` to a .sh, .ps1 or .py file) is its own install script: its item may carry the
#   uninstall and post-install scripts, the pre-install query and the icon, but not
#   `install_script`, `url` or `hash_sha256` ("… must not have install_script, URL, or hash
#   specified at the team level").
#
#   `setup_experience_platform` (Fleet 4.89) picks the setup experiences a script-only .sh or
#   .py package runs in: darwin, linux or both. Fleet refuses it on installers and refuses other
#   platforms (ee/server/service, `normalizeSetupExperiencePlatforms`: `platform "macos" is
#   not a valid "setup_experience_platform" value for a .sh package`). In a package file that
#   holds several packages, `setup_experience` belongs to the team's item, not to a package
#   (pkg/spec/gitops.go, `validatePackageFieldPlacement`).
# custom:
#   id: software-package-placement
#   severity: error
#   category: software
#   tags: [software]
package tollgate.rules.software_package_placement

import data.tollgate.lib

# Keys a `path:` item may not carry: always, and for a package file (not a script).
never_at_team_level := {"url", "hash_sha256", "install_script"}

package_only := {"uninstall_script", "post_install_script", "pre_install_query", "icon"}

script_ext(path) if regex.match(`(?i)\.(sh|ps1|py)$`, path)

shell_ext(path) if regex.match(`(?i)\.(sh|py)$`, path)

present(item, key) if {
	v := item[key]
	v != null
	v != ""
}

# The `path:` items of the teams' software.packages, as [entry file, index, item].
path_items contains [entry.file, i, item] if {
	some entry in input.teams
	some i, item in entry.doc.software.packages
	is_object(item)
	is_string(item.path)
}

# Most items hold only their path: a key is looked up in one set before anything else.
team_level_keys := never_at_team_level | package_only

report contains lib.with_hint(lib.fail_key(file, ["software", "packages", i, key], msg), hint) if {
	some [file, i, item] in path_items
	some key, _ in item
	team_level_keys[key]
	misplaced(item.path, key)
	present(item, key)
	msg := sprintf("%s cannot be set on the team's item for %s: fleetctl stops with \"the software package defined in %s must not have %s specified at the team level\"", [key, item.path, item.path, what(item.path)])
	hint := hint_for(item.path)
}

misplaced(_, key) if key in never_at_team_level

misplaced(path, key) if {
	key in package_only
	not script_ext(path)
}

what(path) := "install_script, URL, or hash" if script_ext(path)

what(path) := "icons, scripts, queries, URL, or hash" if not script_ext(path)

hint_for(path) := "a script-only package is its own install script: remove it here" if script_ext(path)

hint_for(path) := sprintf("move it into %s", [path]) if not script_ext(path)

# setup_experience_platform on a team item: only for .sh and .py, only darwin and linux.
# Both start from the key, which few items have: without it (or with false), platforms(item) is
# [], and the file name is not matched against a pattern for every item of every team.
report contains lib.fail(file, ["software", "packages", i, "setup_experience_platform"], msg) if {
	some [file, i, item] in path_items
	item.setup_experience_platform
	platforms(item) != []
	not shell_ext(item.path)
	msg := sprintf("setup_experience_platform is only for script-only .sh and .py packages; Fleet refuses it for %s", [item.path])
}

report contains lib.fail(file, ["software", "packages", i, "setup_experience_platform"], msg) if {
	some [file, i, item] in path_items
	item.setup_experience_platform
	shell_ext(item.path)
	some p in platforms(item)
	not lower(trim_space(p)) in {"darwin", "linux"}
	msg := sprintf("platform %q is not a valid setup_experience_platform value for %s: use darwin, linux or both", [p, item.path])
}

# An inline package (an installer by URL or hash) never has setup experience platforms.
report contains lib.fail(entry.file, ["software", "packages", i, "setup_experience_platform"], msg) if {
	some entry in input.teams
	some i, item in entry.doc.software.packages
	is_object(item)
	not item.path
	platforms(item) != []
	msg := "setup_experience_platform is only for script-only .sh and .py packages; installers follow their own platform"
}

# Nor does a package in a package file.
report contains lib.fail(file, array.concat(path, ["setup_experience_platform"]), msg) if {
	some [file, path, p, _] in lib.software_packages
	count(path) < 3 # package files only: inline items were reported above
	platforms(p) != []
	msg := "setup_experience_platform is only for script-only .sh and .py packages; a package file describes an installer"
}

# A package file of several packages: setup_experience goes on the team's item.
report contains lib.with_hint(lib.fail_key(pkg.file, [i, "setup_experience"], msg), hint) if {
	some pkg in input.packages
	is_array(pkg.doc)
	count(pkg.doc) > 1
	some i, p in pkg.doc
	is_object(p)
	p.setup_experience != null
	msg := "setup_experience cannot be set on one package of a file that holds several: fleetctl reads it from the team's item only"
	hint := "set setup_experience on the team's `- path:` item instead"
}

# platforms is the non-empty values of setup_experience_platform: a comma-separated string or
# a list of strings.
platforms(item) := [p |
	some v in values(item.setup_experience_platform)
	is_string(v)
	p := trim_space(v)
	p != ""
]

values(v) := split(v, ",") if is_string(v)

values(v) := v if is_array(v)
