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
#   `type: patch` policy. A policy that resends a configuration profile
#   (`resend_configuration_profile`, Fleet 4.92) must name a profile of the same file's
#   controls: a .mobileconfig by its PayloadDisplayName or a Windows .xml by its file name
#   (pkg/spec/gitops.go, `parsePolicyResendConfigurationProfile`: "configuration profile %q was
#   not defined in controls in %s"). fleetctl stops the whole run on the first one. Paths are compared after
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

# Cost on a large repository: every team has policies, few have automations, so the reports
# look only at what can be wrong. The two about files start from the refs at a policy's
# run_script.path or package_path (there is a ref for every one fleetctl resolves), found by
# path, not from every policy of every team with a scan of input.refs for each; the team's
# scripts and package files are indexed once. The others look only at the policies that
# find_keys turns up with the keys they check, one builtin call per team.

# Teams by entry file, for the reports that start from a ref or a policy.
team := {entry.file: entry | some entry in input.teams}

# The scripts in a team's controls.scripts and the package files in its software.packages, as
# [entry file, target]: sets built once, where a partial set looked up by entry is evaluated
# anew, over every ref, for each entry looked up.
team_scripts := {[r.entry, r.target] |
	some r in input.refs
	r.role == "script"
	r.path[0] == "controls"
	r.path[1] == "scripts"
	r.exists
}

team_package_files := {[r.entry, r.target] |
	some r in input.refs
	r.role == "package"
	r.exists
}

# input.refs by path (tollgate.group_by): the teams of a batch made from one template list
# their files at the same few paths, so the reports below test each path once and visit only
# the refs at a policy's run_script.path or install_software.package_path, where testing every
# ref of every team cost a few expressions apiece.
refs_by_path := tollgate.group_by(input.refs, ["path"])

# Inline packages are matched by URL or hash, which tollgate cannot read from a package_path
# file that is not itself a team package: with any inline package, stay silent.
inline_packages(entry) if {
	some p in entry.doc.software.packages
	not p.path
}

# policy is the policy at index i of a team's policies, a list.
policy(entry, i) := pol if {
	policies := entry.doc.policies
	is_array(policies)
	pol := policies[i]
}

# An unassigned file without controls uses the global file's scripts, which may be in another
# shard; such policies are left alone.
has_scripts(entry) if entry.kind == "team"

has_scripts(entry) if is_object(entry.doc.controls)

report contains lib.with_hint(lib.fail(entry.file, r.path, msg), hint) if {
	some [["policies", i, "run_script", "path"]], refs in refs_by_path
	some k in refs
	r := input.refs[k]
	r.exists
	entry := team[r.entry]
	has_scripts(entry)
	pol := policy(entry, i)
	not team_scripts[[entry.file, r.target]]
	msg := sprintf("run_script %s of policy %q is not listed in this team's controls.scripts; fleetctl stops with \"policy script %s was not defined in controls\"", [r.target, pname(pol), r.target])
	hint := sprintf("add {path: …} for %s to controls.scripts of %s, or point the policy at a script the team has", [r.target, entry.file])
}

report contains lib.with_hint(lib.fail(entry.file, r.path, msg), hint) if {
	some [["policies", i, "install_software", "package_path"]], refs in refs_by_path
	some k in refs
	r := input.refs[k]
	r.exists
	entry := team[r.entry]
	pol := policy(entry, i)
	not team_package_files[[entry.file, r.target]]
	not inline_packages(entry)
	msg := sprintf("install_software.package_path %s of policy %q is not one of this team's software.packages; fleetctl stops with \"install_software.package_path URL … not found on team\"", [r.target, pname(pol)])
	hint := sprintf("add {path: …} for %s to software.packages of %s", [r.target, entry.file])
}

# The policies that name software to install, as [entry file, index]: those with an
# install_software or a fleet_maintained_app_slug key (a path of two: index, key).
installing contains [entry.file, i] if {
	some entry in input.teams
	policies := entry.doc.policies
	is_array(policies)
	some [[i, _], _] in tollgate.find_keys(policies, {"install_software", "fleet_maintained_app_slug"})
}

report contains lib.with_hint(lib.fail(entry.file, ["policies", i, "install_software", "app_store_id"], msg), hint) if {
	some [file, i] in installing
	entry := team[file]
	pol := policy(entry, i)
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
	some [file, i] in installing
	entry := team[file]
	pol := policy(entry, i)
	[sub, slug] := fma_slug(pol)
	is_string(slug)
	slug != ""
	slugs := {a.slug | some a in entry.doc.software.fleet_maintained_apps}
	not slugs[slug]
	msg := sprintf("fleet_maintained_app_slug %q of policy %q is not among this team's software.fleet_maintained_apps; fleetctl stops on it", [slug, pname(pol)])
	hint := sprintf("add {slug: %q} to software.fleet_maintained_apps of %s", [slug, entry.file])
}

pname(pol) := object.get(pol, "name", "")

# --- resend_configuration_profile (pkg/spec/gitops.go, parsePolicyResendConfigurationProfile)

# The names fleetctl collects from an entry's own controls: a .mobileconfig's
# PayloadDisplayName, a Windows .xml's file name without extension (DDM .json declarations do
# not count).
defined_profiles[p.entry] contains p.name if {
	some p in input.profiles
	p.format in {"mobileconfig", "syncml"}
	is_string(p.name)
}

# An entry some of whose Apple or Windows profiles did not parse: its names are not all known.
# Sets built once, where a partial set looked up by key is evaluated anew, over every ref or
# profile, for each key looked up.
unreadable_profiles := {r.entry |
	some r in input.refs
	r.role == "profile"
	regex.match(`(?i)\.(mobileconfig|xml)$`, r.target)
	not parsed_profile[[r.entry, r.target]]
}

parsed_profile := {[p.entry, p.file] | some p in input.profiles}

report contains lib.with_hint(lib.fail(entry.file, ["policies", i, "resend_configuration_profile"], msg), hint) if {
	some entry in input.teams
	policies := entry.doc.policies
	is_array(policies)
	some [[i, "resend_configuration_profile"], raw] in tollgate.find_keys(policies, {"resend_configuration_profile"})
	pol := policies[i]
	is_string(raw)
	name := trim_space(raw)
	name != ""
	not unreadable_profiles[entry.file]
	not object.get(defined_profiles, entry.file, set())[name]
	msg := sprintf("resend_configuration_profile %q of policy %q names no configuration profile of this file's controls; fleetctl stops with: configuration profile %q was not defined in controls", [name, pname(pol), name])
	hint := "name a .mobileconfig by its PayloadDisplayName, or a Windows profile by its file name without .xml, listed in this file's controls"
}
