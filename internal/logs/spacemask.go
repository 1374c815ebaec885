package logs

import (
	"encoding/binary"
	"math/bits"
)

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

// spaceIndex holds where the spaces of a line are (its first spaceWindow bytes at least), so that
// its words and the phrases that start with a space are found by stepping from space to space
// instead of searching the bytes again for each one.
type spaceIndex struct {
	b []byte
	m [spaceWindow / 64]uint64 // spaceMask, and the end of a line shorter than the window
}

func (s *spaceIndex) init(b []byte) {
	s.b = b
	spaceMask(b, 0, &s.m)
	if n := len(b); n < spaceWindow {
		s.m[n>>6] |= 1 << (n & 63)
	}
}

// next returns the first space at or after i, or len(b) when there is none.
func (s *spaceIndex) next(i int) int {
	if m := s.m[uint(i)>>6&7] >> (uint(i) & 63); m != 0 && uint(i) < spaceWindow {
		return i + bits.TrailingZeros64(m)
	}
	return s.nextFar(i)
}

// nextFar is next past the 64 bytes that hold i.
func (s *spaceIndex) nextFar(i int) int {
	for k := i>>6 + 1; k < len(s.m); k++ {
		if m := s.m[k]; m != 0 {
			return min(k<<6+bits.TrailingZeros64(m), len(s.b))
		}
	}
	if len(s.b) <= spaceWindow {
		return len(s.b)
	}
	return nextSpace(s.b, max(i, spaceWindow))
}

// word returns the word that starts at i, as token(b[i:]) does.
func (s *spaceIndex) word(i int) []byte { return s.b[i:s.next(i)] }

// index is index(b[from:end], phrase) + from for a phrase of four bytes or more that starts with
// a space, or -1. Each space is tested by the phrase's first four bytes as one number.
func (s *spaceIndex) index(from, end int, phrase string) int {
	last := end - len(phrase) // the last place the phrase may start
	key := uint32(phrase[0]) | uint32(phrase[1])<<8 | uint32(phrase[2])<<16 | uint32(phrase[3])<<24
	for k := from >> 6; k < len(s.m) && k<<6 <= last; k++ {
		m := s.m[k]
		if k == from>>6 {
			m &= ^uint64(0) << (from & 63)
		}
		for ; m != 0; m &= m - 1 {
			p := k<<6 + bits.TrailingZeros64(m)
			if p > last {
				return -1
			}
			if binary.LittleEndian.Uint32(s.b[p:]) == key && string(s.b[p+4:p+len(phrase)]) == phrase[4:] {
				return p
			}
		}
	}
	if last < spaceWindow {
		return -1
	}
	// Past the window, which then ends before the line.
	for p := s.next(max(from, spaceWindow)); p <= last; p = s.next(p + 1) {
		if string(s.b[p:p+len(phrase)]) == phrase {
			return p
		}
	}
	return -1
}
