package lint

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/gitsrc"
)

func TestParseAck(t *testing.T) {
	for value, want := range map[string]string{
		`change-profile-removed "Corporate Wi-Fi": replaced by the 802.1X profile`: `change-profile-removed|Corporate Wi-Fi|replaced by the 802.1X profile`,
		`change-large: the office closes`:                                          `change-large||the office closes`,
		`change-profile-removed "say \"hi\"":why`:                                  `change-profile-removed|say "hi"|why`,
		`change-profile-removed "Wi-Fi": `:                                         `problem`,
		`change-profile-removed "Wi-Fi"`:                                           `problem`,
		`change-profile-removed Wi-Fi: reason`:                                     `problem`,
		`"Wi-Fi": reason`:                                                          `problem`,
		``:                                                                         `problem`,
	} {
		a, problem := parseAck(gitsrc.Trailer{Commit: "c", Value: value})
		got := "problem"
		if problem == "" {
			got = a.rule + "|" + a.name + "|" + a.reason
		}
		if got != want {
			t.Errorf("%q: got %q (%s), want %q", value, got, problem, want)
		}
	}
}

func TestAcknowledge(t *testing.T) {
	cat := catalog.New()
	for _, id := range []string{"change-profile-removed", "change-large"} {
		if err := cat.Add(catalog.Rule{ID: id, Title: id, Description: id, Severity: finding.Error, Category: changeCategory, Source: "bundled"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cat.Add(catalog.Rule{ID: "os-version-unreleased", Title: "x", Description: "x", Severity: finding.Error, Category: "os-updates", Source: "bundled"}); err != nil {
		t.Fatal(err)
	}
	wifi := at("teams/a.yml", 7, 5, "change-profile-removed", `profile "Corporate Wi-Fi" (apple, lib/wifi.mobileconfig) is removed from team "A"`)
	wifi.Severity, wifi.Hint = finding.Error, "keep it"
	wifiB := at("teams/b.yml", 7, 5, "change-profile-removed", `profile "Corporate Wi-Fi" (apple, lib/wifi.mobileconfig) is removed from team "B"`)
	vpn := at("teams/a.yml", 9, 5, "change-profile-removed", `profile "VPN" (apple, lib/vpn.mobileconfig) is removed from team "A"`)
	os := at("teams/a.yml", 12, 22, "os-version-unreleased", `macOS "26.12" is not released`)
	commit := "0123456789abcdef0123456789abcdef01234567"
	r := &gitsrc.Range{Trailers: []gitsrc.Trailer{
		{Commit: commit, Value: `change-profile-removed "Corporate Wi-Fi": replaced by the 802.1X profile`},
		{Commit: commit, Value: `change-profile-removed "Wi-Fi": a name the messages do not quote`},
		{Commit: commit, Value: `os-version-unreleased "26.12": pilot`},
		{Commit: commit, Value: `no-such-rule: x`},
		{Commit: commit, Value: `change-large`},
	}}
	out := acknowledge([]finding.Finding{wifi, wifiB, vpn, os}, r, cat)
	got := report(out)
	want := []string{
		`:0:0: warning: commit 0123456: Tollgate-Ack: "change-large" acknowledges change-large without a reason; say why the change is intended [suppression]`,
		`:0:0: warning: commit 0123456: Tollgate-Ack: "no-such-rule: x" names unknown rule "no-such-rule" [suppression]`,
		`:0:0: warning: commit 0123456: Tollgate-Ack: "os-version-unreleased \"26.12\": pilot" names rule "os-version-unreleased", which is not a rule on the change; only findings of change rules can be acknowledged in a commit (suppress others in the file, or fix them) [suppression]`,
		`:0:0: warning: commit 0123456: Tollgate-Ack: change-profile-removed "Wi-Fi" matches no finding of this change; remove it, or quote a name as the finding's message does [suppression]`,
		`teams/a.yml:7:5: note: acknowledged in commit 0123456 ("replaced by the 802.1X profile"): profile "Corporate Wi-Fi" (apple, lib/wifi.mobileconfig) is removed from team "A" [change-profile-removed]`,
		`teams/a.yml:9:5: warning: profile "VPN" (apple, lib/vpn.mobileconfig) is removed from team "A" [change-profile-removed]`,
		`teams/a.yml:12:22: warning: macOS "26.12" is not released [os-version-unreleased]`,
		`teams/b.yml:7:5: note: acknowledged in commit 0123456 ("replaced by the 802.1X profile"): profile "Corporate Wi-Fi" (apple, lib/wifi.mobileconfig) is removed from team "B" [change-profile-removed]`,
	}
	if got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	for _, f := range out {
		if strings.HasPrefix(f.Message, "acknowledged") && f.Hint != "" {
			t.Errorf("an acknowledged finding keeps its hint to fix it: %q", f.Hint)
		}
	}
	if got := acknowledge([]finding.Finding{wifi}, nil, cat); len(got) != 1 || got[0].Severity != finding.Error {
		t.Errorf("without a review nothing is acknowledged: %v", got)
	}
}
