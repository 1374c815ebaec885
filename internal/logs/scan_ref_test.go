package logs

import "testing"

// isIPv6Reference is isIPv6 before it tested hex letters by folding their case.
func isIPv6Reference(b []byte) bool {
	if len(b) < 2 || len(b) > 64 {
		return false
	}
	colons := 0
	for i, c := range b {
		switch {
		case c == ':':
			colons++
		case isHex(c), c == '.':
		case c == '%' && i > 0:
			return colons >= 2
		default:
			return false
		}
	}
	return colons >= 2
}

// FuzzIsIPv6SameAsReference holds isIPv6 to isIPv6Reference.
func FuzzIsIPv6SameAsReference(f *testing.F) {
	for _, s := range []string{"2001:db8::1", "::ffff:198.51.100.4", "fe80::1%eth0", "%::", "::", "a:b", "ABCDEF::abcdef", "g::1", "1:/:2",
		"::\xc1", "::\xe6", "1::2::3", "::@", "::`", "::G"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := isIPv6(b), isIPv6Reference(b); got != want {
			t.Fatalf("isIPv6(%q) = %v, want %v", b, got, want)
		}
	})
}
