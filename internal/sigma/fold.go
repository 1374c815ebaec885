package sigma

import "bytes"

// ASCII case folding without allocation. Sigma matches case-insensitively by default; keikai folds
// ASCII letters only and compares bytes >= 0x80 exactly, so that invalid UTF-8 in a log line has
// one well-defined meaning.

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

// equalFold reports whether v equals needle, which is already lower case.
func equalFold(v []byte, needle string) bool {
	if len(v) != len(needle) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if lower(v[i]) != needle[i] {
			return false
		}
	}
	return true
}

func equalExact(v []byte, needle string) bool { return string(v) == needle }

func hasPrefix(v []byte, needle string, fold bool) bool {
	if len(v) < len(needle) {
		return false
	}
	if fold {
		return equalFold(v[:len(needle)], needle)
	}
	return equalExact(v[:len(needle)], needle)
}

func hasSuffix(v []byte, needle string, fold bool) bool {
	if len(v) < len(needle) {
		return false
	}
	if fold {
		return equalFold(v[len(v)-len(needle):], needle)
	}
	return equalExact(v[len(v)-len(needle):], needle)
}

// index returns the first position of needle in v, or -1; needleBytes is needle as bytes, kept by
// the matcher so that the exact search does not convert on every call.
func index(v []byte, needle string, needleBytes []byte, fold bool) int {
	if fold {
		return indexFold(v, needle)
	}
	return bytes.Index(v, needleBytes)
}

// indexFold finds the lower-case needle in v, ignoring ASCII case.
func indexFold(v []byte, needle string) int {
	n := len(needle)
	if n == 0 {
		return 0
	}
	first := needle[0]
	upper := first
	if first >= 'a' && first <= 'z' {
		upper = first - 'a' + 'A'
	}
	last := len(v) - n
	for i := 0; i <= last; i++ {
		if c := v[i]; c != first && c != upper {
			continue
		}
		if equalFold(v[i:i+n], needle) {
			return i
		}
	}
	return -1
}
