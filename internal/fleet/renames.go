// Package fleet holds facts about Fleet's GitOps format that several parts of tollgate need:
// the kinds of file and the eras of the format (the loader decides them, the schema, the model
// and apply read them), and the keys Fleet 4.82 renamed (the schema warns about the old names,
// the change review treats a rename as no change).
package fleet

import "strings"

// Rename is a key Fleet 4.82 renamed. Parent is a pattern of the path holding the key: "[]"
// matches any list index and "a|b" either key. Fleets-era files may still use the old name
// (Fleet maps it: ApplyDeprecatedKeyMappings and `renameto` tags); teams-era files must use it.
type Rename struct {
	Parent   []string
	Old, New string
}

// Renames lists every key Fleet 4.82 renamed.
var Renames = []Rename{
	{nil, "team_settings", "settings"},
	{nil, "queries", "reports"},
	{[]string{"controls"}, "macos_settings", "apple_settings"},
	{[]string{"controls"}, "macos_setup", "setup_experience"},
	{[]string{"controls", "apple_settings|macos_settings|windows_settings|android_settings"}, "custom_settings", "configuration_profiles"},
	{[]string{"controls", "setup_experience|macos_setup"}, "bootstrap_package", "macos_bootstrap_package"},
	{[]string{"controls", "setup_experience|macos_setup"}, "macos_setup_assistant", "apple_setup_assistant"},
	{[]string{"controls", "setup_experience|macos_setup"}, "enable_release_device_manually", "apple_enable_release_device_manually"},
	{[]string{"controls", "setup_experience|macos_setup"}, "script", "macos_script"},
	{[]string{"controls", "setup_experience|macos_setup"}, "manual_agent_install", "macos_manual_agent_install"},
	{[]string{"controls", "setup_experience|macos_setup"}, "enable_managed_local_account", "enable_create_local_admin_account"},
	{[]string{"org_settings", "mdm", "apple_business_manager", "[]"}, "macos_team", "macos_fleet"},
	{[]string{"org_settings", "mdm", "apple_business_manager", "[]"}, "ios_team", "ios_fleet"},
	{[]string{"org_settings", "mdm", "apple_business_manager", "[]"}, "ipados_team", "ipados_fleet"},
	{[]string{"org_settings", "mdm", "volume_purchasing_program", "[]"}, "teams", "fleets"},
	{[]string{"org_settings", "server_settings"}, "live_query_disabled", "live_reporting_disabled"},
	{[]string{"org_settings", "server_settings"}, "query_reports_disabled", "discard_reports_data"},
	{[]string{"org_settings", "server_settings"}, "query_report_cap", "report_cap"},
	{[]string{"org_settings", "org_info"}, "org_logo_url", "org_logo_url_dark_mode"},
	{[]string{"org_settings", "org_info"}, "org_logo_url_light_background", "org_logo_url_light_mode"},
}

// Matches reports whether a data path (keys and list indices) fits the rename's parent pattern.
func (r Rename) Matches(path []any) bool {
	if len(r.Parent) != len(path) {
		return false
	}
	for i, p := range r.Parent {
		switch x := path[i].(type) {
		case int:
			if p != "[]" {
				return false
			}
		case string:
			if p == "[]" || !contains(strings.Split(p, "|"), x) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// NewName is key's current (fleets-era) name at parent, a data path written with either era's
// names: the key itself when Fleet did not rename it.
func NewName(parent []any, key string) string {
	for _, r := range Renames {
		if r.Old == key && r.Matches(parent) {
			return r.New
		}
	}
	return key
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Canonical writes a data path with Fleet's current key names.
func Canonical(path []any) []any {
	out := make([]any, 0, len(path))
	for _, el := range path {
		if k, ok := el.(string); ok {
			el = NewName(out, k)
		}
		out = append(out, el)
	}
	return out
}
