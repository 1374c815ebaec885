package ahocorasick

import (
	"slices"

	"github.com/keikai-project/keikai/internal/ascii"
)

// teddyMasks drive a SIMD pre-pass over the gram filter (the "Teddy" idea: nibble lookups with
// a byte shuffle). The first three bytes of every pattern go into one of eight buckets; for the
// k-th byte, lo[k][n] has bit b set when some pattern of bucket b may have a byte with low nibble
// n there, and hi[k][n] likewise for the high nibble. A position where, for some bucket, all six
// lookups agree may start a pattern; everywhere else none can. Sixteen positions are decided with
// a handful of instructions, where the gram filter needs a hash and a load for each.
type teddyMasks struct {
	lo0, hi0, lo1, hi1, lo2, hi2 [16]byte
	lowNibbles                   [16]byte // 0x0f in every byte, for the assembly
	index                        [32]byte // 0, 1, ... 31, for the assembly's short passes
}

// teddyMaxGrams is the most distinct leading grams the masks are built for: beyond that the
// buckets fill up, most positions pass, and the gram filter alone is faster.
const teddyMaxGrams = 96

// newTeddyMasks returns nil when the patterns are too many for the masks to discriminate, or
// when the platform has no SIMD pass. Patterns must be at least two bytes long.
func newTeddyMasks(patterns []string) *teddyMasks {
	if !haveTeddy {
		return nil
	}
	return newTeddyMasksFor(patterns)
}

// newTeddyMasksFor builds the masks whether or not the platform runs them.
func newTeddyMasksFor(patterns []string) *teddyMasks {
	var grams []string
	for _, p := range patterns {
		g := []byte(p[:min(3, len(p))])
		for i := range g {
			g[i] = ascii.Lower(g[i])
		}
		grams = append(grams, string(g))
	}
	slices.Sort(grams)
	grams = slices.Compact(grams)
	if len(grams) > teddyMaxGrams {
		return nil
	}
	t := &teddyMasks{}
	for i := range t.lowNibbles {
		t.lowNibbles[i] = 0x0f
	}
	for i := range t.index {
		t.index[i] = byte(i)
	}
	// Sorted grams that share leading bytes go to the same bucket, which keeps each bucket's
	// nibble sets small.
	per := (len(grams) + 7) / 8
	for i, g := range grams {
		bit := byte(1) << (i / per)
		for k := range 3 {
			lo, hi := t.lane(k)
			if k >= len(g) {
				for n := range 16 { // a two-byte pattern: any third byte
					lo[n] |= bit
					hi[n] |= bit
				}
				continue
			}
			add := func(c byte) {
				lo[c&15] |= bit
				hi[c>>4] |= bit
			}
			add(g[k])
			if c := g[k]; c >= 'a' && c <= 'z' {
				add(c - 'a' + 'A') // the matcher folds ASCII letters, and nothing else
			}
		}
	}
	return t
}

func (t *teddyMasks) lane(k int) (lo, hi *[16]byte) {
	switch k {
	case 0:
		return &t.lo0, &t.hi0
	case 1:
		return &t.lo1, &t.hi1
	}
	return &t.lo2, &t.hi2
}

// mayStart is the scalar form of the masks' test at text[i:i+3], for tests.
func (t *teddyMasks) mayStart(b0, b1, b2 byte) bool {
	return t.lo0[b0&15]&t.hi0[b0>>4]&t.lo1[b1&15]&t.hi1[b1>>4]&t.lo2[b2&15]&t.hi2[b2>>4] != 0
}
