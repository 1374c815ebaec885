package ahocorasick

import (
	"slices"
	"testing"
)

// FuzzMatcher compares Scan with the reference on arbitrary pattern sets and texts. Patterns are
// decoded from spec as length-prefixed chunks; when narrow is set, every byte is squeezed into a
// seven-symbol alphabet (with both cases, and high bytes that differ only in bit 0x20) so that matches and near-matches are common.
func FuzzMatcher(f *testing.F) {
	f.Add([]byte("\x02he\x03she\x03his\x04hers"), []byte("ushers"), false)
	f.Add([]byte("\x03phf\x07cmd.exe\x00\x01x"), []byte("GET /CGI-BIN/PHF?x"), false)
	f.Add([]byte("\x03aaa\x02aa\x02Ab"), []byte("aAaAbB"), true)
	f.Add([]byte("\x02\xc3\xa9"), []byte("caf\xc3\xa9 CAF\xc3\x89"), false)
	f.Fuzz(func(t *testing.T, spec []byte, text []byte, narrow bool) {
		if narrow {
			spec, text = squeeze(spec, true), squeeze(text, false)
		}
		patterns := decodePatterns(spec)
		want := referenceScan(patterns, text)
		for _, limit := range []int{denseLimit, 0} { // the dense automaton, then the compact one
			m := newWithLimit(patterns, limit)
			got, found, consistent := scanIDs(m, text)
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d, patterns %q text %q: ids = %v, want %v", limit, patterns, text, got, want)
			}
			if found != (len(want) > 0) || m.Scan(text, nil) != found {
				t.Fatalf("limit %d, patterns %q text %q: found = %v, want %v", limit, patterns, text, found, len(want) > 0)
			}
			if !consistent {
				t.Fatal("Each yielded ids out of order or twice")
			}
		}
	})
}

func decodePatterns(spec []byte) []string {
	var patterns []string
	for len(spec) > 0 {
		n := min(int(spec[0]%16), len(spec)-1)
		patterns = append(patterns, string(spec[1:1+n]))
		spec = spec[1+n:]
	}
	return patterns
}

// squeeze maps bytes into a small alphabet; in a pattern spec the length bytes are kept.
func squeeze(b []byte, isSpec bool) []byte {
	const alphabet = "aAbB\x80\xc1\xe1"
	out := slices.Clone(b)
	for i := 0; i < len(out); i++ {
		if isSpec {
			n := int(out[i] % 16)
			for j := i + 1; j <= i+n && j < len(out); j++ {
				out[j] = alphabet[int(out[j])%len(alphabet)]
			}
			i += n
			continue
		}
		out[i] = alphabet[int(out[i])%len(alphabet)]
	}
	return out
}
