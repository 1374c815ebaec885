package output

import (
	"math"
	"math/bits"
)

// The text report tracks a bounded number of finding groups per rule; for the sources beyond
// them it keeps a HyperLogLog, which says about how many distinct sources were folded in 4 KB.

// hllBits is the HyperLogLog's precision: 2^12 one-byte registers, a standard error near 1.6%.
const hllBits = 12

type distinctSketch struct {
	reg [1 << hllBits]uint8
}

func (d *distinctSketch) add(h uint64) {
	i := h >> (64 - hllBits)
	rank := uint8(bits.LeadingZeros64(h<<hllBits|1<<(hllBits-1)) + 1)
	if rank > d.reg[i] {
		d.reg[i] = rank
	}
}

// estimate is the number of distinct keys added, with the small-range correction (linear
// counting) that keeps it close for a few hundred keys.
func (d *distinctSketch) estimate() int64 {
	const m = 1 << hllBits
	sum, zeros := 0.0, 0
	for _, r := range d.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(float64(m)/float64(zeros))
	}
	return int64(math.Round(e))
}

// hashSource hashes a source for the sketch; it is the same on every run, so that a report of
// the same input comes out the same.
func hashSource(kind uint8, s string) uint64 {
	h := uint64(0x6b65696b6169) ^ uint64(len(s))*0x9E3779B97F4A7C15 ^ uint64(kind)<<56
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = mix64(h ^ w)
		s = s[8:]
	}
	var w uint64
	for i := 0; i < len(s); i++ {
		w |= uint64(s[i]) << (8 * i)
	}
	return mix64(h ^ w)
}

// mix64 is MurmurHash3's finaliser: every input bit reaches every output bit.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}
