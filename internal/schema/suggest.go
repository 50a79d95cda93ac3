package schema

// suggest returns the candidate closest to s when it is within Fleet's threshold for a
// "did you mean" (pkg/spec/gitops_validate.go suggestKey): Levenshtein distance at most
// max(1, 40 % of the longer string). Ties go to the alphabetically first candidate so the
// output is deterministic.
func suggest(s string, candidates []string) string {
	best, bestDist := "", len(s)+1
	for _, c := range candidates {
		d := levenshtein(s, c)
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

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
