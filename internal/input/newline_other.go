//go:build !amd64 || purego

package input

// newlineBlock is the block newlineBlocks takes; without assembly it is not used.
const newlineBlock = 64

// haveNewlineBlocks is false: LineEnds finds every line with IndexByte.
var haveNewlineBlocks = false

func newlineBlocks(b []byte, base uint32, out []uint32) int { return newlineBlocksGo(b, base, out) }
