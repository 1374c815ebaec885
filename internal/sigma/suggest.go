package sigma

import "github.com/keikai-project/keikai/internal/ascii"

// closest returns the candidate nearest to word by edit distance (adjacent transpositions count
// as one edit) when it is near enough to be a likely misspelling.
func closest(word string, candidates []string) (string, bool) {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(word, c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || best == word {
		return "", false
	}
	limit := 1
	if len(best) > 5 {
		limit = 2
	}
	return best, bestDist <= limit
}

// editDistance is the optimal string alignment distance, on bytes, compared case-insensitively for
// ASCII so that "Title" is recognised as "title".
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // far from every key; avoids quadratic work on hostile input
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if ascii.Lower(a[i-1]) == ascii.Lower(b[j-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ascii.Lower(a[i-1]) == ascii.Lower(b[j-2]) && ascii.Lower(a[i-2]) == ascii.Lower(b[j-1]) {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
