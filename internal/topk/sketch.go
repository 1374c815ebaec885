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

// Hash hashes a key for the sketch and the index, and for the text report's count of folded
// sources; a string and bytes of equal contents agree.
// The hash is the same in every process and on every run, so that a ranking that outgrew its
// counter still comes out the same for the same input, and sketches of several goroutines can be
// merged cell by cell. It takes eight bytes at a time: source addresses and paths are 7 to 40
// bytes.
func Hash[T string | []byte](key T) uint64 {
	h := 0x6b65696b6169 ^ uint64(len(key))*0x9E3779B97F4A7C15
	if n := len(key); n > 8 && n < 16 {
		// Most keys, IPv4 addresses among them: the first word, then the word that ends where
		// the key ends shifted down past the bytes the first took, without the loop's steps.
		w := uint64(key[0]) | uint64(key[1])<<8 | uint64(key[2])<<16 | uint64(key[3])<<24 |
			uint64(key[4])<<32 | uint64(key[5])<<40 | uint64(key[6])<<48 | uint64(key[7])<<56
		h = mix(h ^ w)
		w = (uint64(key[n-8]) | uint64(key[n-7])<<8 | uint64(key[n-6])<<16 | uint64(key[n-5])<<24 |
			uint64(key[n-4])<<32 | uint64(key[n-3])<<40 | uint64(key[n-2])<<48 | uint64(key[n-1])<<56) >> (8 * (16 - n))
		return mix(h ^ w)
	}
	whole := key
	for len(key) >= 8 {
		w := uint64(key[0]) | uint64(key[1])<<8 | uint64(key[2])<<16 | uint64(key[3])<<24 |
			uint64(key[4])<<32 | uint64(key[5])<<40 | uint64(key[6])<<48 | uint64(key[7])<<56
		h = mix(h ^ w)
		key = key[8:]
	}
	var w uint64
	if r := len(key); r > 0 && len(whole) >= 8 {
		// The last 1 to 7 bytes: the word that ends where the key ends, shifted down past the
		// bytes already taken, rather than byte by byte.
		n := len(whole)
		w = (uint64(whole[n-8]) | uint64(whole[n-7])<<8 | uint64(whole[n-6])<<16 | uint64(whole[n-5])<<24 |
			uint64(whole[n-4])<<32 | uint64(whole[n-3])<<40 | uint64(whole[n-2])<<48 | uint64(whole[n-1])<<56) >> (64 - 8*r)
		return mix(h ^ w)
	}
	i := 0
	if len(key) >= 4 { // an IPv4 address leaves 4 to 7 bytes: one load for the first four
		w, i = uint64(key[0])|uint64(key[1])<<8|uint64(key[2])<<16|uint64(key[3])<<24, 4
	}
	for ; i < len(key); i++ {
		w |= uint64(key[i]) << (8 * i)
	}
	return mix(h ^ w)
}

// mix is the finaliser of MurmurHash3: every input bit reaches every output bit.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

// add counts n more occurrences of the key of hash h and returns the key's estimated count.
func (s *sketch) add(h uint64, n int64) int64 {
	// Two halves of one 64-bit hash give the rows their indexes (double hashing). The rows are
	// written out: the loop's bookkeeping cost as much as the increments.
	h1, h2 := uint32(h), uint32(h>>32)|1
	est := s.bump(0, h1, n)
	est = min(est, s.bump(1, h1+h2, n))
	est = min(est, s.bump(2, h1+2*h2, n))
	return min(est, s.bump(3, h1+3*h2, n))
}

// bump adds n to the cell of row that i places, saturating, and returns the cell's count.
func (s *sketch) bump(row int, i uint32, n int64) int64 {
	c := &s.cells[row][i%sketchWidth]
	v := min(int64(*c)+n, 1<<32-1)
	*c = uint32(v)
	return v
}

func (s *sketch) merge(o *sketch) {
	for row := range s.cells {
		for i := range s.cells[row] {
			v := uint64(s.cells[row][i]) + uint64(o.cells[row][i])
			s.cells[row][i] = uint32(min(v, 1<<32-1))
		}
	}
}
