package lint

import (
	"path/filepath"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/policy"
)

// wideningNotes are the report's notes that the capabilities policies ran with were wider
// than the default: at the capabilities key of .tollgate.yaml, and at the --capabilities file
// (capsFile), when they are inside the repository at root.
func wideningNotes(eng *policy.Engine, cfg *config.Config, capsFile, root string) []finding.Finding {
	configAt := fileLocation(cfg.Path, root)
	if configAt.File != "" {
		const key = "capabilities"
		if line, col := cfg.KeyPosition(key); line > 0 {
			configAt.Start = finding.Position{Line: line, Column: col}
			configAt.End = finding.Position{Line: line, Column: col + len(key)}
		}
	}
	return eng.Widening.Notes(cfg.Path, configAt, fileLocation(capsFile, root))
}

// fileLocation is the start of path as a finding's location, or no location when path is
// outside the repository at root (the note's message names the file then).
func fileLocation(path, root string) finding.Location {
	if path == "" {
		return finding.Location{}
	}
	abs, err1 := filepath.Abs(path)
	absRoot, err2 := filepath.Abs(root)
	if err1 != nil || err2 != nil {
		return finding.Location{}
	}
	rel, err := filepath.Rel(absRoot, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return finding.Location{}
	}
	start := finding.Position{Line: 1, Column: 1}
	return finding.Location{File: filepath.ToSlash(rel), Start: start, End: start}
}
