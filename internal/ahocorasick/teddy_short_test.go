//go:build amd64 && !purego

package ahocorasick

import (
	"math/rand/v2"
	"testing"
)

// shortFilter is the gram filter, with masks, of the patterns of at least two bytes; nil when
// there are none or the platform has no SIMD pass.
func shortFilter(patterns []string) *gramFilter {
	var long []string
	for _, p := range patterns {
		if len(p) >= 2 {
			long = append(long, p)
		}
	}
	if len(long) == 0 || !haveTeddy {
		return nil
	}
	m := New(long)
	if m.dense == nil || m.dense.filter == nil || m.dense.filter.teddy == nil {
		return nil
	}
	return m.dense.filter
}

// checkShortAt places text at each offset around a page boundary, which decides between the
// load in place and the copy, and compares teddyNextShort with the reference for every start.
func checkShortAt(t *testing.T, f *gramFilter, text []byte, page []byte) {
	t.Helper()
	for _, end := range []int{4096 - 1, 4096, 4096 + 1, 4096 + 15, 4096 + 16, 4096 + 17, 4096 + 40} {
		start := end - len(text)
		if start < 0 {
			continue
		}
		for k := range page {
			page[k] = 0xAA // garbage past the text, which must not count
		}
		s := page[start : start+len(text) : start+len(text)]
		copy(s, text)
		for i := 0; i <= len(s); i++ {
			if got, want := f.teddyNextShort(s, i), f.teddyNextShortRef(s, i); got != want {
				t.Fatalf("text %q at page offset %d, i %d: %d, want %d", s, start, i, got, want)
			}
			if n := len(s) - i; n < 2 || n > 32 || !useAVX2 {
				continue
			}
			if got, want := i+teddyShortAVX2(f.teddy, &f.mayStart, &s[i], len(s)-i), f.paddedNextRef(s, i); got != want {
				t.Fatalf("AVX2, text %q at page offset %d, i %d: %d, want %d", s, start, i, got, want)
			}
		}
	}
}

// pageBuffer is three pages, the second starting at offset 4096.
func pageBuffer() []byte {
	raw := make([]byte, 4*4096)
	off := 4096 - int(uintptrOf(raw)&4095)
	return raw[off : off+3*4096]
}

func TestTeddyShortAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	page := pageBuffer()
	for range 2000 {
		alphabet := []byte("abAB\x00\xaa\xe1 ")
		patterns := make([]string, 1+rng.IntN(10))
		for i := range patterns {
			patterns[i] = string(randomBytes(rng, alphabet, 2+rng.IntN(4)))
		}
		f := shortFilter(patterns)
		if f == nil {
			t.Skip("no SIMD pass")
		}
		checkShortAt(t, f, randomBytes(rng, alphabet, rng.IntN(40)), page)
	}
}

// FuzzTeddyShort holds teddyNextShort, which reads short texts in place, to the padded copy it
// replaced, and teddyShortAVX2 to the scalar form of the padded pass, at every start and at
// offsets around a page boundary.
func FuzzTeddyShort(f *testing.F) {
	f.Add([]byte("\x03phf\x02%n"), []byte("/cgi/PHF%N"))
	f.Add([]byte("\x02ab"), []byte("xxAB"))
	f.Add([]byte("\x02a\x00"), []byte("a"))
	page := pageBuffer()
	f.Fuzz(func(t *testing.T, spec []byte, text []byte) {
		filter := shortFilter(decodePatterns(spec))
		if filter == nil || len(text) > 40 {
			return
		}
		checkShortAt(t, filter, text, page)
	})
}
