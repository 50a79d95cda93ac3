package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// A suppression is `# tollgate:ignore RULE-ID[,RULE-ID...] reason` (also after `//` or in
// `<!-- … -->`). On a line of its own it covers the next line; after code, its own line.
var suppressRe = regexp.MustCompile(`(?:#|//|<!--)\s*tollgate:ignore(?:\s+([^\s,]+(?:\s*,\s*[^\s,]+)*))?(?:\s+(.*?))?\s*(?:-->\s*)?$`)

type suppression struct {
	file       string
	line       int // the comment's line
	col        int
	target     int // the line it covers
	rules      []string
	reason     string
	used       map[string]bool
	standalone bool
}

// findSuppressions scans a file's lines for suppression comments.
func findSuppressions(file string, lines func(int) string, count int) []*suppression {
	var out []*suppression
	for n := 1; n <= count; n++ {
		text := lines(n)
		i := strings.Index(text, "tollgate:ignore")
		if i < 0 {
			continue
		}
		m := suppressRe.FindStringSubmatchIndex(text)
		if m == nil {
			continue
		}
		s := &suppression{file: file, line: n, col: m[0] + 1, target: n, used: map[string]bool{}}
		if m[2] >= 0 {
			for _, r := range strings.Split(text[m[2]:m[3]], ",") {
				s.rules = append(s.rules, strings.TrimSpace(r))
			}
		}
		if m[4] >= 0 {
			s.reason = strings.TrimSpace(text[m[4]:m[5]])
		}
		if strings.TrimSpace(text[:m[0]]) == "" {
			s.standalone = true
			// Cover the next line that is not itself a comment or blank.
			s.target = n + 1
			for t := n + 1; t <= count; t++ {
				tt := strings.TrimSpace(lines(t))
				if tt != "" && !strings.HasPrefix(tt, "#") {
					s.target = t
					break
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// applySuppressions drops suppressed findings and reports malformed and unused suppressions.
func applySuppressions(fs []finding.Finding, sups []*suppression, cat *catalog.Catalog) []finding.Finding {
	type key struct {
		file string
		line int
	}
	byLine := map[key][]*suppression{}
	var out []finding.Finding
	for _, s := range sups {
		switch {
		case len(s.rules) == 0:
			out = append(out, supFinding(s, finding.Error, "tollgate:ignore needs a rule ID and a reason",
				"write `# tollgate:ignore RULE-ID why this is acceptable`"))
			continue
		case s.reason == "":
			out = append(out, supFinding(s, finding.Error,
				fmt.Sprintf("tollgate:ignore %s has no reason; a suppression must say why", strings.Join(s.rules, ",")),
				"add the reason after the rule ID"))
			continue
		}
		byLine[key{s.file, s.target}] = append(byLine[key{s.file, s.target}], s)
	}
	for _, f := range fs {
		suppressed := false
		for _, s := range byLine[key{f.Location.File, f.Location.Start.Line}] {
			for _, r := range s.rules {
				if r != f.RuleID && r != "all" {
					continue
				}
				if rule, ok := cat.Get(f.RuleID); ok && rule.NotSuppressible {
					s.used[r] = true
					out = append(out, supFinding(s, finding.Error,
						fmt.Sprintf("rule %q cannot be suppressed; fix the finding instead", f.RuleID), ""))
					continue
				}
				s.used[r] = true
				suppressed = true
			}
		}
		if !suppressed {
			out = append(out, f)
		}
	}
	for _, ss := range byLine {
		for _, s := range ss {
			for _, r := range s.rules {
				if s.used[r] {
					continue
				}
				msg := fmt.Sprintf("tollgate:ignore %s matches no finding on line %d; remove it", r, s.target)
				if _, ok := cat.Get(r); !ok && r != "all" {
					msg = fmt.Sprintf("tollgate:ignore names unknown rule %q", r)
				}
				out = append(out, supFinding(s, finding.Warning, msg, "`tollgate rules` lists the rule IDs"))
			}
		}
	}
	return out
}

func supFinding(s *suppression, sev finding.Severity, msg, hint string) finding.Finding {
	return finding.Finding{RuleID: catalog.Suppression, Severity: sev, Message: msg, Hint: hint, Source: "config",
		Location: finding.Location{File: s.file, Start: finding.Position{Line: s.line, Column: s.col},
			End: finding.Position{Line: s.line, Column: s.col + len("# tollgate:ignore")}}}
}
