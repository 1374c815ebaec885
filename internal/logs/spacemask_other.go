//go:build !amd64 || purego

package logs

// spaceMask sets bit j of m[j/64] when byte from+j of b is a space, for the up to spaceWindow
// bytes from from on, and clears every other bit. from must be within b (len(b) included).
func spaceMask(b []byte, from int, m *[spaceWindow / 64]uint64) {
	spaceMaskGeneric(b, from, m)
}
