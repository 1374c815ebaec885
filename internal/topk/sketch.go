package topk

import "hash/maphash"

const (
	sketchDepth = 4
	sketchWidth = 1 << 15
)

// seed is shared by every sketch in the process so that the sketches of several goroutines can be
// merged cell by cell; it is fixed at start and never changes.
var seed = maphash.MakeSeed()

// sketch is a count-min sketch: each key increments one cell in each row, and the smallest of its
// cells bounds its count from above.
type sketch struct {
	cells [sketchDepth][sketchWidth]uint32
}

func newSketch() *sketch { return new(sketch) }

// hashBytes and hashString hash a key for the sketch; they agree on equal contents.
func hashBytes(key []byte) uint64  { return maphash.Bytes(seed, key) }
func hashString(key string) uint64 { return maphash.String(seed, key) }

// add counts n more occurrences of the key of hash h and returns the key's estimated count.
func (s *sketch) add(h uint64, n int64) int64 {
	// Two halves of one 64-bit hash give the rows their indexes (double hashing).
	h1, h2 := uint32(h), uint32(h>>32)|1
	est := int64(-1)
	for row := range s.cells {
		i := (h1 + uint32(row)*h2) % sketchWidth
		v := int64(s.cells[row][i]) + n
		if v > 1<<32-1 {
			v = 1<<32 - 1
		}
		s.cells[row][i] = uint32(v)
		if est < 0 || v < est {
			est = v
		}
	}
	return est
}

func (s *sketch) merge(o *sketch) {
	for row := range s.cells {
		for i := range s.cells[row] {
			v := uint64(s.cells[row][i]) + uint64(o.cells[row][i])
			s.cells[row][i] = uint32(min(v, 1<<32-1))
		}
	}
}
