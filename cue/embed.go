// Package cue holds tollgate's bundled CUE schemas for Fleet GitOps files. They are embedded
// so the binary needs no files at run time; internal/schema compiles them once.
package cue

import "embed"

// FS holds the CUE module: cue.mod/module.cue and the schema files of package tollgate.
//
//go:embed cue.mod/module.cue *.cue
var FS embed.FS
