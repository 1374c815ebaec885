package ahocorasick

import "github.com/keikai-project/keikai/internal/ascii"

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
			used[ascii.Lower(p[i])] = true
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
	// A byte shares the class of its folded form (upper-case letters that of their lower-case
	// letter, package ascii decides which); this is where case folding happens at scan time, for
	// free.
	for b := range 256 {
		c.ofByte[b] = c.ofByte[ascii.Lower(byte(b))]
	}
	c.count = next
	return c
}
