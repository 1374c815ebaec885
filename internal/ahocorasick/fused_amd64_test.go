//go:build !purego

package ahocorasick

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// fusedMatcher builds a matcher of the patterns of two bytes and more, which the fused loop
// serves; nil when it does not (no AVX2, or too many leading grams for the masks).
func fusedMatcher(patterns []string) *dfa {
	var long []string
	for _, p := range patterns {
		if len(p) >= 2 {
			long = append(long, p)
		}
	}
	if len(long) == 0 {
		return nil
	}
	m := New(long)
	if m.dense == nil || m.dense.fused == nil {
		return nil
	}
	return m.dense
}

// checkFusedAt places text so that it ends around a page boundary, with garbage after it, and
// compares scanFused with scanFiltered, its reference, both for the ids and for the yes/no form.
func checkFusedAt(t *testing.T, d *dfa, text []byte, page []byte) {
	t.Helper()
	for _, end := range []int{4096 - 1, 4096, 4096 + 1, 4096 + 15, 4096 + 31, 4096 + 32, 4096 + 33, 4096 + 100} {
		start := end - len(text)
		if start < 0 {
			continue
		}
		for k := range page {
			page[k] = 0xAA
		}
		s := page[start : start+len(text) : start+len(text)]
		copy(s, text)
		got, want := NewHitsFor(len(d.ids)), NewHitsFor(len(d.ids))
		foundGot, foundWant := d.scanFused(s, got), d.scanFiltered(s, want)
		if foundGot != foundWant || !slices.Equal(hitIDs(got), hitIDs(want)) {
			t.Fatalf("text %q at page offset %d: ids %v (found %v), want %v (found %v)", s, start, hitIDs(got), foundGot, hitIDs(want), foundWant)
		}
		if d.scanFused(s, nil) != foundWant {
			t.Fatalf("text %q at page offset %d: yes/no form %v, want %v", s, start, !foundWant, foundWant)
		}
	}
}

func TestFusedAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	page := pageBuffer()
	for round := range 3000 {
		alphabet, patterns := randomFilterCase(rng, round)
		d := fusedMatcher(patterns)
		if d == nil {
			t.Skip("no fused loop")
		}
		checkFusedAt(t, d, randomBytes(rng, alphabet, rng.IntN(120)), page)
	}
}

// FuzzFusedSameAsReference holds the fused assembly loop to scanFiltered, the Go loop over the
// filter's separate passes, with texts ending around a page boundary.
func FuzzFusedSameAsReference(f *testing.F) {
	f.Add([]byte("\x03phf\x07cmd.exe\x02%n"), []byte("GET /CGI-BIN/PHF?x HTTP/1.0 from 192.0.2.1 and some padding %N"))
	f.Add([]byte("\x02ab"), []byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAB"))
	f.Add([]byte("\x02ab\x03abc"), []byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAB"))
	f.Add([]byte("\x04aaaa\x02aa"), []byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
	page := pageBuffer()
	f.Fuzz(func(t *testing.T, spec []byte, text []byte) {
		d := fusedMatcher(decodePatterns(spec))
		if d == nil || len(text) > 1000 {
			return
		}
		checkFusedAt(t, d, text, page)
	})
}
