# METADATA
# title: Patch policies that conflict
# description: |
#   A patch policy (`type: patch`) keeps one Fleet-maintained app up to date, so a file may hold
#   one patch policy per app: fleetctl stops with `Couldn't add multiple policies with type
#   "patch" for "fleet_maintained_app_slug": "<slug>".` And with `patch_when_closed: true`
#   Fleet manages the app's pre-install query itself (it checks whether the app is running), so
#   the app's `pre_install_query` is refused: `Couldn't apply policy "<name>":
#   "pre_install_query" can't be set on Fleet-maintained app "<slug>" when "patch_when_closed" is
#   true; Fleet manages this query.` Both checks: pkg/spec/gitops.go, `parsePolicies`. The
#   single-policy checks (a slug only on patch policies, `continuous_automations_enabled` with
#   `patch_when_closed`) are the schema's.
# custom:
#   id: policy-patch-conflict
#   severity: error
#   category: policies
#   tags: [policies, software]
package tollgate.rules.policy_patch_conflict

import data.tollgate.lib

# patches are an entry's patch policies as [index, slug].
patches(entry) := [[i, pol.fleet_maintained_app_slug] |
	some i, pol in entry.doc.policies
	is_object(pol)
	pol.type == "patch"
	is_string(pol.fleet_maintained_app_slug)
	pol.fleet_maintained_app_slug != ""
]

report contains lib.with_hint(lib.fail(entry.file, ["policies", j, "fleet_maintained_app_slug"], msg), hint) if {
	some entry in input.teams
	is_array(entry.doc.policies)
	ps := patches(entry)
	some k, [j, slug] in ps
	some m, [i, other] in ps
	m < k
	other == slug
	not earlier_duplicate(ps, m, slug)
	msg := sprintf("a second patch policy for %q (the first is policies[%d]); fleetctl stops with: Couldn't add multiple policies with type \"patch\" for \"fleet_maintained_app_slug\": %q", [slug, i, slug])
	hint := "keep one patch policy per Fleet-maintained app"
}

# earliest: only the first duplicate is named as "the first".
earlier_duplicate(ps, m, slug) if {
	some n, [_, s] in ps
	n < m
	s == slug
}

report contains lib.with_hint(lib.fail(entry.file, ["policies", i, "patch_when_closed"], msg), hint) if {
	some entry in input.teams
	some i, pol in entry.doc.policies
	is_object(pol)
	pol.type == "patch"
	pol.patch_when_closed == true
	some app in entry.doc.software.fleet_maintained_apps
	app.slug == pol.fleet_maintained_app_slug
	q := app.pre_install_query.path
	is_string(q)
	q != ""
	msg := sprintf("patch_when_closed is on and Fleet-maintained app %q sets pre_install_query; fleetctl stops with: Couldn't apply policy %q: \"pre_install_query\" can't be set on Fleet-maintained app %q when \"patch_when_closed\" is true; Fleet manages this query.", [pol.fleet_maintained_app_slug, object.get(pol, "name", ""), pol.fleet_maintained_app_slug])
	hint := sprintf("remove pre_install_query from %s in software.fleet_maintained_apps, or turn patch_when_closed off", [pol.fleet_maintained_app_slug])
}
