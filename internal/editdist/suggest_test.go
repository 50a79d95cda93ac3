package editdist

import "testing"

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"macos_update", "macos_updates", 1}, {"kitten", "sitting", 3}, {"café", "cafe", 1}} {
		if got := Levenshtein(c.a, c.b); got != c.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	ids := []string{"passcode-min-length", "passcode-policy", "os-update-deadline"}
	for _, c := range []struct{ s, want string }{
		{"passcode-min-lenght", "passcode-min-length"},
		{"os-update-dedline", "os-update-deadline"},
		{"something-else", ""},
		{"", ""},
	} {
		if got := Closest(c.s, ids); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.s, got, c.want)
		}
	}
}
