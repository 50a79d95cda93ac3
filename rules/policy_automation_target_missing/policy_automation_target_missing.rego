# METADATA
# title: Policy automation points at a script or software the team does not have
# description: |
#   A team policy can run a script (`run_script.path`) or install software (`install_software`:
#   `package_path`, `app_store_id`, `fleet_maintained_app_slug`) on the hosts that fail it. The
#   target must belong to the same team: the script must be listed in the team's
#   `controls.scripts` ("policy script … was not defined in controls for …"), the package file
#   must be one of the team's `software.packages` ("install_software.package_path URL … not
#   found on team"), the App Store app one of its `software.app_store_apps` ("install_software.
#   app_store_id … not found on team …") and the Fleet-maintained app one of its
#   `software.fleet_maintained_apps`; the same goes for the `fleet_maintained_app_slug` of a
#   `type: patch` policy. fleetctl stops the whole run on the first one. Paths are compared after
#   resolving them the way fleetctl does (a policy's from the file holding the policy, a
#   script's from the controls file). Fix: add the script or software to the team, or point the
#   policy at one it has.
# custom:
#   id: policy-automation-target-missing
#   severity: error
#   category: policies
#   tags: [policies, scripts, software]
package tollgate.rules.policy_automation_target_missing

import data.tollgate.lib

# The ref (resolved file) recorded at a data path of an entry.
ref_at(entry, path) := r if {
	some r in input.refs
	r.entry == entry.file
	r.path == path
}

team_scripts(entry) := {r.target |
	some r in input.refs
	r.entry == entry.file
	r.role == "script"
	r.path[0] == "controls"
	r.path[1] == "scripts"
	r.exists
}

team_package_files(entry) := {r.target |
	some r in input.refs
	r.entry == entry.file
	r.role == "package"
	r.exists
}

# Inline packages are matched by URL or hash, which tollgate cannot read from a package_path
# file that is not itself a team package: with any inline package, stay silent.
inline_packages(entry) if {
	some p in entry.doc.software.packages
	not p.path
}

policy_list(entry) := [p | some p in entry.doc.policies] if is_array(entry.doc.policies)

# An unassigned file without controls uses the global file's scripts, which may be in another
# shard; such policies are left alone.
has_scripts(entry) if entry.kind == "team"

has_scripts(entry) if is_object(entry.doc.controls)

report contains lib.with_hint(lib.fail(entry.file, path, msg), hint) if {
	some entry in input.teams
	has_scripts(entry)
	some i, pol in policy_list(entry)
	path := ["policies", i, "run_script", "path"]
	r := ref_at(entry, path)
	r.exists
	not team_scripts(entry)[r.target]
	msg := sprintf("run_script %s of policy %q is not listed in this team's controls.scripts; fleetctl stops with \"policy script %s was not defined in controls\"", [r.target, pname(pol), r.target])
	hint := sprintf("add {path: …} for %s to controls.scripts of %s, or point the policy at a script the team has", [r.target, entry.file])
}

report contains lib.with_hint(lib.fail(entry.file, path, msg), hint) if {
	some entry in input.teams
	some i, pol in policy_list(entry)
	path := ["policies", i, "install_software", "package_path"]
	r := ref_at(entry, path)
	r.exists
	not team_package_files(entry)[r.target]
	not inline_packages(entry)
	msg := sprintf("install_software.package_path %s of policy %q is not one of this team's software.packages; fleetctl stops with \"install_software.package_path URL … not found on team\"", [r.target, pname(pol)])
	hint := sprintf("add {path: …} for %s to software.packages of %s", [r.target, entry.file])
}

report contains lib.with_hint(lib.fail(entry.file, ["policies", i, "install_software", "app_store_id"], msg), hint) if {
	some entry in input.teams
	some i, pol in policy_list(entry)
	id := pol.install_software.app_store_id
	id != null
	ids := {sprintf("%v", [a.app_store_id]) | some a in entry.doc.software.app_store_apps}
	not ids[sprintf("%v", [id])]
	msg := sprintf("install_software.app_store_id %v of policy %q is not among this team's software.app_store_apps; fleetctl stops with \"install_software.app_store_id %v not found on team\"", [id, pname(pol), id])
	hint := sprintf("add {app_store_id: \"%v\"} to software.app_store_apps of %s", [id, entry.file])
}

fma_slug(pol) := [["install_software", "fleet_maintained_app_slug"], pol.install_software.fleet_maintained_app_slug]

fma_slug(pol) := [["fleet_maintained_app_slug"], pol.fleet_maintained_app_slug] if pol.type == "patch"

report contains lib.with_hint(lib.fail(entry.file, array.concat(["policies", i], sub), msg), hint) if {
	some entry in input.teams
	some i, pol in policy_list(entry)
	[sub, slug] := fma_slug(pol)
	is_string(slug)
	slug != ""
	slugs := {a.slug | some a in entry.doc.software.fleet_maintained_apps}
	not slugs[slug]
	msg := sprintf("fleet_maintained_app_slug %q of policy %q is not among this team's software.fleet_maintained_apps; fleetctl stops on it", [slug, pname(pol)])
	hint := sprintf("add {slug: %q} to software.fleet_maintained_apps of %s", [slug, entry.file])
}

pname(pol) := object.get(pol, "name", "")
