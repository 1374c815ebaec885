//go:build !purego

package input

import "golang.org/x/sys/cpu"

// newlineBlock is the block newlineBlocks takes: 64 bytes, two AVX2 compares.
const newlineBlock = 64

// haveNewlineBlocks is whether the CPU runs newlineBlocksAVX2 (AVX2, and BMI1 for TZCNT and
// BLSR); a variable so that tests reach the Go form too.
var haveNewlineBlocks = cpu.X86.HasAVX2 && cpu.X86.HasBMI1

// newlineBlocks writes base+i to out for each '\n' at index i of b, in order, and returns how
// many it wrote. len(b) must be a multiple of newlineBlock and out must hold len(b) entries.
func newlineBlocks(b []byte, base uint32, out []uint32) int {
	if len(b) == 0 || len(out) < len(b) || len(b)%newlineBlock != 0 {
		return newlineBlocksGo(b, base, out)
	}
	return newlinesAVX2(&b[0], len(b), base, &out[0])
}

// newlinesAVX2 is newlineBlocks on n bytes at p, 64 at a time: each block's compares give a
// 64-bit mask of its newlines, whose set bits are written out lowest first.
//
//go:noescape
func newlinesAVX2(p *byte, n int, base uint32, out *uint32) int
