//go:build amd64

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
