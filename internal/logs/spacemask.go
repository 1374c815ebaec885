package logs

import "encoding/binary"

// spaceWindow is how many bytes one spaceMask call looks at: the netfilter lines it serves are
// 150 to 300 bytes, so one call nearly always covers the whole line.
const spaceWindow = 512

// spaceMaskGeneric is spaceMask for any length and platform (see spaceMask): eight bytes at a
// time, each space marked in its byte's high bit by spaceBytes and the eight marks gathered into
// eight bits by one multiplication.
func spaceMaskGeneric(b []byte, from int, m *[spaceWindow / 64]uint64) {
	*m = [spaceWindow / 64]uint64{}
	n := min(len(b)-from, spaceWindow)
	b = b[from : from+n]
	j := 0
	for ; j+8 <= n; j += 8 {
		m[j>>6&7] |= gatherHighBits(spaceBytes(binary.LittleEndian.Uint64(b[j:]))) << (j & 63)
	}
	for ; j < n; j++ {
		if b[j] == ' ' {
			m[j>>6&7] |= 1 << (j & 63)
		}
	}
}

// gatherHighBits returns the high bits of t's eight bytes as bits 0 to 7 (the first byte's in bit
// 0), for a t with no other bit set. The product puts the high bit of byte k at bit 56+k, and no
// two of its terms share a bit, so no carry disturbs them.
func gatherHighBits(t uint64) uint64 {
	return t * 0x0002040810204081 >> 56
}
