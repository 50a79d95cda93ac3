package redact

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

func at(file string, line, col, endLine, endCol int) finding.Location {
	return finding.Location{File: file, Start: finding.Position{Line: line, Column: col}, End: finding.Position{Line: endLine, Column: endCol}}
}

func secretsOf(t *testing.T, src string, secretAt ...finding.Location) *Secrets {
	t.Helper()
	var fs []finding.Finding
	for _, l := range secretAt {
		fs = append(fs, finding.Finding{RuleID: "secret-plaintext", Location: l})
	}
	return New(fs, func(id string) bool { return id == "secret-plaintext" }, func(file string) []byte {
		if file == "f" {
			return []byte(src)
		}
		return nil
	})
}

// masked returns every line of src as a report would show it.
func masked(s *Secrets, src string) string {
	lines := yamlsrc.NewLines([]byte(src))
	var out []string
	for n := 1; n <= lines.Count(); n++ {
		start, end := lines.Span(n)
		out = append(out, s.Mask("f", n, start, src[start:end]))
	}
	return strings.Join(out, "\n")
}

// TestValueExtent: the whole value is masked however it is written, and nothing else.
func TestValueExtent(t *testing.T) {
	for _, c := range []struct {
		name, src string
		loc       finding.Location
		want      string
	}{
		{"plain in a flow mapping", "s: {secret: abcdef123456, bogus: 1}\n", at("f", 1, 13, 1, 25),
			"s: {secret: ************, bogus: 1}\n"},
		{"plain, unknown end: to the end of the line", "secret: abc def # c\nnext: 1", at("f", 1, 9, 1, 9),
			"secret: *** *** * *\nnext: 1"},
		{"plain over continuation lines", "  secret: abc\n    def\n  next: 1", at("f", 1, 11, 1, 14),
			"  secret: ***\n    ***\n  next: 1"},
		{"block scalar", "- secret: |\n    line one\n\n    line two\n- secret: x", at("f", 1, 11, 1, 12),
			"- secret: *\n    **** ***\n\n    **** ***\n- secret: x"},
		{"double quoted over lines", "s: {secret: \"ab\\\"c\n  def\"}, bogus: 1}", at("f", 1, 13, 1, 20),
			"s: {secret: ******\n  ****}, bogus: 1}"},
		{"single quoted", "secret: 'it''s' # x", at("f", 1, 9, 1, 16), "secret: ******* # x"},
		{"pem body", "key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIabc\n  -----END RSA PRIVATE KEY-----\nx: 1", at("f", 2, 3, 2, 34),
			"key: |\n  ********** *** ******* ********\n  ******\n  ******** *** ******* ********\nx: 1"},
		{"plist value after its key", "<key>Password</key>\n<string>hunter2hunter2</string>\n<key>SSID</key>", at("f", 1, 1, 1, 20),
			"*******************\n*******************************\n<key>SSID</key>"},
		{"lone CR line breaks count as lines", "a: 1\rsecret: abcdefgh\rb: 2", at("f", 2, 9, 2, 17),
			"a: 1\nsecret: ********\nb: 2"},
	} {
		s := secretsOf(t, c.src, c.loc)
		if got := masked(s, c.src); got != strings.ReplaceAll(c.want, "\r", "\n") {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// TestFindingsMasked: messages, hints and paths of findings on a line holding a secret lose
// every piece of the value; the 4-character prefix the secret rule shows survives; findings on
// other lines and in other files are left alone.
func TestFindingsMasked(t *testing.T) {
	src := "a: 1\nteam_settings: {secrets: [{secret: Zq8vR2mXkP4wL9tN}], bogus: 1}\n"
	s := secretsOf(t, src, at("f", 2, 36, 2, 52))
	fs := []finding.Finding{
		{RuleID: "secret-plaintext", Message: `enroll secret in plain text ("Zq8v…" (16 chars))`, Location: at("f", 2, 36, 2, 52)},
		{RuleID: "schema-value", Message: `secret "Zq8vR2mXkP4wL9tN" is not one of x`, Hint: `did you mean "R2mXkP4"?`,
			Location: at("f", 2, 36, 2, 52)},
		{RuleID: "schema-value", Message: `got "Zq8vR2mX…"`, Location: at("f", 2, 56, 2, 61)},
		{RuleID: "schema-value", Message: `Zq8vR2mXkP4wL9tN on another line`, Location: at("f", 1, 1, 1, 2)},
		{RuleID: "schema-value", Message: `Zq8vR2mXkP4wL9tN in another file`, Location: at("g", 2, 36, 2, 52)},
	}
	got := s.Findings(fs)
	want := []string{
		`enroll secret in plain text ("Zq8v…" (16 chars))`,
		`secret "***" is not one of x`,
		`got "***…"`,
		`Zq8vR2mXkP4wL9tN on another line`,
		`Zq8vR2mXkP4wL9tN in another file`,
	}
	for i, w := range want {
		if got[i].Message != w {
			t.Errorf("finding %d: got %q, want %q", i, got[i].Message, w)
		}
	}
	if got[1].Hint != `did you mean "***"?` {
		t.Errorf("hint: got %q", got[1].Hint)
	}
}

// TestShortValues: a value shorter than a piece is masked where it occurs whole; one of one
// or two characters is not (it would mask ordinary words).
func TestShortValues(t *testing.T) {
	if got := maskText("value abc here", []*value{newValue("abc")}); got != "value *** here" {
		t.Errorf("got %q", got)
	}
	if got := maskText("value ab here", []*value{newValue("ab")}); got != "value ab here" {
		t.Errorf("got %q", got)
	}
}

// TestLongValueBounded: a value over maxValue is compared by its beginning only, in bounded
// memory, and a message holding its beginning is still masked.
func TestLongValueBounded(t *testing.T) {
	long := strings.Repeat("x", maxValue) + "é" + strings.Repeat("y", 10)
	v := newValue("K9" + long)
	if len(v.text) > maxValue {
		t.Errorf("value kept %d bytes", len(v.text))
	}
	if got := maskText("got K9xxxxx…", []*value{v}); got != "got ***…" {
		t.Errorf("got %q", got)
	}
}
