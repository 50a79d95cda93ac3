// Package rego embeds tollgate's shared Rego library (package tollgate.lib), importable by
// bundled rules and by user policies as `import data.tollgate.lib`.
package rego

import "embed"

// FS holds the library modules.
//
//go:embed tollgate
var FS embed.FS
