# METADATA
# title: .exe or .tar.gz package without install and uninstall scripts
# description: |
#   Fleet cannot tell how to install an `.exe` installer or a `.tar.gz` archive by itself: since
#   Fleet 4.65 a software package whose URL path ends in `.exe`, `.tar.gz` or `.tgz` must give
#   both `install_script` and `uninstall_script` (each `{path: …}`), and fleetctl stops with
#   "software URL … refers to an .exe package, which requires both install_script and
#   uninstall_script" (or "… a .tar.gz archive …"). The query string is ignored, as Fleet
#   ignores it (`ZoomInstaller.exe?archType=x64` is an .exe). Fix: add the two scripts (for an
#   .exe, typically the installer's silent switches and its uninstall command), or use an
#   .msi, which Fleet installs and uninstalls on its own.
# custom:
#   id: software-package-scripts
#   severity: error
#   category: software
#   tags: [software, windows, linux]
package tollgate.rules.software_package_scripts

import data.tollgate.lib

kind(u) := "an .exe package" if endswith(lib.url_path(u), ".exe")

kind(u) := "a .tar.gz archive" if endswith(lib.url_path(u), ".tar.gz")

kind(u) := "a .tar.gz archive" if endswith(lib.url_path(u), ".tgz")

has_script(p, key) if {
	s := p[key].path
	is_string(s)
	s != ""
}

problem(p) := [k, missing] if {
	is_string(p.url)
	k := kind(p.url)
	missing := [key | some key in ["install_script", "uninstall_script"]; not has_script(p, key)]
	count(missing) > 0
}

hint := "add install_script: {path: …} and uninstall_script: {path: …} to the package (or use an .msi / .pkg, which Fleet installs on its own)"

# An inline package: at its url.
report contains lib.with_hint(lib.fail(file, array.concat(path, ["url"]), msg), hint) if {
	some [file, path, p, used_by] in lib.software_packages
	count(used_by) == 0
	[k, missing] := problem(p)
	msg := sprintf("software URL %s refers to %s, which requires both install_script and uninstall_script (missing: %s)", [p.url, k, concat(", ", missing)])
}

# A package file: at each team's `- path:` item that lists it, where fleetctl stops.
report contains lib.with_hint(lib.fail(u.entry, u.path, msg), hint) if {
	some [file, path, p, used_by] in lib.software_packages
	some u in used_by
	[k, missing] := problem(p)
	msg := sprintf("software URL %s (in %s) refers to %s, which requires both install_script and uninstall_script (missing: %s)", [p.url, file, k, concat(", ", missing)])
}
