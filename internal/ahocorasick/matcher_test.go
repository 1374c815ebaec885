package ahocorasick

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestScan(t *testing.T) {
	thousand := make([]string, 1000)
	for i := range thousand {
		thousand[i] = fmt.Sprintf("pat%03dx", i)
	}
	tests := []struct {
		name     string
		patterns []string
		text     string
		want     []int
	}{
		{"overlapping he she his hers", []string{"he", "she", "his", "hers"}, "ushers", []int{0, 1, 3}},
		{"overlapping all four", []string{"he", "she", "his", "hers"}, "ahishers", []int{0, 1, 2, 3}},
		{"case folding pattern upper", []string{"FAILED PASSWORD"}, "sshd: failed password for root", []int{0}},
		{"case folding text upper", []string{"cmd.exe"}, "GET /scripts/CMD.EXE?/c+dir", []int{0}},
		{"case folding mixed", []string{"ReLaYiNg DeNiEd"}, "550 rElAyInG dEnIeD", []int{0}},
		{"non-letters not folded", []string{"[x]"}, "{x}", nil},
		{"at sign not backquote", []string{"a@b"}, "a`b", nil},
		{"high bytes exact", []string{"\xc3\xa9t\xc3\xa9"}, "\xc3\xa9t\xc3\xa9", []int{0}},
		{"high bytes not folded", []string{"\xc3\xa9"}, "\xc3\x89", nil},
		{"high byte vs letter plus 0x20", []string{"\xe1"}, "\xc1", nil},
		{"prefixes of each other", []string{"attempt", "attempt to", "attempt to create"}, "an attempt to create", []int{0, 1, 2}},
		{"prefix only partly present", []string{"attempt", "attempt to create"}, "attempt to crash", []int{0}},
		{"suffixes of each other", []string{"/bin/sh", "bin/sh", "sh"}, "exec /bin/sh", []int{0, 1, 2}},
		{"suffix inside longer miss", []string{"xbinxsh", "sh"}, "xbinxs h", nil},
		{"empty text", []string{"phf"}, "", nil},
		{"empty pattern never matches", []string{""}, "anything", nil},
		{"empty pattern among others", []string{"", "phf", ""}, "GET /cgi-bin/phf", []int{1}},
		{"duplicates keep ids", []string{"phf", "PHF", "phf"}, "/cgi-bin/phf?Qalias", []int{0, 1, 2}},
		{"single pattern", []string{"test-cgi"}, "GET /cgi-bin/test-cgi HTTP/1.0", []int{0}},
		{"single pattern absent", []string{"test-cgi"}, "GET /index.html HTTP/1.0", nil},
		{"single byte pattern", []string{"%"}, "GET /%8x%8x", []int{0}},
		{"single byte pattern at end", []string{"x"}, "abx", []int{0}},
		{"two byte pattern at end", []string{"sh"}, "/bin/sh", []int{0}},
		{"three byte pattern at end", []string{"phf"}, "/phf", []int{0}},
		{"pattern equals text", []string{"default.ida"}, "DEFAULT.IDA", []int{0}},
		{"pattern longer than text", []string{"possible syn flooding"}, "possible", nil},
		{"nul and control bytes", []string{"\x00\x01"}, "a\x00\x01b", []int{0}},
		{"repeated letters", []string{"aaa", "aa"}, "aaaa", []int{0, 1}},
		{"restart after partial", []string{"abcab", "cabd"}, "abcabd", []int{0, 1}},
		{"no patterns", nil, "text", nil},
		{"1000 patterns some hit", thousand, "xx pat000x pat999x PAT500X pat1000x", []int{0, 500, 999}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(tt.patterns)
			if m.Len() != len(tt.patterns) {
				t.Errorf("Len() = %d, want %d", m.Len(), len(tt.patterns))
			}
			got, found, consistent := scanIDs(m, []byte(tt.text))
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
			if ref := referenceScan(tt.patterns, []byte(tt.text)); !slices.Equal(ref, tt.want) {
				t.Errorf("test case disagrees with reference %v", ref)
			}
			if found != (len(tt.want) > 0) {
				t.Errorf("Scan returned %v with ids %v", found, tt.want)
			}
			if !consistent {
				t.Errorf("Each yielded ids out of order or twice")
			}
			if any := m.Scan([]byte(tt.text), nil); any != (len(tt.want) > 0) {
				t.Errorf("Scan(nil hits) = %v", any)
			}
		})
	}
}

// TestThousandPatternsEachFound checks every id of a large set, not just a few.
func TestThousandPatternsEachFound(t *testing.T) {
	patterns := make([]string, 1000)
	for i := range patterns {
		patterns[i] = fmt.Sprintf("rule-%d-literal", i)
	}
	m := New(patterns)
	h := NewHits(m)
	for id, p := range patterns {
		h.Reset()
		text := []byte("prefix " + strings.ToUpper(p) + " suffix")
		m.Scan(text, h)
		var got []int
		h.Each(func(id int) { got = append(got, id) })
		if !slices.Equal(got, []int{id}) {
			t.Fatalf("pattern %d %q: ids = %v", id, p, got)
		}
	}
}

func TestHitsAccumulateAndReset(t *testing.T) {
	m := New([]string{"alpha", "beta", "gamma"})
	h := NewHits(m)
	m.Scan([]byte("gamma"), h)
	m.Scan([]byte("alpha"), h)
	if got := hitIDs(h); !slices.Equal(got, []int{0, 2}) {
		t.Fatalf("after two scans: ids = %v, want [0 2]", got)
	}
	h.Reset()
	if got := hitIDs(h); len(got) != 0 {
		t.Fatalf("Reset left ids %v", got)
	}
	m.Scan([]byte("beta"), h)
	if got := hitIDs(h); !slices.Equal(got, []int{1}) {
		t.Fatalf("scan after Reset: ids = %v, want [1]", got)
	}
}

func TestHitsOutOfRange(t *testing.T) {
	small := New([]string{"a"})
	big := New([]string{"x", "y", "a"})
	h := NewHits(small)
	if !big.Scan([]byte("a"), h) {
		t.Fatal("Scan with foreign Hits lost the result")
	}
	if got := hitIDs(h); len(got) != 0 {
		t.Fatalf("ids beyond the Hits' range were kept: %v", got)
	}
	var zero Hits
	if !small.Scan([]byte("a"), &zero) || len(hitIDs(&zero)) != 0 {
		t.Fatal("zero Hits should accept nothing and not panic")
	}
	var nilMatcher *Matcher
	if nilMatcher.Len() != 0 || nilMatcher.Scan([]byte("a"), NewHits(nilMatcher)) {
		t.Fatal("nil Matcher should be empty")
	}
}

// TestDenseAndCompactPaths forces tiny table limits so that pattern sets go to the compact
// automaton, and compares both with the reference.
func TestDenseAndCompactPaths(t *testing.T) {
	patterns := []string{"failed password", "invalid user", "phf", "x", "relay access denied", "ab", ""}
	texts := []string{
		"Failed password for invalid user admin",
		"RELAY ACCESS DENIED by x",
		"GET /phf", "ab", "", "nothing here",
	}
	for _, limit := range []int{1, 20, 60, 200, 1 << 20} {
		m := newWithLimit(patterns, limit)
		for _, text := range texts {
			got, _, _ := scanIDs(m, []byte(text))
			if want := referenceScan(patterns, []byte(text)); !slices.Equal(got, want) {
				t.Errorf("limit %d, text %q: ids = %v, want %v", limit, text, got, want)
			}
		}
	}
}

func TestRandomAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 3000; round++ {
		// Pairs that differ only in bit 0x20 and must stay distinct sit beside the letters that
		// must fold: 0xC1/0xE1 (Latin-1 Á/á), @/` and [/{.
		alphabet := []byte("aAbB\x80\xc1\xe1 ")
		if round%3 == 0 {
			alphabet = []byte("abcdefghijklmnopqrstuvwxyzABC/.%-@`[{")
		}
		patterns := make([]string, rng.IntN(12))
		for i := range patterns {
			patterns[i] = string(randomBytes(rng, alphabet, rng.IntN(6)))
		}
		text := randomBytes(rng, alphabet, rng.IntN(60))
		want := referenceScan(patterns, text)
		for _, limit := range []int{denseLimit, 0} { // dense, then compact
			m := newWithLimit(patterns, limit)
			got, found, consistent := scanIDs(m, text)
			if !slices.Equal(got, want) || found != (len(want) > 0) || !consistent {
				t.Fatalf("limit %d, patterns %q text %q: ids = %v (found %v), want %v", limit, patterns, text, got, found, want)
			}
		}
	}
}

func randomBytes(rng *rand.Rand, alphabet []byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

func TestScanDoesNotAllocate(t *testing.T) {
	m := New(benchPatterns)
	h := NewHits(m)
	lines := benchLines(true)
	allocs := testing.AllocsPerRun(100, func() {
		for _, line := range lines {
			h.Reset()
			m.Scan(line, h)
		}
		h.Each(func(int) {})
	})
	if allocs != 0 {
		t.Fatalf("Scan allocated %v times per run", allocs)
	}
}
