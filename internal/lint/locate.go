package lint

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/policy"
)

// locateRaw turns a rule's result object into a Finding at file:line:column. A data path is
// resolved through the document (across includes); explicit line/col are used as given; a
// result with neither points at the file.
func locateRaw(r policy.Raw, docs map[string]*load.Doc, repo *load.Repo) finding.Finding {
	o := r.Object
	f := finding.Finding{RuleID: r.Rule.ID, Severity: r.Severity, Source: "rego"}
	if r.Rule.Source != "bundled" {
		f.Source = r.Rule.Source
	}
	f.Message = str(o["msg"])
	if f.Message == "" {
		f.Message = fmt.Sprintf("rule %s reported a finding without a message", r.Rule.ID)
	}
	f.Hint = str(o["hint"])
	if s := str(o["severity"]); s != "" {
		if sev, err := finding.ParseSeverity(s); err == nil && sev != finding.SeverityNone {
			f.Severity = sev
		}
	}
	file := str(o["file"])
	path := toPath(o["path"])
	if path == nil {
		if loc, ok := o["_loc"].(map[string]any); ok { // conftest-style location object
			path = toPath(loc["path"])
			if file2 := str(loc["file"]); file2 != "" {
				file = file2
			}
			if _, ok := o["line"]; !ok {
				o["line"], o["col"] = loc["line"], loc["col"]
			}
		}
	}
	switch {
	case path != nil && docs[file] != nil:
		f.Location = docs[file].Locate(path, str(o["at"]) == "key")
	case num(o["line"]) > 0:
		line, col := num(o["line"]), max(num(o["col"]), 1)
		end := num(o["end_col"])
		if end <= col {
			end = col + 1
			if rf := repo.File(file); rf != nil {
				if text := rf.Lines().Line(line); len([]rune(text)) >= col {
					end = len([]rune(text)) + 1
				}
			}
		}
		f.Location = finding.Location{File: file, Start: finding.Position{Line: line, Column: col},
			End: finding.Position{Line: line, Column: end}}
	default:
		f.Location = finding.Location{File: file, Start: finding.Position{Line: 1, Column: 1}, End: finding.Position{Line: 1, Column: 1}}
		if path != nil {
			f.Location.Path = formatPath(path)
		}
	}
	return f
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	}
	return 0
}

// toPath accepts an array of keys and indices, or a dotted string.
func toPath(v any) []any {
	switch p := v.(type) {
	case []any:
		out := make([]any, len(p))
		for i, el := range p {
			if n, ok := el.(json.Number); ok {
				out[i] = num(n)
				continue
			}
			out[i] = el
		}
		return out
	case string:
		if p == "" {
			return nil
		}
		var out []any
		for _, s := range strings.Split(p, ".") {
			out = append(out, s)
		}
		return out
	}
	return nil
}

func formatPath(p []any) string {
	parts := make([]string, len(p))
	for i, el := range p {
		parts[i] = fmt.Sprint(el)
	}
	return strings.Join(parts, ".")
}
