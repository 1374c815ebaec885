package ahocorasick

import "golang.org/x/sys/cpu"

// haveTeddy: the pass needs SSSE3's PSHUFB, which every x86-64 CPU of the last fifteen years has.
var haveTeddy = cpu.X86.HasSSSE3

// teddySSSE3 returns the first position p >= i, among those whose sixteen-byte blocks (plus two
// bytes) fit in text, where the masks say a pattern may start and so does the gram filter's
// table grams, and true; or, when there is none, the first position it did not look at, and false.
//
//go:noescape
func teddySSSE3(t *teddyMasks, grams *[1 << gramHashBits]uint8, text []byte, i int) (int, bool)

func teddyNext(f *gramFilter, text []byte, i int) (int, bool) {
	return teddySSSE3(f.teddy, &f.mayStart, text, i)
}
