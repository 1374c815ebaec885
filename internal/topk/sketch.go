package topk

const (
	sketchDepth = 4
	sketchWidth = 1 << 15
)

// sketch is a count-min sketch: each key increments one cell in each row, and the smallest of its
// cells bounds its count from above.
type sketch struct {
	cells [sketchDepth][sketchWidth]uint32
}

func newSketch() *sketch { return new(sketch) }

// hashBytes and hashString hash a key for the sketch; they agree on equal contents. The hash is
// the same in every process and on every run (FNV-1a with a final mix), so that a ranking that
// outgrew its counter still comes out the same for the same input, and sketches of several
// goroutines can be merged cell by cell.
func hashBytes(key []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range key {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return mix(h)
}

func hashString(key string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(key); i++ {
		h = (h ^ uint64(key[i])) * 1099511628211
	}
	return mix(h)
}

// mix spreads FNV's low-entropy high bits over the whole word (the finaliser of MurmurHash3).
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

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
