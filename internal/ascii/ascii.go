// Package ascii folds the case of ASCII letters and of nothing else. keikai matches text
// case-insensitively the way Sigma does for ASCII, and compares bytes >= 0x80 exactly, so that
// invalid UTF-8 or Shift_JIS in a log line has one well-defined meaning. The comparisons take a
// needle that is already lower case (rules and parsers lower their literals once, when they are
// built) and do not allocate: they run on every log line.
package ascii

import (
	"encoding/binary"
	"math/bits"
)

// Lower returns the lower-case form of an ASCII letter and every other byte unchanged.
func Lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// ToLower returns s with its ASCII letters in lower case; s itself when it has none in upper case.
func ToLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			LowerInPlace(b[i:])
			return string(b)
		}
	}
	return s
}

// LowerInPlace turns the ASCII letters of b to lower case.
func LowerInPlace(b []byte) {
	for i, c := range b {
		b[i] = Lower(c)
	}
}

// LowerWord is Lower on each of the eight bytes of x. A byte's high bit is set below when it is in
// 'A'..'Z': its low seven bits plus 0x80-'A' reach bit 7 from 'A' on, plus 0x80-'Z'-1 past 'Z',
// and neither sum carries into the next byte; bytes >= 0x80 are left out.
func LowerWord(x uint64) uint64 {
	low := x &^ highs
	upper := (low + (0x80-'A')*ones) &^ (low + (0x80-'Z'-1)*ones) &^ x & highs
	return x | upper>>2 // 0x80>>2 is the case bit, 0x20
}

// EqualFold reports whether b equals lower, ignoring the case of ASCII letters in b; lower must
// be lower case.
func EqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if Lower(b[i]) != lower[i] {
			return false
		}
	}
	return true
}

// HasPrefixFold reports whether b begins with lower, ignoring ASCII case in b.
func HasPrefixFold(b []byte, lower string) bool {
	return len(b) >= len(lower) && EqualFold(b[:len(lower)], lower)
}

// HasSuffixFold reports whether b ends with lower, ignoring ASCII case in b.
func HasSuffixFold(b []byte, lower string) bool {
	return len(b) >= len(lower) && EqualFold(b[len(b)-len(lower):], lower)
}

// IndexFold returns the first position of lower in b, ignoring ASCII case in b, or -1.
func IndexFold(b []byte, lower string) int {
	n := len(lower)
	if n == 0 {
		return 0
	}
	last := len(b) - n // the last position lower may start at
	// Candidates are the bytes that equal lower[0] once 0x20 is set: both cases of a letter
	// (and for other bytes a few more, which the comparison turns down). They are found eight
	// bytes at a time: a byte equal to the target is zero after the XOR, and (x - ones) &^ x
	// & highs flags every zero byte (and perhaps a byte above one, also turned down).
	target := uint64(lower[0]|0x20) * ones
	i := 0
	for ; i+8 <= len(b) && i <= last; i += 8 {
		x := (binary.LittleEndian.Uint64(b[i:]) | 0x20*ones) ^ target
		for m := (x - ones) &^ x & highs; m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			if j > last {
				return -1
			}
			if EqualFold(b[j:j+n], lower) {
				return j
			}
		}
	}
	for ; i <= last; i++ {
		if b[i]|0x20 == lower[0]|0x20 && EqualFold(b[i:i+n], lower) {
			return i
		}
	}
	return -1
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)
