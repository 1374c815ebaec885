package ahocorasick

import (
	"bytes"
	"slices"
	"unicode"
	"unicode/utf8"
)

// referenceScan is the obviously correct answer: fold ASCII case on both sides and look for each
// pattern separately. It folds with the standard library, not with the package's own code, so that
// a folding bug cannot hide on both sides of the comparison.
func referenceScan(patterns []string, text []byte) []int {
	folded := foldASCII(text)
	var ids []int
	for id, p := range patterns {
		if p != "" && bytes.Contains(folded, foldASCII([]byte(p))) {
			ids = append(ids, id)
		}
	}
	return ids
}

// foldASCII lower-cases the ASCII bytes of b with unicode.ToLower and copies every byte >= 0x80
// unchanged: matching folds ASCII only, so "É" and "é" (or a lone 0xC1 and 0xE1) stay distinct.
func foldASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < utf8.RuneSelf {
			c = byte(unicode.ToLower(rune(c)))
		}
		out[i] = c
	}
	return out
}

// scanIDs runs m over text and returns the ids it marked, the result of Scan, and whether Each
// yielded them in ascending order without repeats, as it promises.
func scanIDs(m *Matcher, text []byte) (ids []int, found bool, consistent bool) {
	h := NewHits(m)
	found = m.Scan(text, h)
	ids = hitIDs(h)
	consistent = slices.IsSorted(ids) && len(slices.Compact(slices.Clone(ids))) == len(ids)
	return ids, found, consistent
}

// hitIDs returns the ids in h, as Each yields them.
func hitIDs(h *Hits) []int {
	var ids []int
	h.Each(func(id int) { ids = append(ids, id) })
	return ids
}
