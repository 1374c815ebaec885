package logs

// spaceMaskSSE2 is spaceMask for a b of at least 16 bytes, sixteen bytes at a time (SSE2 is part
// of every x86-64 CPU).
//
//go:noescape
func spaceMaskSSE2(b []byte, from int, m *[spaceWindow / 64]uint64)

// spaceMask sets bit j of m[j/64] when byte from+j of b is a space, for the up to spaceWindow
// bytes from from on, and clears every other bit. from must be within b (len(b) included).
func spaceMask(b []byte, from int, m *[spaceWindow / 64]uint64) {
	if len(b) < 16 || uint(from) > uint(len(b)) {
		spaceMaskGeneric(b, from, m)
		return
	}
	spaceMaskSSE2(b, from, m)
}
