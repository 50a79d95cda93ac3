package kubeschema

import (
	"slices"
	"strconv"
	"strings"
)

// Small helpers: a mapping's keys in order, and names quoted for a hint.

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	slices.Sort(q)
	return strings.Join(q, ", ")
}
