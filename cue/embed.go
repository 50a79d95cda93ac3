// Package cue holds tollgate's bundled CUE schemas for Fleet GitOps files. They are embedded
// so the binary needs no files at run time; internal/schema compiles them once.
package cue

import "embed"

// FS holds the CUE module: cue.mod/module.cue and the schema files of package tollgate.
//
//go:embed cue.mod/module.cue *.cue
var FS embed.FS

// VersionsFS holds versions/versions.cue: which Fleet versions the schemas follow, and when
// each key of the format appeared or went away (read by internal/schema as data).
//
//go:embed versions/versions.cue
var VersionsFS embed.FS
