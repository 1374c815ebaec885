package ahocorasick

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTeddyAgainstReference runs pattern sets of two bytes and more, which the SIMD pass serves,
// over texts long enough for several of its blocks and the padded tail, and compares with the
// reference; the masks' scalar form must also accept every position where a pattern starts.
// Where the CPU has AVX2, the SSSE3 pass is tested too.
func TestTeddyAgainstReference(t *testing.T) {
	forEachPass(t, testTeddyAgainstReference)
}

// forEachPass runs test with each SIMD pass the CPU has.
func forEachPass(t *testing.T, test func(t *testing.T)) {
	t.Helper()
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	for _, avx2 := range []bool{false, true} {
		if avx2 && !saved {
			continue
		}
		useAVX2 = avx2
		test(t)
	}
}

func testTeddyAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 3000 {
		alphabet, patterns := randomFilterCase(rng, round)
		text := randomBytes(rng, alphabet, rng.IntN(200))
		m := New(patterns)
		if haveTeddy && m.dense.filter.teddy == nil {
			t.Fatalf("patterns %q: no SIMD masks", patterns)
		}
		want := referenceScan(patterns, text)
		got, found, consistent := scanIDs(m, text)
		if !slices.Equal(got, want) || found != (len(want) > 0) || !consistent {
			t.Fatalf("patterns %q text %q: ids = %v (found %v), want %v", patterns, text, got, found, want)
		}
		masks := newTeddyMasksFor(patterns)
		for i := 0; i+2 < len(text); i++ {
			for _, p := range patterns {
				if len(text)-i >= len(p) && equalFold(text[i:i+len(p)], p) && !masks.mayStart(text[i], text[i+1], text[i+2]) {
					t.Fatalf("masks reject %q at %d of %q", p, i, text)
				}
			}
		}
	}
}

func equalFold(b []byte, s string) bool {
	for i := range b {
		if foldByte(b[i]) != foldByte(s[i]) {
			return false
		}
	}
	return true
}

func foldByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// FuzzTeddy is FuzzMatcher for sets the SIMD pass serves, with long texts.
func FuzzTeddy(f *testing.F) {
	f.Add([]byte("\x03phf\x07cmd.exe\x02%n"), []byte("GET /CGI-BIN/PHF?x HTTP/1.0 from 192.0.2.1 and some padding %N"))
	f.Add([]byte("\x02ab"), []byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAB"))
	f.Fuzz(func(t *testing.T, spec []byte, text []byte) {
		var patterns []string
		for _, p := range decodePatterns(spec) {
			if len(p) >= 2 {
				patterns = append(patterns, p)
			}
		}
		if len(patterns) == 0 {
			return
		}
		want := referenceScan(patterns, text)
		m := New(patterns)
		forEachPass(t, func(t *testing.T) {
			got, found, consistent := scanIDs(m, text)
			if !slices.Equal(got, want) || found != (len(want) > 0) || !consistent {
				t.Fatalf("avx2 %v, patterns %q text %q: ids = %v (found %v), want %v", useAVX2, patterns, text, got, found, want)
			}
		})
	})
}

// randomFilterCase gives a round of the filters' random tests its alphabet, a few bytes with case
// and high bits on odd rounds and a wider one on even rounds, and up to 40 patterns of 2 to 7 bytes.
func randomFilterCase(rng *rand.Rand, round int) (alphabet []byte, patterns []string) {
	alphabet = []byte("aAbB\x80\xc1\xe1 ")
	if round%2 == 0 {
		alphabet = []byte("abcdefghijklmnopqrstuvwxyzABCXYZ/.%-@`[{ \x00")
	}
	patterns = make([]string, 1+rng.IntN(40))
	for i := range patterns {
		patterns[i] = string(randomBytes(rng, alphabet, 2+rng.IntN(6)))
	}
	return alphabet, patterns
}
