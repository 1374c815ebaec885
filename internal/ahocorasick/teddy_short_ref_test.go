//go:build amd64 && !purego

package ahocorasick

import "unsafe"

// teddyNextShortRef is teddyNextShort as it was before teddyShort: always through a padded copy.
func (f *gramFilter) teddyNextShortRef(text []byte, i int) int {
	if i >= len(text)-1 {
		return len(text)
	}
	var buf [18]byte
	n := copy(buf[:], text[i:])
	if q, found := teddySSSE3(f.teddy, &f.mayStart, buf[:], 0); found && q < n-1 {
		return i + q
	}
	return len(text)
}

func uintptrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// paddedNextRef is what teddyShort and teddyShortAVX2 compute, in scalar form: the first
// position q >= i before the last byte where the masks and the gram hash accept the three bytes
// at q, the text being padded with zero bytes; len(text) when there is none.
func (f *gramFilter) paddedNextRef(text []byte, i int) int {
	buf := append(append([]byte(nil), text...), 0, 0)
	for q := i; q < len(text)-1; q++ {
		gram := uint32(buf[q]) | uint32(buf[q+1])<<8 | uint32(buf[q+2])<<16
		if f.teddy.mayStart(buf[q], buf[q+1], buf[q+2]) && f.maybe(gram|foldBytes&0xFFFFFF) != 0 {
			return q
		}
	}
	return len(text)
}
