package ahocorasick

import (
	"bytes"
	"slices"
)

// referenceScan is the obviously correct answer: fold ASCII case on both sides and look for each
// pattern separately.
func referenceScan(patterns []string, text []byte) []int {
	folded := asciiLower(text)
	var ids []int
	for id, p := range patterns {
		if p != "" && bytes.Contains(folded, asciiLower([]byte(p))) {
			ids = append(ids, id)
		}
	}
	return ids
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lower(c)
	}
	return out
}

// scanIDs runs m over text and returns the ids it marked, the result of Scan, and whether Has
// agrees with Each for every id (a cheap internal-consistency check).
func scanIDs(m *Matcher, text []byte) (ids []int, found bool, consistent bool) {
	h := NewHits(m)
	found = m.Scan(text, h)
	h.Each(func(id int) { ids = append(ids, id) })
	consistent = slices.IsSorted(ids)
	for id := 0; id < m.Len(); id++ {
		if h.Has(id) != slices.Contains(ids, id) {
			consistent = false
		}
	}
	return ids, found, consistent
}
