package output

import (
	"math"
	"math/bits"

	"github.com/keikai-project/keikai/internal/topk"
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
// the same input comes out the same. The kind moves the hash so that an address and a path of the
// same text count as two sources.
func hashSource(kind uint8, s string) uint64 {
	return topk.Hash(s) ^ uint64(kind)<<56
}
