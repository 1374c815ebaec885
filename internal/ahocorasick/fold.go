package ahocorasick

// lower folds ASCII A-Z to a-z and leaves every other byte alone: matching is ASCII
// case-insensitive only, so bytes >= 0x80 (UTF-8, Shift_JIS, garbage) must match exactly.
func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// byteClasses maps every byte to a small class number so that a DFA row has one column per
// distinct (case-folded) pattern byte instead of 256. Class 0 stands for every byte that occurs in
// no pattern; such bytes behave identically in the automaton.
type byteClasses struct {
	ofByte [256]uint8
	count  int // number of classes, class 0 included
}

func newByteClasses(patterns []string) byteClasses {
	var used [256]bool
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			used[lower(p[i])] = true
		}
	}
	var c byteClasses
	next := 1
	for b := 0; b < 256; b++ {
		if used[b] {
			c.ofByte[b] = uint8(next)
			next++
		}
	}
	// Upper-case letters share the class of their lower-case form; this is where case folding
	// happens at scan time, for free.
	for b := 'A'; b <= 'Z'; b++ {
		c.ofByte[b] = c.ofByte[b+('a'-'A')]
	}
	c.count = next
	return c
}
