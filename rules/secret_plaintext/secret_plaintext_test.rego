package tollgate.rules.secret_plaintext_test

import data.tollgate.rules.secret_plaintext

global(org) := {"global": {"file": "default.yml", "doc": {"org_settings": org}}, "teams": [], "profiles": [], "secrets_found": []}

findings(inp) := fs if {
	fs := secret_plaintext.report with input as inp
}

test_literal_enroll_secret if {
	fs := findings(global({"secrets": [{"secret": "s3cr3t-enroll-value-123"}]}))
	some f in fs
	f.path == ["org_settings", "secrets", 0, "secret"]
	contains(f.msg, `"s3cr…" (23 chars)`)
	not contains(f.msg, "s3cr3t-enroll")
}

test_variable_enroll_secret_is_fine if {
	count(findings(global({"secrets": [{"secret": "$FLEET_GLOBAL_ENROLL_SECRET"}, {"secret": "${X}"}]}))) == 0
}

test_escaped_dollar_is_a_literal if {
	count(findings(global({"secrets": [{"secret": `\$NOT_A_VAR`}]}))) == 1
}

test_team_settings_secret if {
	inp := {"global": null, "teams": [{"file": "teams/a.yml", "doc": {"team_settings": {"secrets": [{"secret": "abc"}]}}}], "profiles": [], "secrets_found": []}
	fs := findings(inp)
	some f in fs
	f.path == ["team_settings", "secrets", 0, "secret"]
	contains(f.msg, "a 3-character value")
}

test_integration_token if {
	fs := findings(global({"integrations": {"jira": [{"url": "https://x", "api_token": "tok-1234567890"}]}}))
	some f in fs
	f.path == ["org_settings", "integrations", "jira", 0, "api_token"]
	contains(f.msg, "org_settings.integrations.jira[0].api_token in plain text")
}

test_calendar_key_object if {
	fs := findings(global({"integrations": {"google_calendar": [{"api_key_json": {"private_key": "k"}}]}}))
	some f in fs
	f.path == ["org_settings", "integrations", "google_calendar", 0, "api_key_json"]
}

test_calendar_key_variable_and_empty_values_are_fine if {
	count(findings(global({
		"integrations": {"google_calendar": [{"api_key_json": "$CAL"}]},
		"smtp_settings": {"password": ""},
		"mdm": {"enable_recovery_lock_password": true},
	}))) == 0
}

test_inline_sso_metadata_is_a_warning if {
	fs := findings(global({"sso_settings": {"metadata": "<EntityDescriptor/>"}}))
	some f in fs
	f.severity == "warning"
}

test_wifi_password if {
	p := {"file": "lib/wifi.mobileconfig", "payloads": [{
		"type": "com.apple.wifi.managed", "values": {"Password": "hunter2hunter2"},
		"line": 5, "col": 3, "keys": {"Password": {"line": 9, "col": 5}},
	}]}
	fs := findings({"global": null, "teams": [], "profiles": [p], "secrets_found": []})
	some f in fs
	f.line == 9
	contains(f.msg, "Password of the com.apple.wifi.managed payload")
}

test_scep_challenge_variable_is_fine if {
	p := {"file": "lib/scep.mobileconfig", "payloads": [{
		"type": "com.apple.security.scep", "values": {"PayloadContent": {"Challenge": "$FLEET_VAR_NDES_SCEP_CHALLENGE"}},
		"line": 5, "col": 3, "keys": {},
	}]}
	count(findings({"global": null, "teams": [], "profiles": [p], "secrets_found": []})) == 0
}

test_scanned_token if {
	s := {"file": "lib/x.sh", "line": 2, "col": 8, "end_col": 48, "kind": "GitHub token", "redacted": `"ghp_…" (40 chars)`}
	fs := findings({"global": null, "teams": [], "profiles": [], "secrets_found": [s]})
	some f in fs
	f.msg == `GitHub token in plain text ("ghp_…" (40 chars))`
	f.end_col == 48
}
