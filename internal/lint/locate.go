package lint

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/policy"
)

// locate places a rule's result at file:line:column. A data path is resolved through the
// document (across includes); an explicit line and column are used as given; a result with
// neither points at the file.
func locate(r policy.Result, docs map[string]*load.Doc, repo *load.Repo) finding.Finding {
	f := finding.Finding{RuleID: r.Rule.ID, Severity: r.Severity, Message: r.Message, Hint: r.Hint, Source: "rego"}
	if r.Rule.Source != "bundled" {
		f.Source = r.Rule.Source
	}
	switch {
	case r.Path != nil && docs[r.File] != nil:
		f.Location = docs[r.File].Locate(r.Path, r.AtKey)
	case r.Line > 0:
		line, col := r.Line, max(r.Col, 1)
		end := r.EndCol
		if end <= col {
			end = col + 1
			if rf := repo.File(r.File); rf != nil {
				if text := rf.Lines().Line(line); len([]rune(text)) >= col {
					end = len([]rune(text)) + 1
				}
			}
		}
		f.Location = finding.Location{File: r.File, Start: finding.Position{Line: line, Column: col},
			End: finding.Position{Line: line, Column: end}}
	default:
		f.Location = finding.Location{File: r.File, Start: finding.Position{Line: 1, Column: 1}, End: finding.Position{Line: 1, Column: 1}}
		if r.Path != nil {
			f.Location.Path = formatPath(r.Path)
		}
	}
	return f
}

func formatPath(p []any) string {
	parts := make([]string, len(p))
	for i, el := range p {
		parts[i] = fmt.Sprint(el)
	}
	return strings.Join(parts, ".")
}
