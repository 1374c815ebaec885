package logs

import (
	"encoding/binary"
	"math/bits"
)

// ipv4Lead returns the length n of the dotted quad that b starts with: ok when b[:n] passes
// isIPv4 and b[n], if b goes on, is neither a digit nor a dot. It finds the end and checks the
// address in one pass, where a search for the end and then isIPv4 would read the bytes twice.
// It reads the first sixteen bytes (the last eight of them overlapping the first when b is
// shorter) as two words, one bit per byte for digits and one for dots. ok is false, the caller
// then taking its byte-by-byte path, when b is shorter than eight bytes or its first sixteen are
// all digits and dots; and for every b that does not start with such an address.
func ipv4Lead(b []byte) (n int, ok bool) {
	if len(b) < 8 {
		return 0, false
	}
	shift := min(len(b), 16) - 8 // where the second word starts
	lo, hi := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[shift:])
	digit := gatherHighBits(digitBytes(lo)) | gatherHighBits(digitBytes(hi))<<shift
	dot := gatherHighBits(dotBytes(lo)) | gatherHighBits(dotBytes(hi))<<shift
	n = bits.TrailingZeros64(^(digit | dot)) // the first byte that is neither, or the end of b
	if n >= 16 {
		return 0, false // (an address has at most fifteen bytes; n is 16 only when b goes on)
	}
	in := uint64(1)<<(n&63) - 1 // (&63: n < 16; spares the shift its test for 64 and more)
	dot, digit = dot&in, digit&in
	// dot less its two lowest bits is a power of two when dot holds three.
	one := dot & (dot - 1)
	two := one & (one - 1)
	ok = two != 0 && two&(two-1) == 0 && // three dots
		dot&(1|1<<((n-1)&63)|dot>>1) == 0 && // none first, last or after another
		digit&(digit>>1)&(digit>>2)&(digit>>3) == 0 // no four digits in a row
	return n, ok
}

// indexAny3 returns the index of the first byte of b that is c1, c2 or c3, or len(b). It tests
// eight bytes at a time, for words (interface names) of a few to twenty bytes, as nextSpace does:
// (y - ones) &^ y & highs flags the first zero byte of y exactly (bytes above it may be flagged
// too), so the lowest flag of the three tests is the first byte that is one of the three.
func indexAny3(b []byte, c1, c2, c3 byte) int {
	m1, m2, m3 := uint64(c1)*ones, uint64(c2)*ones, uint64(c3)*ones
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		y1, y2, y3 := x^m1, x^m2, x^m3
		if t := ((y1-ones)&^y1 | (y2-ones)&^y2 | (y3-ones)&^y3) & highs; t != 0 {
			return i + bits.TrailingZeros64(t)>>3
		}
	}
	for ; i < len(b) && b[i] != c1 && b[i] != c2 && b[i] != c3; i++ {
	}
	return i
}
