# METADATA
# title: Policy automation removed or detached
# description: |
#   Reviews the change (lint --base): a policy whose automation goes away. Either the policy
#   is removed while it had one (`install_software`, `run_script`, `calendar_events_enabled`,
#   `conditional_access_enabled`), or it stays and loses one, or a team turns off the
#   automation that acts on its failing policies (the failing-policies webhook,
#   `webhook_settings.failing_policies_webhook.enable_failing_policies_webhook`, or calendar
#   events, `integrations.google_calendar.enable_calendar_events`). On the next apply Fleet
#   stops acting on failing hosts: software is no longer installed, scripts no longer run,
#   no calendar event is booked, conditional access no longer blocks, no webhook is sent.
#   Hosts that were being remediated stay as they are, and nothing says so. A removed policy
#   also loses its results. A removal that belongs to the change is acknowledged by reading it
#   here; if the policy was renamed, Fleet sees a new policy and deletes the old one.
# custom:
#   id: change-policy-automation-removed
#   severity: warning
#   category: change
#   tags: [change, policies]
package tollgate.rules.change_policy_automation_removed

import data.tollgate.lib

report contains lib.with_hint(lib.fail_change(c, msg), hint) if {
	some c in lib.changes
	c.kind == "policy"
	c.action == "removed"
	autos := automations(c.facts)
	count(autos) > 0
	msg := sprintf("policy %q with %s (%s) is removed from %s%s: Fleet deletes it on the next apply and no longer acts on failing hosts", [c.name, plural(autos), concat(", ", autos), lib.team_phrase(c), lib.was(c)])
	hint := "if the policy should keep remediating hosts, put it back"
}

report contains lib.fail_change(c, msg) if {
	some c in lib.changes
	c.kind == "policy"
	c.action == "changed"
	detached := [a | some a in automations(c.facts.base); not a in automations(c.facts)]
	count(detached) > 0
	msg := sprintf("policy %q in %s loses its %s (%s): Fleet no longer %s for hosts that fail it", [c.name, lib.team_phrase(c), plural(detached), concat(", ", detached), concat(" or ", [does[a] | some a in detached])])
}

plural(autos) := "automation" if count(autos) == 1

else := "automations"

# automations lists a side's automations (sorted, as the plan gives them).
automations(facts) := sort([a | some a in object.get(facts, "automations", [])])

does := {
	"install_software": "installs the software",
	"run_script": "runs the script",
	"calendar_events_enabled": "books calendar events",
	"conditional_access_enabled": "blocks access",
}

# The team-wide switches of the automations on failing policies, by their last key (a setting's
# name is checked by its end first: most changes are not these).
switches := {
	"enable_failing_policies_webhook": [
		"webhook_settings.failing_policies_webhook.enable_failing_policies_webhook",
		"the failing-policies webhook is turned off",
		"Fleet no longer reports the hosts that fail its policies to the webhook",
	],
	"enable_calendar_events": [
		"integrations.google_calendar.enable_calendar_events",
		"calendar events for failing policies are turned off",
		"Fleet no longer books a calendar event for the hosts that fail its policies",
	],
}

report contains lib.fail_change(c, msg) if {
	some c in lib.changes
	c.kind == "setting"
	some last, sw in switches
	endswith(c.name, last)
	endswith(c.name, concat("", [".", sw[0]]))
	f := lib.field(c, c.name)
	f.old_value == true
	not lib.is_set(f)
	msg := sprintf("%s in %s%s: %s", [sw[1], lib.team_phrase(c), removed_was(c), sw[2]])
}

removed_was(c) := lib.was(c) if c.action == "removed"

else := ""
