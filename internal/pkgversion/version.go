// Package pkgversion orders software package versions the way the advisories that name them mean:
// Debian dpkg ordering (epoch:upstream-revision, "~" before everything, letters before other
// punctuation), RPM epoch:version-release read the same way, and OpenSSL's conventions, where a
// trailing letter is a patch level (0.9.6 < 0.9.6d < 0.9.7) and alpha, beta, rc and pre mark
// releases that come before the plain version (0.9.7-beta3 < 0.9.7beta4 < 0.9.7).
package pkgversion

import "github.com/keikai-project/keikai/internal/ascii"

// text lets one implementation serve strings and byte slices, so that rule matching can compare
// an event's bytes without converting them to a string.
type text interface{ ~string | ~[]byte }

// CompareBytes returns -1, 0 or +1 as a sorts before, equal to, or after b. a is held as bytes
// (an event's value) so that rule matching does not convert it; it does not allocate.
func CompareBytes(a []byte, b string) int { return compare(a, b) }

func compare[A, B text](a A, b B) int {
	pa, pb := split(a), split(b)
	if c := compareDigits(a, pa.epochStart, pa.epochEnd, b, pb.epochStart, pb.epochEnd); c != 0 {
		return c
	}
	if c := compareSegment(a, pa.upStart, pa.upEnd, b, pb.upStart, pb.upEnd); c != 0 {
		return c
	}
	return compareSegment(a, pa.revStart, pa.revEnd, b, pb.revStart, pb.revEnd)
}

// parts holds index ranges into a version string.
type parts struct {
	epochStart, epochEnd int
	upStart, upEnd       int
	revStart, revEnd     int
}

// split finds the epoch (digits before the first colon), the revision (after the last hyphen,
// unless what follows is a pre-release word such as "beta2", which belongs to the upstream part)
// and the upstream version between them.
func split[T text](s T) parts {
	var p parts
	n := len(s)
	for i := 0; i < n; i++ {
		if s[i] == ':' {
			if i > 0 && allDigits(s, 0, i) {
				p.epochEnd = i
				p.upStart = i + 1
			}
			break
		}
	}
	p.upEnd, p.revStart, p.revEnd = n, n, n
	for i := n - 1; i >= p.upStart; i-- {
		if s[i] == '-' {
			if !preReleaseAt(s, i+1, n) {
				p.upEnd = i
				p.revStart = i + 1
			}
			break
		}
	}
	return p
}

func allDigits[T text](s T, from, to int) bool {
	for i := from; i < to; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

var preReleaseWords = [...]string{"alpha", "beta", "rc", "pre"}

// preReleaseAt reports whether a pre-release word starts at i and ends at a number, a separator
// or the end of the segment ("beta2", "rc", but not "prefix").
func preReleaseAt[T text](s T, i, end int) bool {
	for _, w := range preReleaseWords {
		if i+len(w) > end {
			continue
		}
		ok := true
		for k := 0; k < len(w); k++ {
			if ascii.Lower(s[i+k]) != w[k] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		j := i + len(w)
		if j == end || !isLetter(s[j]) {
			return true
		}
	}
	return false
}

// cursor walks the non-digit part of a segment, presenting a pre-release marker as if it were
// dpkg's "~": a separator before the word becomes "~", and a word glued to a digit gets a "~"
// inserted before it.
type cursor[T text] struct {
	s         T
	i, start  int
	end       int
	tildeDone int // position whose inserted "~" has already been consumed
}

func (c *cursor[T]) insertedTilde() bool {
	i := c.i
	return i < c.end && i > c.start && i != c.tildeDone && isLetter(c.s[i]) && isDigit(c.s[i-1]) &&
		preReleaseAt(c.s, i, c.end)
}

// peek returns the sort weight of the next non-digit character; 0 at a digit or the end.
func (c *cursor[T]) peek() int {
	if c.i >= c.end || isDigit(c.s[c.i]) {
		return 0
	}
	if c.insertedTilde() {
		return -1
	}
	ch := c.s[c.i]
	switch {
	case ch == '~':
		return -1
	case isLetter(ch):
		return int(ch)
	case (ch == '-' || ch == '.' || ch == '_') && preReleaseAt(c.s, c.i+1, c.end):
		return -1
	}
	return int(ch) + 256
}

func (c *cursor[T]) advance() {
	if c.i >= c.end || isDigit(c.s[c.i]) {
		return
	}
	if c.insertedTilde() {
		c.tildeDone = c.i
		return
	}
	c.i++
}

func (c *cursor[T]) atNonDigit() bool { return c.i < c.end && !isDigit(c.s[c.i]) }

// compareSegment is dpkg's verrevcmp over s[from:to], with the pre-release rule above.
func compareSegment[A, B text](a A, aFrom, aTo int, b B, bFrom, bTo int) int {
	ca := cursor[A]{s: a, i: aFrom, start: aFrom, end: aTo, tildeDone: -1}
	cb := cursor[B]{s: b, i: bFrom, start: bFrom, end: bTo, tildeDone: -1}
	for ca.i < ca.end || cb.i < cb.end {
		for ca.atNonDigit() || cb.atNonDigit() {
			wa, wb := ca.peek(), cb.peek()
			if wa != wb {
				return sign(wa - wb)
			}
			ca.advance()
			cb.advance()
		}
		da := ca.i
		for ca.i < ca.end && isDigit(a[ca.i]) {
			ca.i++
		}
		db := cb.i
		for cb.i < cb.end && isDigit(b[cb.i]) {
			cb.i++
		}
		if c := compareDigits(a, da, ca.i, b, db, cb.i); c != 0 {
			return c
		}
	}
	return 0
}

// compareDigits compares two runs of decimal digits of any length as numbers.
func compareDigits[A, B text](a A, aFrom, aTo int, b B, bFrom, bTo int) int {
	for aFrom < aTo && a[aFrom] == '0' {
		aFrom++
	}
	for bFrom < bTo && b[bFrom] == '0' {
		bFrom++
	}
	if la, lb := aTo-aFrom, bTo-bFrom; la != lb {
		return sign(la - lb)
	}
	for ; aFrom < aTo; aFrom, bFrom = aFrom+1, bFrom+1 {
		if a[aFrom] != b[bFrom] {
			return sign(int(a[aFrom]) - int(b[bFrom]))
		}
	}
	return 0
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
