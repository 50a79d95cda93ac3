package policy

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Result is one finding a rule returned, decoded from the result contract of rego/tollgate/lib
// (lib.fail and friends: file, msg, path | line/col, hint, severity, at), or from a plain
// conftest rule's message, before the caller locates it in the document it names.
type Result struct {
	Rule     catalog.Rule
	Severity finding.Severity // the rule's, or the one the result asked for (lib.with_severity)
	Message  string           // never empty
	Hint     string
	File     string // repo-relative; for a conftest rule the document's unless it named another
	// Path is the data path in File's document (keys as strings, indices as ints); nil when
	// the result gave none. AtKey points at the mapping key rather than the value.
	Path  []any
	AtKey bool
	// Line, Col and EndCol place the result explicitly (profiles, scripts: files without a
	// data path); Line is 0 when it gave no line.
	Line, Col, EndCol int
	// Document and Overlay place a Kubernetes rule's result (lib.kube_fail): the document's
	// index among File's documents (-1 when it names none), and the overlay that rendered it
	// ("" for a source file).
	Document int
	Overlay  string
}

// decodeResult reads one item of a rule's result set: an object, or for conftest rules a
// string (the message) or any other value (printed as the message). file is the document a
// conftest rule was evaluated on.
func decodeResult(p *prepared, file string, item any) Result {
	r := Result{Rule: p.rule, Severity: p.defSev}
	o, ok := item.(map[string]any)
	if !ok {
		if s, isStr := item.(string); isStr {
			o = map[string]any{"msg": s}
		} else {
			o = map[string]any{"msg": fmt.Sprint(item)}
		}
	}
	r.Message = str(o["msg"])
	if r.Message == "" {
		r.Message = fmt.Sprintf("rule %s reported a finding without a message", p.rule.ID)
	}
	r.Hint = str(o["hint"])
	if s := str(o["severity"]); s != "" {
		if sev, err := finding.ParseSeverity(s); err == nil && sev != finding.SeverityNone {
			r.Severity = sev
		}
	}
	r.File = str(o["file"])
	if _, named := o["file"]; !named && p.name != "" {
		r.File = file // conftest: the document's file unless the policy names another
	}
	r.AtKey = str(o["at"]) == "key"
	line, col, endCol := o["line"], o["col"], o["end_col"]
	r.Path = toPath(o["path"])
	if r.Path == nil {
		if loc, ok := o["_loc"].(map[string]any); ok { // a conftest-style location object
			r.Path = toPath(loc["path"])
			if f := str(loc["file"]); f != "" {
				r.File = f
			}
			if _, ok := o["line"]; !ok {
				line, col = loc["line"], loc["col"]
			}
		}
	}
	r.Line, r.Col, r.EndCol = num(line), num(col), num(endCol)
	r.Document, r.Overlay = -1, str(o["overlay"])
	if d, ok := o["document"]; ok {
		r.Document = num(d)
	}
	return r
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
