# METADATA
# title: Secret written in plain text
# description: |
#   A GitOps repository is read by everyone who can read the code, and its history keeps every
#   value ever committed. Enroll secrets (`org_settings.secrets`, `team_settings.secrets`,
#   `settings.secrets`), integration credentials (`api_token`, `api_key_json`, `password`,
#   `challenge`, `client_secret` anywhere under the settings) and passwords in profiles (Wi-Fi
#   `Password`, SCEP `Challenge`, PKCS#12 `Password`) must come from the environment as
#   `$VAR` / `${VAR}` (or `$FLEET_SECRET_*` / `$FLEET_VAR_*` in profiles). Every file read is also
#   scanned for private keys and well-known token formats (GitHub, Slack, AWS, Google, Fleet API
#   tokens). Inline SAML IdP metadata is reported as a warning: it is not secret itself, but it
#   belongs with the other environment-specific values. Findings never show the value (at most
#   its first 4 characters and its length). The rule cannot be suppressed inline: remove the
#   secret, rotate it (it stays in the git history), and reference a CI secret instead.
# custom:
#   id: secret-plaintext
#   severity: error
#   category: secrets
#   tags: [secrets, security]
#   security: true
#   security_severity: 8.5
#   not_suppressible: true
package tollgate.rules.secret_plaintext

import data.tollgate.lib

settings_keys := ["org_settings", "team_settings", "settings"]

credential_keys := {"api_token", "api_key_json", "password", "challenge", "client_secret", "private_key", "token"}

metadata_parents := {"sso_settings", "end_user_authentication"}

# literal holds for a value that is set and does not come from the environment.
literal(v) if {
	is_string(v)
	not regex.match(lib.env_ref_pattern, v) # lib.has_env_ref(v), without the cost of a call
	trim_space(v) != ""
}

literal(v) if is_number(v)

literal(v) if {
	is_object(v)
	count(v) > 0
}

rotate := "remove it, rotate it (the git history keeps the old value), and reference a CI secret instead: $VAR in YAML, $FLEET_SECRET_NAME in profiles and scripts"

rotate_enroll := "remove it, rotate it (the git history keeps the old value), and write secret: $FLEET_GLOBAL_ENROLL_SECRET (or a team's own variable) set from a CI secret"

# One pass over the settings of every entry collects the literal values (see literal) under
# the keys the reports below look at: enroll secrets, credential-like keys and SAML metadata,
# as [file, data path, key, value]. tollgate.find_keys is walk() done in Go: walking in Rego
# cost a few expressions per node of every team's settings, and iterating every entry's
# secrets lists once more for the enroll secrets was most of the rest of this rule's time on
# a large repository. Testing literal here, once per value, leaves the reports nothing to
# iterate over in the usual repository, where every secret comes from the environment; the
# usual value, a variable, is ruled out with one call rather than the three of literal. The
# keys are read into locals once: reading a rule's value costs more, once per entry. An array,
# not a set: a set would hash every value found.
settings_hits := hits if {
	settings := settings_keys
	keys := interesting_keys
	hits := [[entry.file, path, p[count(p) - 1], v] |
		some entry in lib.entries
		some key in settings
		some [p, v] in tollgate.find_keys(entry.doc[key], keys)
		not lib.has_env_ref(v)
		literal(v)
		path := array.concat([key], p)
	]
}

interesting_keys := credential_keys | {"metadata", "secret"}

# Enroll secrets: the secret of an item of <settings>.secrets.
report contains lib.with_hint(lib.fail(file, path, msg), rotate_enroll) if {
	some [file, path, "secret", v] in settings_hits
	count(path) == 4
	path[1] == "secrets"
	msg := sprintf("enroll secret in plain text (%s): anyone who can read the repository can enroll hosts", [lib.redact(v)])
}

# Credentials anywhere under the settings (integrations, certificate authorities, SMTP, ...),
# except in the enroll secrets list, which the rule above covers.
report contains lib.with_hint(lib.fail(file, path, msg), rotate) if {
	some [file, path, key, v] in settings_hits
	credential_keys[key]
	not path[1] == "secrets"
	msg := sprintf("%s in plain text (%s)", [dotted(path), lib.redact(v)])
}

report contains lib.with_severity(lib.with_hint(lib.fail(file, path, msg), hint), "warning") if {
	some [file, path, "metadata", v] in settings_hits
	count(path) > 2
	metadata_parents[path[count(path) - 2]]
	msg := sprintf("SAML IdP metadata is written inline in %s", [dotted(path)])
	hint := "keep it in a CI variable (metadata: $SSO_METADATA) or point metadata_url at the IdP"
}

# dotted writes a data path as org_settings.integrations.jira[0].api_token.
dotted(path) := concat("", [seg |
	some i, x in path
	seg := segment(i, x)
])

segment(_, x) := sprintf("[%d]", [x]) if is_number(x)

segment(0, x) := x if is_string(x)

segment(i, x) := concat("", [".", x]) if {
	is_string(x)
	i > 0
}

# Passwords in Apple profiles.
profile_secret := {
	"com.apple.wifi.managed": "Password",
	"com.apple.security.pkcs12": "Password",
	"com.apple.security.scep": "Challenge",
}

profile_value(pl, key) := pl.values[key]

profile_value(pl, key) := pl.values.PayloadContent[key]

# A finding about a payload reads only the profile's file: each file's payloads are read once
# (tollgate.group_by), not once for every team that includes the file.
report contains lib.with_hint(lib.fail_payload({"file": file}, pl, anchor, msg), hint) if {
	some [file, payloads], _ in tollgate.group_by(input.profiles, ["file", "payloads"])
	some pl in payloads
	key := profile_secret[pl.type]
	v := profile_value(pl, key)
	literal(v)
	anchor := key_or_content(pl, key)
	msg := sprintf("%s of the %s payload in plain text (%s)", [key, pl.type, lib.redact(v)])
	hint := sprintf("use a variable: $FLEET_SECRET_%s (uploaded by fleetctl) or a $FLEET_VAR_ Fleet fills in", [upper(key)])
}

key_or_content(pl, key) := key if pl.keys[key]

else := "PayloadContent"

# Token formats and private keys found in any file (see internal/model/secrets.go).
report contains lib.with_hint(f, rotate) if {
	some s in input.secrets_found
	msg := sprintf("%s in plain text (%s)", [s.kind, s.redacted])
	f := object.union(lib.fail_at(s.file, s.line, s.col, msg), {"end_col": s.end_col})
}
