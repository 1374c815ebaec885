package input

// newlineBlocksGo is newlineBlocks in Go, for other CPUs and as the reference of its tests.
func newlineBlocksGo(b []byte, base uint32, out []uint32) int {
	k := 0
	for i, c := range b {
		if c == '\n' && k < len(out) {
			out[k] = base + uint32(i)
			k++
		}
	}
	return k
}
