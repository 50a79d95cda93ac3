package lint

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/gitsrc"
)

// AckTrailer is the commit-message trailer that acknowledges a change finding for the review
// of the commits that carry it: `Tollgate-Ack: RULE-ID ["NAME"]: reason`.
const AckTrailer = "Tollgate-Ack"

// An acknowledgement silences change findings of one review, said in a commit of the change
// itself, so it ends with the change: no comment is left in a file (where, after the merge,
// it would match nothing). The rule, a quoted name that the finding's message quotes (the
// profile, policy or team it names, as the report prints it) and a reason.
type ack struct {
	commit string
	rule   string
	name   string // "" acknowledges every finding of the rule
	reason string
	used   bool
}

var ackRe = regexp.MustCompile(`^([^\s:"]+)\s*("(?:[^"\\]|\\.)*")?\s*(?::\s*(.*))?$`)

// parseAck reads a trailer's value; problem says what is wrong with a malformed one.
func parseAck(t gitsrc.Trailer) (a *ack, problem string) {
	m := ackRe.FindStringSubmatch(strings.TrimSpace(t.Value))
	if m == nil {
		return nil, "is not `RULE-ID \"NAME\": reason`"
	}
	a = &ack{commit: t.Commit, rule: m[1], reason: strings.TrimSpace(m[3])}
	if m[2] != "" {
		name, err := strconv.Unquote(m[2])
		if err != nil {
			return nil, fmt.Sprintf("names %s, which is not a quoted name", m[2])
		}
		a.name = name
	}
	if a.reason == "" {
		return nil, fmt.Sprintf("acknowledges %s without a reason; say why the change is intended", a.target())
	}
	return a, ""
}

// target is how an acknowledgement names what it acknowledges.
func (a *ack) target() string {
	if a.name == "" {
		return a.rule
	}
	return a.rule + " " + strconv.Quote(a.name)
}

func (a *ack) matches(f finding.Finding) bool {
	return f.RuleID == a.rule && (a.name == "" || strings.Contains(f.Message, strconv.Quote(a.name)))
}

// acknowledge turns the change findings that an acknowledgement of the reviewed commits names
// into notes that say who acknowledged them and why, and reports the acknowledgements that are
// malformed, name a rule that is not a change rule, or match nothing (rule suppression). Only
// change findings can be acknowledged: a finding about the state outlives the change.
func acknowledge(fs []finding.Finding, r *gitsrc.Range, cat *catalog.Catalog) []finding.Finding {
	if r == nil || len(r.Trailers) == 0 {
		return fs
	}
	var acks []*ack
	var problems []finding.Finding
	for _, t := range r.Trailers {
		a, problem := parseAck(t)
		if problem == "" {
			rule, ok := cat.Get(a.rule)
			switch {
			case !ok:
				problem = fmt.Sprintf("names unknown rule %q", a.rule)
			case rule.Category != changeCategory:
				problem = fmt.Sprintf("names rule %q, which is not a rule on the change; only findings of change rules can be acknowledged in a commit (suppress others in the file, or fix them)", a.rule)
			case rule.NotSuppressible:
				problem = fmt.Sprintf("names rule %q, which cannot be suppressed or acknowledged", a.rule)
			}
		}
		if problem != "" {
			problems = append(problems, ackProblem(t.Commit, fmt.Sprintf("%s: %q %s", AckTrailer, t.Value, problem)))
			continue
		}
		acks = append(acks, a)
	}
	out := make([]finding.Finding, 0, len(fs)+len(problems))
	for _, f := range fs {
		var by *ack
		for _, a := range acks {
			if a.matches(f) {
				a.used = true
				if by == nil {
					by = a
				}
			}
		}
		if by != nil {
			f.Severity = finding.Note
			f.Message = fmt.Sprintf("acknowledged in commit %s (%q): %s", short(by.commit), by.reason, f.Message)
			f.Hint = ""
		}
		out = append(out, f)
	}
	for _, a := range acks {
		if !a.used {
			problems = append(problems, ackProblem(a.commit, fmt.Sprintf("%s: %s matches no finding of this change; remove it, or quote a name as the finding's message does", AckTrailer, a.target())))
		}
	}
	return append(out, problems...)
}

// ackProblem is a finding about an acknowledgement: it belongs to a commit, not to a file.
func ackProblem(commit, msg string) finding.Finding {
	return finding.Finding{RuleID: catalog.Suppression, Severity: finding.Warning, Source: "config",
		Message: fmt.Sprintf("commit %s: %s", short(commit), msg),
		Hint:    "write the trailer as `" + AckTrailer + ": RULE-ID \"NAME\": why the change is intended` (docs/review.md)"}
}
