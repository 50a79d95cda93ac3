package oscatalog

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an Apple OS version. Missing components are zero, so 15, 15.0 and 15.0.0 are the
// same Version (and the same map key), which is how Fleet and Apple compare them.
type Version struct {
	Major, Minor, Patch int
}

// maxComponentDigits bounds each component so a hostile "99999999999999999999" cannot overflow.
const maxComponentDigits = 6

// ParseVersion accepts exactly Fleet's minimum_version syntax, ^\d+(\.\d+){0,2}$.
func ParseVersion(s string) (Version, error) {
	var v Version
	if s == "" {
		return v, fmt.Errorf("empty version")
	}
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return v, fmt.Errorf("version %q has more than three components", s)
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > maxComponentDigits || strings.TrimLeft(p, "0123456789") != "" {
			return v, fmt.Errorf("version %q is not of the form MAJOR[.MINOR[.PATCH]] with digits only", s)
		}
		n[i], _ = strconv.Atoi(p) // cannot fail: digits only, bounded length
	}
	return Version{n[0], n[1], n[2]}, nil
}

// Compare returns -1, 0 or +1, numerically component by component.
func (v Version) Compare(w Version) int {
	for _, d := range [3]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		if d < 0 {
			return -1
		}
		if d > 0 {
			return 1
		}
	}
	return 0
}

// String is the canonical form used as a key in Data(): MAJOR.MINOR, plus .PATCH when it is not
// zero (the catalog's own normalisation: SOFA writes 26 as 26.0).
func (v Version) String() string {
	if v.Patch != 0 {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// betaBase extracts the version from a beta label such as "27.0 beta 6" or "26.5 RC 2".
func betaBase(label string) (Version, bool) {
	f := strings.Fields(label)
	if len(f) == 0 {
		return Version{}, false
	}
	v, err := ParseVersion(f[0])
	return v, err == nil
}
