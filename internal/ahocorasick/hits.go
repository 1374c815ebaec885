package ahocorasick

import "math/bits"

// Hits is a reusable set of pattern ids, owned by one goroutine. Reset clears only the words that
// were set, so a line that matched nothing costs nothing to clear even with thousands of patterns.
type Hits struct {
	size    int // ids are 0..size-1
	words   []uint64
	touched []int32 // indexes of non-zero words, ascending; capacity len(words), so appends never allocate
}

// NewHits returns an empty set sized for m's pattern ids.
func NewHits(m *Matcher) *Hits {
	return NewHitsFor(m.Len())
}

// NewHitsFor returns an empty set for a matcher of size patterns, which need not be built yet.
func NewHitsFor(size int) *Hits {
	words := (size + 63) / 64
	return &Hits{size: size, words: make([]uint64, words), touched: make([]int32, 0, words)}
}

// set adds id; ids outside the set's range (a Hits made for another Matcher) are ignored rather
// than allowed to panic.
func (h *Hits) set(id int) {
	if id < 0 || id >= h.size {
		return
	}
	w := id / 64
	if h.words[w] == 0 {
		// Kept in order as words are touched (rarely more than one or two per text), so that
		// Each needs no sort.
		t := append(h.touched, int32(w))
		for i := len(t) - 1; i > 0 && t[i-1] > t[i]; i-- {
			t[i-1], t[i] = t[i], t[i-1]
		}
		h.touched = t
	}
	h.words[w] |= 1 << (id % 64)
}

// Reset empties the set.
func (h *Hits) Reset() {
	for _, w := range h.touched {
		h.words[w] = 0
	}
	h.touched = h.touched[:0]
}

// Each calls fn for every id in the set, in ascending order.
func (h *Hits) Each(fn func(id int)) {
	for _, w := range h.touched {
		for word := h.words[w]; word != 0; word &= word - 1 {
			fn(int(w)*64 + bits.TrailingZeros64(word))
		}
	}
}
