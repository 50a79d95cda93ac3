package tollgate.rules.change_policy_automation_removed_test

import data.tollgate.rules.change_policy_automation_removed

findings(changes) := fs if {
	fs := change_policy_automation_removed.report with input as {"change": {"changes": changes}}
}

msgs(changes) := {f.msg | some f in findings(changes)}

policy(action, facts) := {
	"kind": "policy", "action": action, "team": "Workstations", "name": "Firefox up to date", "facts": facts,
	"base": {"file": "lib/policies.yml", "line": 3, "column": 3},
	"head": {"file": "teams/w.yml", "line": 12, "column": 1},
}

test_removed_with_automations if {
	msgs([policy("removed", {"automations": ["install_software", "run_script"]})]) == {`policy "Firefox up to date" with automations (install_software, run_script) is removed from team "Workstations" (was lib/policies.yml:3): Fleet deletes it on the next apply and no longer acts on failing hosts`}
}

test_removed_without_automations_is_not_its_business if {
	count(findings([policy("removed", {"automations": []})])) == 0
	count(findings([policy("removed", {})])) == 0
}

test_automation_detached if {
	c := policy("changed", {"automations": ["run_script"], "base": {"automations": ["calendar_events_enabled", "install_software", "run_script"]}})
	msgs([c]) == {`policy "Firefox up to date" in team "Workstations" loses its automations (calendar_events_enabled, install_software): Fleet no longer books calendar events or installs the software for hosts that fail it`}
}

test_automation_kept_or_added_is_fine if {
	count(findings([policy("changed", {"automations": ["run_script"], "base": {"automations": ["run_script"]}})])) == 0
	count(findings([policy("changed", {"automations": ["run_script"], "base": {"automations": []}})])) == 0
	count(findings([policy("added", {"automations": ["run_script"]})])) == 0
}

switch(action, name, old, new) := {
	"kind": "setting", "action": action, "team": "Workstations", "name": name,
	"fields": [{"path": name, "old": "…", "new": "…", "old_value": old, "new_value": new}],
	"base": {"file": "teams/w.yml", "line": 9, "column": 40},
	"head": {"file": "teams/w.yml", "line": 8, "column": 5},
}

test_team_switches_turned_off if {
	webhook := "settings.webhook_settings.failing_policies_webhook.enable_failing_policies_webhook"
	msgs([switch("changed", webhook, true, false)]) == {`the failing-policies webhook is turned off in team "Workstations": Fleet no longer reports the hosts that fail its policies to the webhook`}
	some m in msgs([switch("removed", "team_settings.integrations.google_calendar.enable_calendar_events", true, null)])
	m == `calendar events for failing policies are turned off in team "Workstations" (was teams/w.yml:9): Fleet no longer books a calendar event for the hosts that fail its policies`
	count(findings([switch("changed", webhook, false, true)])) == 0
	count(findings([switch("removed", "settings.webhook_settings.failing_policies_webhook.destination_url", true, null)])) == 0
}

test_one_automation if {
	some m in msgs([policy("removed", {"automations": ["conditional_access_enabled"]})])
	startswith(m, `policy "Firefox up to date" with automation (conditional_access_enabled) is removed`)
	some d in msgs([policy("changed", {"automations": [], "base": {"automations": ["run_script"]}})])
	contains(d, "loses its automation (run_script): Fleet no longer runs the script for hosts that fail it")
}
