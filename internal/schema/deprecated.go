package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// rename is a key Fleet 4.82 renamed. Parent is a pattern of the path holding the key:
// "[]" matches any list index and "a|b" either key. Fleets-era files may still use the old
// name (Fleet maps it, ApplyDeprecatedKeyMappings and `renameto` tags); teams-era files
// must use it.
type rename struct {
	parent   []string
	old, new string
}

var renames = []rename{
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

// deprecations reports old spellings in a fleets-era document: a warning for each, an error
// when the new spelling is there too (Fleet: "cannot specify both ... (deprecated) and ...").
func deprecations(doc any) []Issue {
	var out []Issue
	for _, r := range renames {
		for _, parent := range expand(doc, r.parent) {
			m, _ := lookup(doc, parent)
			obj, ok := m.(map[string]any)
			if !ok {
				continue
			}
			if _, has := obj[r.old]; !has {
				continue
			}
			path := append(append([]any{}, parent...), r.old)
			if _, both := obj[r.new]; both {
				out = append(out, Issue{Path: path, RuleID: catalog.DeprecatedConflict, Severity: finding.Error, AtKey: true,
					Message: fmt.Sprintf("%q and its new name %q are both set; Fleet refuses this", r.old, r.new),
					Hint:    fmt.Sprintf("keep only %q", r.new)})
				continue
			}
			out = append(out, Issue{Path: path, RuleID: catalog.DeprecatedKey, Severity: finding.Warning, AtKey: true,
				Message: fmt.Sprintf("%q is deprecated since Fleet 4.82; use %q", r.old, r.new),
				Hint:    fmt.Sprintf("rename %q to %q", r.old, r.new)})
		}
	}
	return out
}

// renamedFrom returns the old name when key is a fleets-era name at parent (data path).
func renamedFrom(parent []any, key string) (string, bool) {
	for _, r := range renames {
		if r.new == key && matches(r.parent, parent) {
			return r.old, true
		}
	}
	return "", false
}

// expand returns the concrete data paths in doc matching pattern.
func expand(doc any, pattern []string) [][]any {
	paths := [][]any{{}}
	for _, p := range pattern {
		var next [][]any
		for _, path := range paths {
			v, _ := lookup(doc, path)
			switch {
			case p == "[]":
				if l, ok := v.([]any); ok {
					for i := range l {
						next = append(next, append(append([]any{}, path...), i))
					}
				}
			default:
				m, ok := v.(map[string]any)
				if !ok {
					continue
				}
				alts := strings.Split(p, "|")
				sort.Strings(alts)
				for _, a := range alts {
					if _, has := m[a]; has {
						next = append(next, append(append([]any{}, path...), a))
					}
				}
			}
		}
		paths = next
	}
	return paths
}

func matches(pattern []string, path []any) bool {
	if len(pattern) != len(path) {
		return false
	}
	for i, p := range pattern {
		switch x := path[i].(type) {
		case int:
			if p != "[]" {
				return false
			}
		case string:
			if p == "[]" || !slicesContains(strings.Split(p, "|"), x) {
				return false
			}
		}
	}
	return true
}

func slicesContains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
