package apply

import (
	"fmt"
	"html"
	"io"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/lint"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// Bypass is what an audit record says about an emergency bypass: why, and what it let through.
// A bypass skips the findings gate only: the secrets, the lock and the re-read of every checked
// file still hold, and findings of rules that can't be suppressed (plaintext secrets) still
// refuse.
type Bypass struct {
	Reason string `json:"reason"`
	// Findings counts the findings at or above the fail level the bypass let through (0 when
	// there were none to skip).
	Findings int `json:"findings"`
	// Rules are their rule IDs, sorted.
	Rules []string `json:"rules"`
	// Unbypassable are the rule IDs among them that no bypass skips; the attempt was refused.
	Unbypassable []string `json:"unbypassable,omitempty"`
}

// MinBypassReason is the shortest reason --emergency-bypass takes: a reason is for the people
// who read the audit log later ("fp" tells them nothing).
const MinBypassReason = 10

// CheckBypassReason returns an error for a reason that could not explain a bypass.
func CheckBypassReason(reason string) error {
	r := strings.TrimSpace(reason)
	switch {
	case len([]rune(r)) < MinBypassReason:
		return fmt.Errorf("--emergency-bypass needs a reason of at least %d characters (what is wrong with the check, and a ticket), got %q", MinBypassReason, r)
	case strings.ContainsAny(r, "\r\n"):
		return fmt.Errorf("--emergency-bypass: write the reason on one line")
	}
	return nil
}

// NewBypass describes the bypass of res's findings at or above failLevel.
func NewBypass(reason string, res *lint.Result, failLevel finding.Severity) *Bypass {
	b := &Bypass{Reason: strings.TrimSpace(reason), Rules: []string{}}
	for _, f := range res.Findings {
		if f.Severity < failLevel {
			continue
		}
		b.Findings++
		if !slices.Contains(b.Rules, f.RuleID) {
			b.Rules = append(b.Rules, f.RuleID)
		}
		if rule, ok := res.Catalog.Get(f.RuleID); ok && rule.NotSuppressible && !slices.Contains(b.Unbypassable, f.RuleID) {
			b.Unbypassable = append(b.Unbypassable, f.RuleID)
		}
	}
	slices.Sort(b.Rules)
	slices.Sort(b.Unbypassable)
	return b
}

// BypassSummary is the Markdown a GitHub job summary gets for an attempt made with a bypass, so
// that it is seen where the run is read, not only in the audit file.
func BypassSummary(rec *Record) string {
	b := rec.Bypass
	if b == nil {
		return ""
	}
	var s strings.Builder
	s.WriteString("## ⚠️ tollgate: emergency bypass\n\n")
	if b.Findings == 0 {
		s.WriteString("An emergency bypass was requested, but no finding blocked the apply.\n\n")
	} else {
		fmt.Fprintf(&s, "**%d findings at or above the fail level (%s) were bypassed**: %s.\n\n",
			b.Findings, markdown(rec.Findings.FailLevel), markdown(strings.Join(b.Rules, ", ")))
	}
	fmt.Fprintf(&s, "- reason: %s\n- by: %s\n- outcome: `%s`\n", markdown(b.Reason), markdown(orUnknown(rec.Actor)), rec.Outcome)
	if rec.Commit != "" {
		fmt.Fprintf(&s, "- commit: `%s`\n", markdown(rec.Commit))
	}
	s.WriteString("\nThe audit record holds the details (`bypass` in docs/apply.md).\n")
	return s.String()
}

// BypassAnnotation is a GitHub Actions warning annotation for the bypass (one line; the
// runner's escaping of % CR LF applies).
func BypassAnnotation(rec *Record) string {
	b := rec.Bypass
	if b == nil || b.Findings == 0 {
		return ""
	}
	msg := fmt.Sprintf("applied despite %d findings at or above the fail level (%s), by %s: %s",
		b.Findings, strings.Join(b.Rules, ", "), orUnknown(rec.Actor), b.Reason)
	esc := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(msg)
	return "::warning title=tollgate emergency bypass::" + esc + "\n"
}

// markdown escapes text for a Markdown paragraph: HTML, and the punctuation that makes links,
// emphasis, code or table cells.
func markdown(text string) string {
	text = html.EscapeString(text)
	var b strings.Builder
	for _, r := range text {
		if strings.ContainsRune("\\`*_{}[]()#+-.!|<>~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown actor"
	}
	return s
}

// announcePruning says, on every hand-off to fleetctl, whether teams missing from the
// repository are deleted: the template's gitops.sh prunes by default, tollgate only when
// configured, and a switch between them must not change it unnoticed.
func announcePruning(w io.Writer, cfg *config.Config, plan *Plan, repo *load.Repo) {
	if cfg == nil || len(cfg.Apply.Command) > 0 || !hasGlobal(repo) {
		return
	}
	what, flag := "teams", "--delete-other-teams"
	if repo.Era == fleet.EraFleets {
		what, flag = "fleets", "--delete-other-fleets"
	}
	if cfg.Apply.DeleteOther {
		fmt.Fprintf(w, "tollgate: pruning is ON (apply.delete_other: true): %s deletes every %s in Fleet that no file here defines\n", flag, strings.TrimSuffix(what, "s"))
		return
	}
	fmt.Fprintf(w, "tollgate: pruning is OFF (apply.delete_other unset or false): %s in Fleet that no file here defines are kept; the template's gitops.sh prunes them by default (%s)\n", what, flag)
}
