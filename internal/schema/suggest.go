package schema

import "github.com/tollgate-dev/tollgate/internal/editdist"

// suggest returns the candidate closest to s when it is within Fleet's threshold for a
// "did you mean" (pkg/spec/gitops_validate.go suggestKey): Levenshtein distance at most
// max(1, 40 % of the longer string). Ties go to the alphabetically first candidate so the
// output is deterministic.
func suggest(s string, candidates []string) string {
	best, bestDist := "", len(s)+1
	for _, c := range candidates {
		d := editdist.Levenshtein(s, c)
		if d < bestDist || d == bestDist && c < best {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	if bestDist <= max(1, max(len(s), len(best))*2/5) {
		return best
	}
	return ""
}
