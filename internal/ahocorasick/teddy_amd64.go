//go:build !purego

package ahocorasick

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// haveTeddy: the pass needs SSSE3's PSHUFB, which every x86-64 CPU of the last fifteen years has.
var haveTeddy = cpu.X86.HasSSSE3

// useAVX2 runs the pass on 32 positions at a time where the CPU can; a variable so that tests
// reach the SSSE3 pass on such CPUs too.
var useAVX2 = cpu.X86.HasAVX2

// teddySSSE3 returns the first position p >= i where the masks say a pattern may start and so does
// the gram filter's table grams, and true; or, when there is none, the first position it did not
// look at, and false. It looks at every position up to len(text)-3 when text holds a block of
// sixteen positions (18 bytes), and at none otherwise.
//
//go:noescape
func teddySSSE3(t *teddyMasks, grams *[1 << gramHashBits]uint8, text []byte, i int) (int, bool)

// teddyAVX2 is teddySSSE3 with blocks of 32 positions (34 bytes).
//
//go:noescape
func teddyAVX2(t *teddyMasks, grams *[1 << gramHashBits]uint8, text []byte, i int) (int, bool)

// teddyNext is next by the SIMD masks, with the gram hash as a second test of their candidates.
func (f *gramFilter) teddyNext(text []byte, i int) int {
	var p int
	var found bool
	// The scan loop calls the AVX2 pass itself for long texts: the short ones come first.
	at := unsafe.Add(unsafe.Pointer(unsafe.SliceData(text)), i)
	switch n := len(text) - i; {
	case useAVX2 && n >= 2 && n <= 32 && uintptr(at)&4095 <= 4096-32:
		// The 32 bytes the pass reads are on text's page: one block instead of two, no copy.
		return i + teddyShortAVX2(f.teddy, &f.mayStart, (*byte)(at), n)
	case len(text) >= 34 && useAVX2:
		p, found = teddyAVX2(f.teddy, &f.mayStart, text, i)
	case len(text) >= 18:
		p, found = teddySSSE3(f.teddy, &f.mayStart, text, i)
	default:
		return f.teddyNextShort(text, i)
	}
	if found {
		return p
	}
	return f.afterPass(text, p)
}

// teddyPassAVX2 is the AVX2 pass alone, for a text of a block or more (34 bytes) on a CPU with
// AVX2: small enough to be inlined into the scan loop, which decides that once per text rather
// than at each of the pass's re-entries (two or three per syslog line). When it finds nothing,
// afterPass gives the answer teddyNext would.
func (f *gramFilter) teddyPassAVX2(text []byte, i int) (int, bool) {
	return teddyAVX2(f.teddy, &f.mayStart, text, i)
}

// afterPass is the position teddyNext returns when the pass, which looked at every position
// that has three bytes, found no candidate and stopped at p: the one before the last may still
// start a two-byte pattern, whose grams the hash holds with any third byte.
func (f *gramFilter) afterPass(text []byte, p int) int {
	if p == len(text)-2 && f.pairs && f.maybe(uint32(text[p])|uint32(text[p+1])<<8|foldBytes&0xFFFFFF) != 0 {
		return p
	}
	return len(text)
}

// teddyNextShort is teddyNext for a text shorter than a block (most fields of a log line): it goes
// through the pass as a copy padded with zero bytes. A pattern may start at any position of it but
// the last: the masks and the hash of a two-byte pattern accept any third byte, the padding
// included.
func (f *gramFilter) teddyNextShort(text []byte, i int) int {
	n := len(text) - i
	if n < 2 {
		return len(text) // every pattern has two bytes or more
	}
	if n <= 16 && uintptr(unsafe.Pointer(&text[i]))&4095 <= 4096-16 {
		// The 16 bytes the pass reads are on text's page: no copy needed.
		if q, found := teddyShort(f.teddy, &f.mayStart, &text[i], n); found {
			return i + q
		}
		return len(text)
	}
	var buf [18]byte
	copy(buf[:], text[i:])
	if q, found := teddySSSE3(f.teddy, &f.mayStart, buf[:], 0); found && q < n-1 {
		return i + q
	}
	return len(text)
}

// teddyShort is teddySSSE3 over the n bytes at text (2 <= n <= 16) padded with zero bytes, for
// positions before n-1 only. It reads the 16 bytes at text, which must be on one page: reading
// past the text's end is safe there, and the bytes past it are cleared before use.
//
//go:noescape
func teddyShort(t *teddyMasks, grams *[1 << gramHashBits]uint8, text *byte, n int) (int, bool)

// teddyShortAVX2 is teddyShort for 2 <= n <= 32, reading the 32 bytes at text, and returning n
// when no position passes.
//
//go:noescape
func teddyShortAVX2(t *teddyMasks, grams *[1 << gramHashBits]uint8, text *byte, n int) int
