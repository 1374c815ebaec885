//go:build !purego

package logs

import "golang.org/x/sys/cpu"

// spaceMaskSSE2 is spaceMask for a b of at least 16 bytes, sixteen bytes at a time (SSE2 is part
// of every x86-64 CPU).
//
//go:noescape
func spaceMaskSSE2(b []byte, from int, m *[spaceWindow / 64]uint64)

// spaceMaskAVX2 is spaceMask for a b of at least 32 bytes, 32 bytes at a time.
//
//go:noescape
func spaceMaskAVX2(b []byte, from int, m *[spaceWindow / 64]uint64)

// useAVX2 is whether the CPU runs spaceMaskAVX2; a variable so that tests reach the SSE2 form too.
var useAVX2 = cpu.X86.HasAVX2

// spaceMask sets bit j of m[j/64] when byte from+j of b is a space, for the up to spaceWindow
// bytes from from on, and clears every other bit. from must be within b (len(b) included).
func spaceMask(b []byte, from int, m *[spaceWindow / 64]uint64) {
	switch {
	case uint(from) > uint(len(b)) || len(b) < 16:
		spaceMaskGeneric(b, from, m)
	case len(b) >= 32 && useAVX2:
		spaceMaskAVX2(b, from, m)
	default:
		spaceMaskSSE2(b, from, m)
	}
}
