package logs

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// spaceMaskReference is spaceMask byte by byte.
func spaceMaskReference(b []byte, from int) (m [spaceWindow / 64]uint64) {
	for j := 0; j < spaceWindow && from+j < len(b); j++ {
		if b[from+j] == ' ' {
			m[j/64] |= 1 << (j % 64)
		}
	}
	return m
}

func checkSpaceMask(t *testing.T, b []byte, from int) {
	t.Helper()
	want := spaceMaskReference(b, from)
	var got, generic [spaceWindow / 64]uint64
	for i := range got {
		got[i], generic[i] = ^uint64(0), ^uint64(0) // every word is written
	}
	spaceMask(b, from, &got)
	spaceMaskGeneric(b, from, &generic)
	if got != want || generic != want {
		t.Fatalf("spaceMask(%q, %d) = %x, generic %x, want %x", b, from, got, generic, want)
	}
	for name, m := range spaceMaskForms(b, from) {
		if m != want {
			t.Fatalf("spaceMask %s(%q, %d) = %x, want %x", name, b, from, m, want)
		}
	}
}

func TestSpaceMask(t *testing.T) {
	long := bytes.Repeat([]byte("ab cdefg hi  jklmnop "), 60)
	for n := 0; n < len(long); n += 7 {
		for _, from := range []int{0, 1, 15, 16, 17, n / 2, n} {
			if from <= n {
				checkSpaceMask(t, long[:n], from)
			}
		}
	}
}

// FuzzSpaceMask holds spaceMask (SSE2 on amd64) and its portable form to a byte-by-byte test.
func FuzzSpaceMask(f *testing.F) {
	f.Add([]byte("IN=eth0 OUT= MAC=00:0c:29:19:44:6b:00:50:56:dd:ee:ff:08:00 SRC=198.18.58.64 DST=192.0.2.109"), 3)
	f.Add(bytes.Repeat([]byte(" x"), 300), 17)
	f.Add([]byte("      "), 2)
	f.Fuzz(func(t *testing.T, b []byte, from int) {
		if from < 0 || from > len(b) {
			return
		}
		checkSpaceMask(t, b, from)
	})
}

// FuzzIsIPv4 holds the word-at-a-time isIPv4 to the byte-by-byte form, and digitBytes and
// dotBytes to tests of each byte.
func FuzzIsIPv4(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "198.51.100.200", "255.255.255.255", "1.2.3.4.5", "1..2.3", ".1.2.3.4",
		"1.2.3.4.", "1234.1.1.1", "1.2.3.4/", "01.02.03.04", "1.2.3:4", "\xb1.2.3.4", "1.2.3.4444"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := isIPv4(b), isIPv4Bytes(b); got != want {
			t.Fatalf("isIPv4(%q) = %v, byte by byte %v", b, got, want)
		}
		if len(b) >= 8 {
			x := binary.LittleEndian.Uint64(b)
			var digit, dot uint64
			for i := 0; i < 8; i++ {
				if isDigit(b[i]) {
					digit |= 0x80 << (8 * i)
				}
				if b[i] == '.' {
					dot |= 0x80 << (8 * i)
				}
			}
			if digitBytes(x) != digit || dotBytes(x) != dot {
				t.Fatalf("%q: digitBytes %#x, want %#x; dotBytes %#x, want %#x", b[:8], digitBytes(x), digit, dotBytes(x), dot)
			}
		}
	})
}

// FuzzSpaceIndex holds spaceIndex to token and bytes.Index.
func FuzzSpaceIndex(f *testing.F) {
	f.Add([]byte("Deny tcp src outside:198.51.100.4/3345 dst inside:192.0.2.8/80 by access-group"), 3, 40)
	f.Add(append(bytes.Repeat([]byte("x"), 600), " src a dst b"...), 500, 610)
	f.Add([]byte(" src "), 0, 5)
	f.Fuzz(func(t *testing.T, b []byte, from, end int) {
		if from < 0 || from > len(b) || end < from || end > len(b) {
			return
		}
		var s spaceIndex
		s.init(b)
		if want, _ := token(b[from:]); !bytes.Equal(s.word(from), want) {
			t.Fatalf("%q: word(%d) = %q, token %q", b, from, s.word(from), want)
		}
		for _, phrase := range []string{" src ", " to ", "    ", " est-allowed "} {
			want := bytes.Index(b[from:end], []byte(phrase))
			if want >= 0 {
				want += from
			}
			if got := s.index(from, end, phrase); got != want {
				t.Fatalf("%q: index(%d, %d, %q) = %d, want %d", b, from, end, phrase, got, want)
			}
		}
	})
}
