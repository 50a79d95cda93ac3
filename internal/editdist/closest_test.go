package editdist

import "testing"

func TestClosest(t *testing.T) {
	for _, c := range []struct {
		s          string
		candidates []string
		want       string
	}{
		{"contianers", []string{"containers", "initContainers", "volumes"}, "containers"},
		{"always", []string{"Always", "IfNotPresent", "Never"}, "Always"},
		{"xyz", []string{"containers"}, ""},  // too far
		{"ab", []string{"ac", "ab2"}, "ab2"}, // a tie at distance 1 goes to the first in order
		{"image", nil, ""},                   // nothing to choose from
		{"imagePullPolicy", []string{"imagePullPolicy"}, "imagePullPolicy"},
	} {
		if got := Closest(c.s, c.candidates); got != c.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", c.s, c.candidates, got, c.want)
		}
	}
}
