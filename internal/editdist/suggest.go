// Package editdist measures how far apart two names are, for "did you mean" hints.
package editdist

// Levenshtein is the edit distance between a and b, in characters.
func Levenshtein(a, b string) int {
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

// Closest returns the candidate nearest to s, when it is near enough to be a likely misspelling
// (at most two fifths of the longer name's characters differ); "" otherwise. Ties go to the
// candidate first in sort order, so the answer does not depend on the candidates' order.
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
