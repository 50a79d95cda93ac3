package editdist

// Closest returns the candidate nearest to s when it is near enough for a "did you mean"
// (the threshold of Fleet's suggestKey in pkg/spec/gitops_validate.go): an edit distance of at
// most max(1, 40 % of the longer string). Ties go to the alphabetically first candidate, so
// the answer does not depend on the order of candidates. "" when none is near enough.
func Closest(s string, candidates []string) string {
	best, bestDist := "", len(s)+1
	for _, c := range candidates {
		d := Levenshtein(s, c)
		if d < bestDist || d == bestDist && c < best {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > max(1, max(len(s), len(best))*2/5) {
		return ""
	}
	return best
}
