package logs

import "encoding/binary"

// progClass is what dispatch needs to know of a syslog program name: the parser that its lines
// go to first (packetOrMailProgram) and its login phrases (loginProgram of the base name). The
// two cost more than a hundred instructions a line together; a log has a few dozen programs, so
// progCache remembers them.
type progClass struct {
	packet uint8
	login  uint8
}

// classifyProgram works out a program's progClass.
func classifyProgram(prog []byte) progClass {
	base := programBase(prog)
	return progClass{
		packet: uint8(packetOrMailProgram(prog, base)),
		login:  uint8(loginProgram(base)),
	}
}

// progCacheSize is the number of slots of progCache (a power of two), two to a set.
const progCacheSize = 256

// progCacheSetBits is log2 of the number of sets.
const progCacheSetBits = 7

// progCache is a two-way set-associative cache of progClass for names of at most 16 bytes, keyed
// on the name's bytes as two words and its length. Two ways: a few dozen names in 128 sets
// collide often enough that a direct-mapped cache missed on one line in thirty of a real log.
type progCache struct {
	slots [progCacheSize]progSlot
}

type progSlot struct {
	w0, w1 uint64
	n      int // len of the name plus one: 0 marks an empty slot
	class  progClass
}

// progKey returns the bytes of a name of at most 16 bytes as two words: the first eight and the
// last eight, which overlap for names of 8 to 16 bytes and, with the length, tell every such name
// apart; a shorter name is its bytes in w0 (zero above them) and w1 zero.
func progKey(prog []byte) (w0, w1 uint64, ok bool) {
	n := len(prog)
	switch {
	case n > 16:
		return 0, 0, false
	case n >= 8:
		return binary.LittleEndian.Uint64(prog), binary.LittleEndian.Uint64(prog[n-8:]), true
	case cap(prog) >= 8:
		// The name lies in a longer line: load eight bytes and mask off those past it.
		return binary.LittleEndian.Uint64(prog[:8]) & (1<<(8*n) - 1), 0, true
	}
	for i := n - 1; i >= 0; i-- {
		w0 = w0<<8 | uint64(prog[i])
	}
	return w0, 0, true
}

// class returns prog's progClass, from the cache when it holds the name. A new name goes to the
// set's first way and moves what was there to the second.
func (c *progCache) class(prog []byte) progClass {
	w0, w1, ok := progKey(prog)
	if !ok {
		return classifyProgram(prog)
	}
	h := ((w0^w1*0x9e3779b97f4a7c15)*0xff51afd7ed558ccd + uint64(len(prog))) >> (64 - progCacheSetBits)
	set := c.slots[h*2&(progCacheSize-1):][:2]
	n := len(prog) + 1
	if s := &set[0]; s.w0 == w0 && s.w1 == w1 && s.n == n {
		return s.class
	}
	if s := &set[1]; s.w0 == w0 && s.w1 == w1 && s.n == n {
		return s.class
	}
	cl := classifyProgram(prog)
	set[1] = set[0]
	set[0] = progSlot{w0: w0, w1: w1, n: n, class: cl}
	return cl
}
