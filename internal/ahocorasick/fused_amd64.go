//go:build !purego

package ahocorasick

// fusedTables is what scanFused's assembly reads: the SIMD masks and gram hash of the filter and
// the automaton's table, in one place. Field offsets reach the assembly through go_asm.h.
type fusedTables struct {
	masks      *teddyMasks
	grams      *[1 << gramHashBits]uint8
	trans      *uint32
	ofByte     *[256]uint8
	start      uint32
	shallowMin uint32
	outputMin  uint32
	pairs      bool
}

// useFused runs the filter and the automaton in one assembly loop on CPUs with AVX2; a variable
// so that tests reach the Go loop over the separate passes, its reference, too.
var useFused = useAVX2

// newFusedTables returns nil when the fused loop cannot serve d: no SIMD masks.
func newFusedTables(d *dfa) *fusedTables {
	if d.filter == nil || d.filter.teddy == nil || !useAVX2 {
		return nil
	}
	return &fusedTables{
		masks:      d.filter.teddy,
		grams:      &d.filter.mayStart,
		trans:      &d.trans[0],
		ofByte:     &d.classes.ofByte,
		start:      d.start,
		shallowMin: d.shallowMin,
		outputMin:  d.outputMin,
		pairs:      d.filter.pairs,
	}
}

// fusedStep runs the filter and the automaton over text from position i in state s (the start
// state: filter mode; any other: inside a candidate) until the automaton enters an output state,
// and returns the position after that byte and the state; or, when text ends first, len(text)
// and the start state. The filter's answers are the AVX2 pass's, padded copy and pairs included.
//
//go:noescape
func fusedStep(t *fusedTables, text []byte, i int, s uint32) (int, uint32)

// scanFused is scanFiltered by fusedStep: control comes back to Go only to report an output.
func (d *dfa) scanFused(text []byte, hits *Hits) bool {
	found := false
	i, s := 0, d.start
	for {
		i, s = fusedStep(d.fused, text, i, s)
		if s < d.outputMin {
			return found
		}
		found = true
		if hits == nil {
			return true
		}
		d.report(s, hits)
	}
}
