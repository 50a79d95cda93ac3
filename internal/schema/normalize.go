package schema

import (
	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/fleet"
)

// normalize returns a copy of doc in the shape the CUE schemas describe:
//
//   - Map entries whose value is null are dropped. Fleet decodes YAML through JSON into Go
//     structs, where null means "leave unset", so `key:` is valid wherever the key is; the
//     schemas mark required keys that may be null with @nullok().
//   - A bare string in a profile list (`custom_settings: [a.mobileconfig]`, the old format
//     Fleet still reads) becomes {path: string}, so a profile entry has one shape.
//   - In the fleets era `install_software: false` (optjson.BoolOr) is dropped: it unsets the
//     automation, like null.
//
// doc itself is not modified. The paths of the dropped nulls are returned too.
func normalize(doc any, kind Kind, era Era) (any, [][]any) {
	out, nulls := cueissue.WithoutNulls(doc)
	top, ok := out.(map[string]any)
	if !ok || kind == fleet.KindPackageFile {
		return out, nulls
	}
	if controls, ok := top["controls"].(map[string]any); ok {
		for _, s := range []string{"macos_settings", "apple_settings", "windows_settings", "android_settings"} {
			settings, ok := controls[s].(map[string]any)
			if !ok {
				continue
			}
			for _, l := range []string{"custom_settings", "configuration_profiles"} {
				if list, ok := settings[l].([]any); ok {
					for i, e := range list {
						if p, ok := e.(string); ok {
							list[i] = map[string]any{"path": p}
						}
					}
				}
			}
		}
	}
	if era == fleet.EraFleets {
		if policies, ok := top["policies"].([]any); ok {
			for _, p := range policies {
				if m, ok := p.(map[string]any); ok {
					if _, isBool := m["install_software"].(bool); isBool {
						delete(m, "install_software")
					}
				}
			}
		}
	}
	return out, nulls
}
