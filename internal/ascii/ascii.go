// Package ascii folds the case of ASCII letters and of nothing else. keikai matches text
// case-insensitively the way Sigma does for ASCII, and compares bytes >= 0x80 exactly, so that
// invalid UTF-8 or Shift_JIS in a log line has one well-defined meaning. The comparisons take a
// needle that is already lower case (rules and parsers lower their literals once, when they are
// built) and do not allocate: they run on every log line.
package ascii

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
	// Most positions are rejected on their first byte, in either of its two cases.
	first := lower[0]
	upper := first
	if 'a' <= first && first <= 'z' {
		upper = first - ('a' - 'A')
	}
	for i := 0; i+n <= len(b); i++ {
		if c := b[i]; c != first && c != upper {
			continue
		}
		if EqualFold(b[i:i+n], lower) {
			return i
		}
	}
	return -1
}
