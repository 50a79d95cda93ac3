// Package rules embeds tollgate's bundled Rego rules: one package per rule under
// tollgate.rules.<name>, each with METADATA, its _test.rego beside it and fixtures under
// testdata/rules/<id>/.
package rules

import "embed"

// FS holds every rule directory.
//
//go:embed */*.rego
var FS embed.FS
