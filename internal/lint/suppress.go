package lint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// A suppression is `# tollgate:ignore RULE-ID[,RULE-ID...] [until=YYYY-MM-DD] reason` (also
// after `//` or in `<!-- … -->`). On a line of its own it covers the next line; after code,
// its own line. With until= it covers through that day (UTC), and is a finding of its own after.
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
	// until is the until= date as written ("" without one); expires is the day after it
	// (zero when until is not a date, which badUntil then says why).
	until    string
	expires  time.Time
	badUntil string
	expired  bool // set by expireSuppressions: the run's date is past until
}

// untilLayout is the one date form until= takes.
const untilLayout = "2006-01-02"

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
		s.parseUntil()
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

// parseUntil takes an until=YYYY-MM-DD that opens the reason out of it. An until= elsewhere
// in the reason is a mistake, not part of the reason: read as words, the suppression would
// never expire, which is not what its author meant.
func (s *suppression) parseUntil() {
	first, rest, _ := strings.Cut(s.reason, " ")
	if date, ok := strings.CutPrefix(first, "until="); ok {
		s.until, s.reason = date, strings.TrimSpace(rest)
		d, err := time.Parse(untilLayout, date)
		if err != nil {
			s.badUntil = fmt.Sprintf("until=%s is not a date", date)
			return
		}
		s.expires = d.AddDate(0, 0, 1)
	}
	if strings.Contains(s.reason, "until=") {
		s.badUntil = "until= must come right after the rule ID"
	}
}

// expireSuppressions marks the suppressions whose until= day has passed at now: they no
// longer suppress, and each is a finding of its own (applySuppressions).
func expireSuppressions(sups []*suppression, now time.Time) {
	for _, s := range sups {
		if !s.expires.IsZero() && !now.Before(s.expires) {
			s.expired = true
		}
	}
}

// site is a line that includes a file: the `- path:` of a team file that lists a profile.
type site struct {
	file string
	line int
}

// includeSites maps each file that cannot hold a comment (a profile, a script: anything but
// YAML) and has a finding that some suppression names to the lines that include it, so a
// suppression there covers it. Locating a line reads a released team file again, so only the
// files such a suppression could cover are looked up: none in a repository without one.
func includeSites(repo *load.Repo, fs []finding.Finding, sups []*suppression) map[string][]site {
	if repo == nil || len(sups) == 0 {
		return nil
	}
	named := map[string]bool{}
	for _, s := range sups {
		for _, r := range s.rules {
			named[r] = true
		}
	}
	flagged := map[string]bool{}
	for _, f := range fs {
		if f.Location.File != "" && !yamlPath(f.Location.File) && (named[f.RuleID] || named["all"]) {
			flagged[f.Location.File] = true
		}
	}
	if len(flagged) == 0 {
		return nil
	}
	out := map[string][]site{}
	add := func(refs []load.Ref, global bool) {
		for _, r := range refs {
			if r.Entry == nil || (r.Entry.Kind == fleet.KindGlobal) != global || !flagged[r.Target] {
				continue
			}
			loc := r.Entry.Doc.Locate(r.Path, false)
			s := site{loc.File, loc.Start.Line}
			if loc.File != "" && !slices.Contains(out[r.Target], s) {
				out[r.Target] = append(out[r.Target], s)
			}
		}
	}
	// The global entries' references are all kept; a team's went with its batch (laterRefs):
	// each team entry is read again, one at a time.
	add(repo.Refs, true)
	for _, e := range repo.Entries {
		if e.Kind == fleet.KindGlobal {
			continue
		}
		again, _, refs, _ := repo.LoadEntry(e.File.Abs)
		add(refs, false)
		if again != nil {
			repo.Forget(again)
		}
	}
	return out
}

func yamlPath(p string) bool {
	return strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")
}

// applySuppressions drops suppressed findings and reports malformed and unused suppressions.
// A finding in a file that includes list (a profile) is also suppressed from the lines that
// include it, when every one of them has a matching suppression: a profile two teams list and
// one team vouches for is still reported for the other.
func applySuppressions(fs []finding.Finding, sups []*suppression, cat *catalog.Catalog, sites map[string][]site) []finding.Finding {
	type key = site
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
		case s.badUntil != "":
			out = append(out, supFinding(s, finding.Error,
				fmt.Sprintf("tollgate:ignore %s: %s, so it suppresses nothing", strings.Join(s.rules, ","), s.badUntil),
				"write `# tollgate:ignore RULE-ID until=YYYY-MM-DD reason`"))
			continue
		case s.expired:
			out = append(out, supFinding(s, finding.Warning,
				fmt.Sprintf("tollgate:ignore %s expired on %s; the findings it covered are reported again", strings.Join(s.rules, ","), s.until),
				"fix the findings, or renew the suppression with a later until= date and the reason it still holds"))
			continue
		}
		byLine[key{s.file, s.target}] = append(byLine[key{s.file, s.target}], s)
	}
	// covers reports whether a suppression on the line at k covers f, marking it used.
	covers := func(k key, f finding.Finding) bool {
		covered := false
		for _, s := range byLine[k] {
			for _, r := range s.rules {
				if r != f.RuleID && r != "all" {
					continue
				}
				s.used[r] = true
				if rule, ok := cat.Get(f.RuleID); ok && rule.NotSuppressible {
					out = append(out, supFinding(s, finding.Error,
						fmt.Sprintf("rule %q cannot be suppressed; fix the finding instead", f.RuleID), ""))
					continue
				}
				covered = true
			}
		}
		return covered
	}
	for _, f := range fs {
		suppressed := covers(key{f.Location.File, f.Location.Start.Line}, f)
		if inc := sites[f.Location.File]; !suppressed && len(inc) > 0 {
			all := true
			for _, at := range inc {
				if !covers(at, f) {
					all = false
				}
			}
			suppressed = all
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
