package catalog

import "github.com/tollgate-dev/tollgate/internal/finding"

// Rule IDs of the built-in (Go and CUE) stages. Rego rules carry theirs in METADATA.
const (
	YAMLSyntax         = "yaml-syntax"
	YAMLDuplicateKey   = "yaml-duplicate-key"
	YAMLMultiDocument  = "yaml-multi-document"
	FileInvalid        = "file-invalid"
	FileKind           = "file-kind"
	IncludeMissing     = "include-missing"
	IncludeInvalid     = "include-invalid"
	IncludeNoMatch     = "include-no-match"
	DeprecatedKey      = "deprecated-key"
	DeprecatedConflict = "deprecated-key-conflict"
	EnvSyntax          = "env-reference"
	SchemaUnknownKey   = "schema-unknown-key"
	SchemaType         = "schema-type"
	SchemaRequired     = "schema-required"
	SchemaValue        = "schema-value"
	SchemaCustom       = "schema-custom"
	FleetVersion       = "fleet-version"
	Suppression        = "suppression"
	PolicyError        = "policy-error"
	PolicyCapabilities = "policy-capabilities"
	InternalError      = "internal-error"

	// The Kubernetes kind's (internal/kube, internal/kubeschema).
	SchemaKindUnknown    = "schema-kind-unknown"
	SchemaDeprecated     = "schema-deprecated"
	FileSkipped          = "file-skipped"
	KustomizationInvalid = "kustomization-invalid"
	KustomizationRemote  = "kustomization-remote"
	KustomizeBuild       = "kustomize-build"
)

// Builtin lists the rules implemented in Go and CUE.
var Builtin = []Rule{
	{ID: YAMLSyntax, Title: "YAML does not parse", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "The file is not valid YAML, so fleetctl rejects it (\"failed to unmarshal file\"). The finding points at the line and column where the parser stopped; fix the indentation, quoting or bracket there."},
	{ID: YAMLDuplicateKey, Title: "Key defined twice in one mapping", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "A mapping defines the same key twice. Fleet converts YAML to JSON and keeps only the last value, so the first one is silently lost. Remove or merge one of them."},
	{ID: YAMLMultiDocument, Title: "More than one YAML document in a file", Category: "load", Severity: finding.Warning, Source: "builtin",
		Description: "fleetctl reads only the first YAML document of a file; everything after the first `---` separator is ignored. Move the extra documents into their own files."},
	{ID: FileInvalid, Title: "File cannot be read as configuration", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "The file is binary, not UTF-8, larger than tollgate's limit, nested too deeply, or expands into too many nodes through YAML aliases (an alias bomb). None of these is a configuration Fleet can use."},
	{ID: FileKind, Title: "Entry file is not a valid global, team or unassigned file", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "Fleet decides what a GitOps file is from its keys: `org_settings` makes it the global file, `name` a team (fleet) file, and `name: No team` / `Unassigned` the file for hosts without a team, which must be named `no-team.yml` / `unassigned.yml`. A file that is none of these, or mixes them, is rejected by fleetctl."},
	{ID: IncludeMissing, Title: "Included file does not exist", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "A `path:` points at a file that does not exist. fleetctl resolves include paths from the directory of the file that holds the `path:` key (not from the repository root); check the relative path from there."},
	{ID: IncludeInvalid, Title: "Include is not allowed or malformed", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "The `path:`/`paths:` include breaks one of fleetctl's rules: included files can't include other files, `path` and `paths` can't be used together, `path` takes no glob characters and `paths` needs them, the target must stay inside the repository, and an included list file must hold a YAML list (a mapping holds one object)."},
	{ID: IncludeNoMatch, Title: "Glob matches no file", Category: "load", Severity: finding.Warning, Source: "builtin",
		Description: "A `paths:` glob matched no file with an accepted extension. fleetctl only logs this, and then applies an empty list, which can delete what the server has."},
	{ID: DeprecatedKey, Title: "Deprecated key name", Category: "load", Severity: finding.Warning, Source: "builtin",
		Description: "Fleet 4.82 renamed teams to fleets and several keys with them (`team_settings` → `settings`, `queries` → `reports`, `macos_settings` → `apple_settings`, `custom_settings` → `configuration_profiles`, `macos_setup` → `setup_experience`, ...). The old name still works in a fleets-era repository but will be removed; use the new one."},
	{ID: DeprecatedConflict, Title: "Old and new key names used together", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "A file sets both a deprecated key and its new name. Fleet refuses this (\"cannot specify both ... (deprecated) and ...\"); keep only the new name."},
	{ID: EnvSyntax, Title: "Environment variable reference fleetctl will reject", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "fleetctl expands `$VAR` and `${VAR}` in the raw text of every YAML file before parsing, comments included. `$FLEET_SECRET_*` variables are only allowed in profiles and scripts, and a stray `$` needs escaping as `\\$`."},
	{ID: SchemaUnknownKey, Title: "Unknown key", Category: "schema", Severity: finding.Error, Source: "builtin",
		Description: "The key is not part of Fleet's GitOps format at this place. Fleet 4.82+ rejects unknown keys at every depth; older versions reject them at the top level and fail on the server for nested ones. The message suggests the closest valid key."},
	{ID: SchemaType, Title: "Value has the wrong type", Category: "schema", Severity: finding.Error, Source: "builtin",
		Description: "The value's type does not match what Fleet expects (a string, a number, a list, a mapping ...). Common traps: an unquoted version such as `15.10` is a YAML number and becomes `15.1`; an unquoted `yes`, `no`, `on`, `off`, `y` or `n` is a boolean to fleetctl, whose YAML parser follows YAML 1.1 (so `enable_disk_encryption: yes` is fine, `name: no` is not a name). Quote values meant as text."},
	{ID: SchemaRequired, Title: "Required key is missing", Category: "schema", Severity: finding.Error, Source: "builtin",
		Description: "A key that Fleet requires here is missing. In the teams era every top-level section must be present (an empty value means none); in the fleets era an omitted section is cleared on apply."},
	{ID: SchemaValue, Title: "Value is not allowed", Category: "schema", Severity: finding.Error, Source: "builtin",
		Description: "The value has the right type but is outside what Fleet accepts: an unknown enum value, a malformed date or version, a number out of range, or a combination Fleet forbids."},
	{ID: FleetVersion, Title: "Key or value newer (or older) than the targeted Fleet", Category: "schema", Severity: finding.Error, Source: "builtin",
		Description: "The repository targets a Fleet release (`fleet_version:` in .tollgate.yaml or `--fleet-version`; default: the newest release tollgate's schemas follow) that does not know this key or value yet, or no longer knows it: fleetctl of that release rejects it as an unknown key, or the server refuses it. The table of when each key appeared is cue/versions/versions.cue. Fix: remove the key, or raise fleet_version to the Fleet you actually run."},
	{ID: SchemaCustom, Title: "Organisation schema violated", Category: "schema", Severity: finding.Error, Source: "builtin",
		Description: "A constraint from the organisation's own CUE schema (`--schema` or `schemas:` in .tollgate.yaml) is not met."},
	{ID: SchemaKindUnknown, Title: "No schema for this apiVersion and kind", Category: "schema", Severity: finding.Note, Source: "builtin",
		Description: "tollgate has no schema for the document's apiVersion and kind (it bundles the built-in kinds of one Kubernetes release and the Argo CD, Flux, Sealed Secrets and Argo Rollouts custom resources), so its structure is not checked: the policy rules still run. This is kubeconform's `-ignore-missing-schemas`, said rather than silent. Add CUE for an in-house custom resource with `--schema` (docs/kubernetes-schemas.md); when the kind is known under another apiVersion, the hint names it."},
	{ID: SchemaDeprecated, Title: "Custom resource version is deprecated", Category: "schema", Severity: finding.Warning, Source: "builtin",
		Description: "The custom resource definition marks this version deprecated (its `deprecationWarning`): the controller still serves it, but a later release removes it. Move the manifest to the version the warning names."},
	{ID: FileSkipped, Title: "File is not a Kubernetes manifest and is not checked", Category: "load", Severity: finding.Note, Source: "builtin",
		Description: "In a Kubernetes repository, tollgate checks YAML and JSON files of apiVersion/kind documents and kustomization files. Files that are not manifests are skipped and said so once each, never reported as broken YAML: Helm charts (a directory with Chart.yaml: templates, values; Helm charts are out of scope), Go templates (`{{ }}` actions), CI and tool configuration, and YAML without apiVersion and kind (values files, application configuration)."},
	{ID: KustomizationInvalid, Title: "Kustomization refers to something that is not there", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "A kustomization.yaml names a resource, base, component or patch that does not exist in the repository, or leads out of it. `kustomize build` (and Argo CD and Flux with it) fails on this overlay; fix the path, which is relative to the kustomization's directory."},
	{ID: KustomizationRemote, Title: "Kustomization uses a remote base", Category: "load", Severity: finding.Warning, Source: "builtin",
		Description: "A kustomization.yaml names a remote base or resource (a git URL, `github.com/org/repo//path?ref=…`, an HTTP URL). tollgate checks what is in the repository and reads nothing from the network, so what the remote part adds is not checked, and `--render` does not build this overlay. Vendor the base into the repository to have it checked."},
	{ID: KustomizeBuild, Title: "Kustomize overlay does not build", Category: "load", Severity: finding.Error, Source: "builtin",
		Description: "With `--render`, tollgate builds each overlay (a kustomization no other kustomization includes) with the Kustomize library, as `kustomize build` does, reading only the repository. The build failed with the message shown: Argo CD and Flux would fail on it the same way."},
	{ID: Suppression, Title: "Suppression comment is malformed or unused", Category: "meta", Severity: finding.Warning, Source: "builtin", NoComment: true,
		Description: "A `# tollgate:ignore RULE-ID reason` comment must name a rule and give a reason, and must silence a finding on its line or the next one. A file that can't hold a comment (a JSON, .mobileconfig or XML profile, a script) is suppressed from the line that includes it: the comment on or above the team file's `- path:` line covers that rule's findings in the file, and a file several teams list stays reported unless every one of their `- path:` lines suppresses it. Unused suppressions hide nothing and should be removed; some rules (plaintext secrets) cannot be suppressed. A suppression may end: `# tollgate:ignore RULE-ID until=YYYY-MM-DD reason` works through that day (UTC, `--now`), then stops suppressing and is reported here, and a date that is not one suppresses nothing. The rule also reports the `Tollgate-Ack:` commit trailers of a reviewed change (`lint --base`, docs/review.md) that are malformed, name a rule that is not a change rule, or match no finding."},
	{ID: PolicyError, Title: "Policy failed to evaluate", Category: "meta", Severity: finding.Error, Source: "builtin",
		Description: "A Rego policy raised an error while evaluating (a bad date, a bad regular expression, a type error, a time-out). The check did not run to completion, so it did not pass either."},
	{ID: PolicyCapabilities, Title: "Policies may reach beyond the default sandbox", Category: "meta", Severity: finding.Note, Source: "builtin", NotSuppressible: true,
		NotSuppressibleWhy: "a reviewer must see that the policies' sandbox was widened; narrow the capabilities section instead",
		Description:        "The `capabilities` section of .tollgate.yaml, or a `--capabilities` file, lets policies call builtins that tollgate leaves out by default (`http.send`, `net.lookup_ip_addr`, ...) or reach network hosts. The note names each builtin and host and points at the setting, so a reviewer sees it when a change widens what policies from the repository may do on the machine that runs tollgate. It is a note, not a problem; it can't be suppressed or turned off, only removed by narrowing the setting. See docs/security.md."},
	{ID: InternalError, Title: "Internal error", Category: "meta", Severity: finding.Error, Source: "builtin",
		Description: "tollgate hit an unexpected condition while checking this file. Please report it with the file that triggers it."},
}
