package event

import "unsafe"

// Words are the constant values parsers set (protocol, action and direction names and the like),
// held in one block that is never written after package init. A word's place in the block then
// stands for its bytes: the engine's match memo keys a value by WordCode, a few instructions,
// rather than by loading and comparing its bytes.
var (
	wordBlock [1 << 11]byte
	wordsUsed int
	wordOf    = map[string][]byte{}
)

// maxWordLen bounds the words the block holds: a code keeps the length in 4 bits (and the
// offset in 11: the block's size).
const maxWordLen = 15

// Word returns s as a constant value for Set: the same slice for the same s, in the block when it
// has room. Callers must not modify it. Parsers call it from package init (variable declarations);
// it is not safe for concurrent use.
func Word(s string) []byte {
	if b, ok := wordOf[s]; ok {
		return b
	}
	var b []byte
	if len(s) <= maxWordLen && wordsUsed+len(s) <= len(wordBlock) {
		end := wordsUsed + copy(wordBlock[wordsUsed:], s)
		b = wordBlock[wordsUsed:end:end] // full: an append cannot write into the block
		wordsUsed = end
	} else {
		b = []byte(s)
	}
	wordOf[s] = b
	return b
}

// WordCode returns a code below 1<<15 for a value that lies in the block (see Word), and false for
// any other. Two values with one code have the same bytes, since the code is the place and
// the length of bytes that never change; a value equal to a word but elsewhere has no code.
func WordCode(v []byte) (uint64, bool) {
	// Comparing addresses as integers: the block is a global, so it never moves.
	off := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(v))) - uintptr(unsafe.Pointer(&wordBlock)))
	n := uint64(len(v))
	// One test for off < 2048 and n < 16.
	return off<<4 | n, off>>11|n>>4 == 0
}
