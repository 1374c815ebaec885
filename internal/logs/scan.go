package logs

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Byte-scanning helpers for the hot path. They never allocate and never index out of range; each
// returns ok=false (or -1) instead of failing.

// trimCR drops one trailing carriage return (CRLF files read line by line).
func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// trimSpace drops leading and trailing spaces and tabs.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// token splits b at the first space: the word before it and the rest after it (rest has no
// leading space; more spaces are kept so that callers can see padding). Words are short (hosts,
// tags, numbers), so nextSpace finds the end sooner than bytes.IndexByte's call would. The min
// rather than a branch keeps token within the inliner's budget (cost 80 of 80: check with
// go build -gcflags=-m), so that it inlines into every parser.
func token(b []byte) (word, rest []byte) {
	i := nextSpace(b, 0)
	return b[:i], b[min(i+1, len(b)):]
}

// afterWord is what token leaves after a word of n bytes at the start of b.
func afterWord(b []byte, n int) []byte {
	if n < len(b) {
		return b[n+1:]
	}
	return b[len(b):]
}

// wordEnd returns the end of the word of b that starts at i: the next space, or len(b).
func wordEnd(b []byte, i int) int {
	for i < len(b) && b[i] != ' ' {
		i++
	}
	return i
}

// shortToken is token for short words (pf's block, in, on, fxp0:, >; ASA's Deny tcp), where a
// loop over the bytes costs less than token's eight at a time.
func shortToken(b []byte) (word, rest []byte) {
	i := 0
	for i < len(b) && b[i] != ' ' {
		i++
	}
	return b[:i], afterWord(b, i)
}

// skipSpaces drops leading spaces.
func skipSpaces(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// digits parses exactly n decimal digits at the start of b.
func digits(b []byte, n int) (int, bool) {
	if len(b) < n {
		return 0, false
	}
	v := 0
	for _, c := range b[:n] {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// leadingDigits returns the run of digits at the start of b.
func leadingDigits(b []byte) []byte {
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return b[:i]
}

// isIPv4 reports whether b is a dotted quad (values are not range-checked: logs are evidence, and
// a malformed address is still worth matching on): three dots between four runs of one to three
// digits. An address of eight bytes or more is read as two words of eight that overlap: each must
// hold digits and dots only, and the dots, one bit per byte, then decide the rest, every other
// byte being a digit.
func isIPv4(b []byte) bool {
	n := len(b)
	if n < 8 || n > 15 {
		return n == 7 && isIPv4Bytes(b)
	}
	lo, hi := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n-8:])
	dotLo, dotHi := dotBytes(lo), dotBytes(hi)
	if (digitBytes(lo)|dotLo)&(digitBytes(hi)|dotHi) != highs {
		return false // a byte that is neither
	}
	dot := gatherHighBits(dotLo) | gatherHighBits(dotHi)<<(n-8)
	digit := (1<<n - 1) &^ dot
	// dot less its two lowest bits is a power of two when dot holds three.
	one := dot & (dot - 1)
	two := one & (one - 1)
	return two != 0 && two&(two-1) == 0 && // three dots
		dot&(1|1<<(n-1)|dot>>1) == 0 && // none first, last or after another
		digit&(digit>>1)&(digit>>2)&(digit>>3) == 0 // no four digits in a row
}

// isIPv4Bytes is isIPv4 byte by byte.
func isIPv4Bytes(b []byte) bool {
	if len(b) < 7 || len(b) > 15 {
		return false
	}
	dots, run := 0, 0
	for _, c := range b {
		switch {
		case isDigit(c):
			run++
			if run > 3 {
				return false
			}
		case c == '.':
			if run == 0 {
				return false
			}
			dots++
			run = 0
		default:
			return false
		}
	}
	return dots == 3 && run > 0
}

// digitBytes returns x with the high bit set in exactly the bytes that are ASCII digits. Adding
// 0x50 to a byte's low seven bits sets its high bit when they are at least '0', adding 0x46 when
// they are past '9'; neither carries into the next byte.
func digitBytes(x uint64) uint64 {
	low := x &^ highs
	return (low + 0x50*ones) &^ (low + 0x46*ones) &^ x & highs
}

// dotBytes is spaceBytes for '.'.
func dotBytes(x uint64) uint64 {
	x ^= '.' * ones
	return ^((x&^highs + ^uint64(highs)) | x) & highs
}

// isIPv6 reports whether b looks like an IPv6 address: hex digits and colons with at least two
// colons, optionally ending in a dotted quad or carrying a %zone.
func isIPv6(b []byte) bool {
	if len(b) < 2 || len(b) > 64 {
		return false
	}
	colons := 0
	for i, c := range b {
		switch {
		case c == ':':
			colons++
		case c == '%' && i > 0:
			return colons >= 2
		case c&^0x20 >= 'A' && c&^0x20 <= 'F', c >= '.' && c <= '9' && c != '/':
			// A hex letter of either case, or '.' or a digit. It keeps isIPv6 within the
			// inliner's budget, where isHex did not.
		default:
			return false
		}
	}
	return colons >= 2
}

func isIP(b []byte) bool { return isIPv4(b) || isIPv6(b) }

// hasPrefix is bytes.HasPrefix for a string prefix without converting it.
func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

// index is bytes.Index for a string needle; the conversion does not allocate.
func index(b []byte, s string) int { return bytes.Index(b, []byte(s)) }

// indexVia is index(b, s) for a needle whose byte s[k] is rare in b until s itself: it finds
// the first s[k] with bytes.IndexByte and tries s there, falling back to a substring search.
// The first occurrence of s cannot start before the first s[k] minus k.
func indexVia(b []byte, s string, k int) int {
	i := bytes.IndexByte(b, s[k])
	if i < 0 {
		return -1
	}
	from := max(i-k, 0)
	if i >= k && hasPrefix(b[from:], s) {
		return from
	}
	if i >= k {
		from++
	}
	if j := index(b[from:], s); j >= 0 {
		return from + j
	}
	return -1
}

// valueAfter returns the text after key up to the next space (or end), and whether key occurred.
func valueAfter(b []byte, key string) ([]byte, bool) {
	i := index(b, key)
	if i < 0 {
		return nil, false
	}
	v := b[i+len(key):]
	if j := bytes.IndexByte(v, ' '); j >= 0 {
		v = v[:j]
	}
	return v, true
}

// angleValue strips one pair of surrounding angle brackets (mail addresses as logged).
func angleValue(b []byte) []byte {
	if len(b) > 0 && b[0] == '<' {
		b = b[1:]
		if n := len(b); n > 0 && b[n-1] == '>' {
			b = b[:n-1]
		}
	}
	return b
}

// head returns at most the first n bytes of b, to bound searches for markers that sit near the start.
func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// indexRare finds s in b when s starts with a byte that is rare in log text ('%', '='): it jumps
// between occurrences of that byte, which is cheaper than a general substring search.
func indexRare(b []byte, s string) int { return indexRareAt(b, s, 0) }

// indexRareAt is index(b, s) for a needle whose byte s[k] is rare in b: it tries s at each
// occurrence of that byte (less k), which costs less than bytes.Index when s[0] is common.
func indexRareAt(b []byte, s string, k int) int {
	if len(s) == 0 {
		return 0
	}
	c := s[k]
	for off := 0; len(b)-off >= len(s); {
		i := bytes.IndexByte(b[off+k:len(b)-len(s)+k+1], c)
		if i < 0 {
			return -1
		}
		at := off + i
		// The first byte first: a mismatch (most) then costs no call of the comparison.
		if b[at] == s[0] && string(b[at:at+len(s)]) == s {
			return at
		}
		off = at + 1
	}
	return -1
}

// Word-at-a-time constants: a byte equal to c becomes zero after XOR with c*ones, and
// (x - ones) &^ x & highs has the high bit set in the first zero byte of x (bytes above a zero
// may be flagged too, which the lowest-bit search ignores).
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// spaceBytes returns x (eight bytes, the first in the low byte) with the high bit set in exactly
// the bytes that are spaces and every other bit clear. Unlike the test of nextSpace it flags no
// byte above a space, so that every bit set is a space: adding 0x7f to each byte's low seven
// bits sets its high bit unless they are zero, and no carry crosses into the next byte.
func spaceBytes(x uint64) uint64 {
	x ^= ' ' * ones
	return ^((x&^highs + ^uint64(highs)) | x) & highs
}

// nextSpace returns the index of the first ' ' at or after i, or len(b). It tests eight bytes at a
// time: words (hosts, tags, addresses) are a few to forty bytes long, too short for
// bytes.IndexByte's call and setup to pay off and too long for a byte loop.
func nextSpace(b []byte, i int) int {
	// i < len(b)-7 rather than i+8 <= len(b): the compiler then proves the load in bounds (where
	// i is known not negative, as in token) and drops two checks from each round.
	for ; i < len(b)-7; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ (' ' * ones)
		if t := (x - ones) &^ x & highs; t != 0 {
			return i + bits.TrailingZeros64(t)>>3
		}
	}
	for ; i < len(b) && b[i] != ' '; i++ {
	}
	return i
}
