package ahocorasick

import "encoding/binary"

// gramFilter answers "may a pattern start here?" from the next three bytes of text, with no
// state carried from byte to byte. That independence is what makes it fast: the CPU can work on
// several positions at once, whereas a DFA step must wait for the previous table load.
//
// It is a one-hash Bloom filter over the first three bytes of every pattern, one byte per flag
// (a byte load is cheaper than extracting a bit, and measured faster). Bytes are folded with
// |0x20, which maps A-Z onto a-z (and merges some other pairs too, harmlessly: a collision only
// costs a needless DFA visit, never a missed match).
type gramFilter struct {
	mayStart [1 << gramHashBits]uint8
	// teddy, when set, skips the blocks of sixteen positions where no pattern can start before
	// the hash is consulted; nil without SIMD or with too many patterns.
	teddy *teddyMasks
	// pairs is set when some pattern has two bytes, which may start at a text's last position
	// but one; without them no hash is needed there.
	pairs bool
}

const (
	// 16 KiB: a few hundred grams leave it ~2% full, and it stays in L1 next to the DFA rows.
	// 32 and 64 KiB cut few false candidates and measured slower.
	gramHashBits = 14
	// gramMultiplier has its low byte zero, so a product only depends on the low 24 bits of the
	// operand: the hash of a 32-bit load ignores the fourth byte without a mask.
	gramMultiplier = 0x9E3779B1 << 8 & 0xFFFFFFFF
	foldBytes      = 0x2020202020202020
)

// gramHash hashes the low three bytes of gram, which must already be folded with |0x20.
func gramHash(gram uint32) uint32 {
	return (gram * gramMultiplier) >> (32 - gramHashBits)
}

// newGramFilter returns nil when a pattern has a single byte: every occurrence of that byte would
// be a candidate, and the plain start-state skip loop is then just as good.
func newGramFilter(patterns []string) *gramFilter {
	f := &gramFilter{}
	for _, p := range patterns {
		switch {
		case len(p) == 1:
			return nil
		case len(p) == 2:
			f.pairs = true
			// Any third byte may follow a two-byte pattern.
			for third := 0; third < 256; third++ {
				f.add(uint32(p[0]) | uint32(p[1])<<8 | uint32(third)<<16)
			}
		case len(p) >= 3:
			f.add(uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16)
		}
	}
	f.teddy = newTeddyMasks(patterns)
	return f
}

func (f *gramFilter) add(gram uint32) {
	h := gramHash(gram | foldBytes&0xFFFFFF)
	f.mayStart[h] = 1
}

// maybe returns 1 when a pattern may start with the three (folded) low bytes of gram, else 0.
func (f *gramFilter) maybe(gram uint32) uint64 {
	h := gramHash(gram)
	return uint64(f.mayStart[h])
}

// next returns the first position >= i where a pattern may start, or len(text). It tests six
// positions per 8-byte load with a single branch; the last three positions of text are decided
// by startBytes alone (conservative).

func (f *gramFilter) next(text []byte, i int, startBytes *[256]bool) int {
	if f.teddy != nil {
		return f.teddyNext(text, i)
	}
	for ; i+8 <= len(text); i += 6 {
		w := binary.LittleEndian.Uint64(text[i:i+8]) | foldBytes
		if f.maybe(uint32(w))|f.maybe(uint32(w>>8))|f.maybe(uint32(w>>16))|
			f.maybe(uint32(w>>24))|f.maybe(uint32(w>>32))|f.maybe(uint32(w>>40)) != 0 {
			break // the one-position loop below finds which of the six
		}
	}
	for ; i+4 <= len(text); i++ {
		if f.maybe(binary.LittleEndian.Uint32(text[i:])|foldBytes&0xFFFFFFFF) != 0 {
			return i
		}
	}
	return nextStartByte(text, i, startBytes)
}

// nextStartByte returns the first position >= i holding a byte that leaves the start state, or
// len(text).
func nextStartByte(text []byte, i int, startBytes *[256]bool) int {
	for ; i < len(text); i++ {
		if startBytes[text[i]] {
			return i
		}
	}
	return len(text)
}
