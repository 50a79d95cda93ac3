package load

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// fleetZones is fleetctl's own getExclusionZones, the reference for exclusionZones.
func fleetZones(s string) [][2]int {
	var zones [][2]int
	for _, e := range []string{"resolution", "description"} {
		re := regexp.MustCompile(`(?m)^\s*(?:` + e + `:)(.|[\r\n])*?(?:^\s+\w+:|\z)`)
		for _, r := range re.FindAllStringIndex(s, -1) {
			zones = append(zones, [2]int{r[0], r[1]})
		}
	}
	return zones
}

func ourZones(s string) [][2]int {
	var zones [][2]int
	for _, key := range []string{"resolution:", "description:"} {
		zones = append(zones, exclusionZones(s, key)...)
	}
	return zones
}

var zoneSeeds = []string{
	"description: $A\nquery: $B\n",
	"- name: x\n  description: |\n    uses $HOME\n  query: $Q\n",
	"\n\n  description: a\n\nnext: $X\n",
	"resolution: r\ndescription: d $X\n  key: v $Y\n",
	"note description: $X\n",
	"description:",
	"  description: x\n\t\n  resolution: y\n  z: $Z",
	"description: x\n  bad key: $Y\n  ok_key: $Z\n",
}

// The hand-written scanner agrees with Fleet's regexp on tricky inputs and on every YAML file
// of the corpora.
func TestExclusionZonesMatchFleet(t *testing.T) {
	inputs := slices.Clone(zoneSeeds)
	filepath.WalkDir(sharedtest.Corpora(t), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			if b, err := os.ReadFile(p); err == nil {
				inputs = append(inputs, string(b))
			}
		}
		return nil
	})
	if len(inputs) < 50 {
		t.Fatalf("only %d inputs: corpora missing?", len(inputs))
	}
	for _, in := range inputs {
		if got, want := ourZones(in), fleetZones(in); !slices.Equal(got, want) {
			t.Errorf("zones differ for %q:\n got %v\nwant %v", trunc(in), got, want)
		}
	}
}

func FuzzExclusionZones(f *testing.F) {
	for _, s := range zoneSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ourZones(s), fleetZones(s); !slices.Equal(got, want) {
			t.Errorf("zones differ for %q:\n got %v\nwant %v", s, got, want)
		}
	})
}

func trunc(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
