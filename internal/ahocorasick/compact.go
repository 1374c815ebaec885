package ahocorasick

import (
	"slices"

	"github.com/keikai-project/keikai/internal/ascii"
)

// compact is the automaton for pattern sets too large for a dense table: IOC lists of tens of
// thousands of domains, a megabyte literal. It is the classic Aho-Corasick machine with failure
// links, its states numbered breadth-first so that the children of a state are consecutive and
// sorted by byte; a transition is a short search among them. About 17 bytes per pattern byte,
// against (distinct bytes + 1) * 4 for a dense row, and linear to build. Slower per byte than the
// dense DFA, which is why it serves only what the dense one cannot hold.
type compact struct {
	root   [256]int32 // the children of the root by (folded) byte; 0 where there is none
	label  []byte     // label[s]: the folded byte on the edge into s
	first  []int32    // the children of s are first[s] ... first[s+1]-1
	fail   []int32
	output []int32 // output[s]: s or the nearest state on s's failure chain where a pattern ends; 0: none
	// The ids ending exactly at s are ids[idStart[s]:idStart[s+1]].
	idStart []int32
	ids     []int32

	filter      *gramFilter
	leavesStart [256]bool
}

// compactBytesPerPatternByte is the memory New plans for per pattern byte of a compact automaton,
// build-time scaffolding included.
const compactBytesPerPatternByte = 40

func newCompact(patterns []string, ids []int) *compact {
	// Insert in sorted order, so that every node's children are created in ascending byte order.
	order := make([]int, len(patterns))
	lowered := make([]string, len(patterns))
	for i, p := range patterns {
		order[i] = i
		lowered[i] = ascii.ToLower(p)
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case lowered[a] < lowered[b]:
			return -1
		case lowered[a] > lowered[b]:
			return 1
		}
		return 0
	})
	// Build-time tree: first child and next sibling, numbered in creation order. There are at
	// most as many states as pattern bytes (plus the root): allocate once.
	total, longest := 1, 0
	for _, p := range patterns {
		total += len(p)
		longest = max(longest, len(p))
	}
	firstChild := append(make([]int32, 0, total), -1)
	lastChild := append(make([]int32, 0, total), -1)
	nextSibling := append(make([]int32, 0, total), -1)
	label := append(make([]byte, 0, total), 0)
	ends := make([]int32, 0, len(patterns)) // the state where each pattern (in order) ends
	prev := ""
	path := append(make([]int32, 0, longest+1), 0) // path[d]: the state at depth d along prev
	for _, pi := range order {
		p := lowered[pi]
		common := 0
		for common < len(p) && common < len(prev) && p[common] == prev[common] {
			common++
		}
		path = path[:common+1]
		s := path[common]
		for d := common; d < len(p); d++ {
			n := int32(len(label))
			firstChild, lastChild, nextSibling, label = append(firstChild, -1), append(lastChild, -1), append(nextSibling, -1), append(label, p[d])
			if lastChild[s] < 0 {
				firstChild[s] = n
			} else {
				nextSibling[lastChild[s]] = n
			}
			lastChild[s] = n
			s = n
			path = append(path, s)
		}
		ends = append(ends, s)
		prev = p
	}
	lastChild = nil

	// Renumber breadth-first: the children of each state become a consecutive run.
	n := len(label)
	newID := make([]int32, n)
	bfs := make([]int32, 1, n)
	c := &compact{label: make([]byte, n), first: make([]int32, n+1)}
	for head := 0; head < len(bfs); head++ {
		s := bfs[head]
		c.first[head] = int32(len(bfs))
		for ch := firstChild[s]; ch >= 0; ch = nextSibling[ch] {
			newID[ch] = int32(len(bfs))
			c.label[len(bfs)] = label[ch]
			bfs = append(bfs, ch)
		}
	}
	c.first[n] = int32(n)
	firstChild, nextSibling, label, bfs = nil, nil, nil, nil

	// Pattern ids by end state, in the new numbering.
	counts := make([]int32, n+1)
	for _, e := range ends {
		counts[newID[e]+1]++
	}
	for s := 1; s <= n; s++ {
		counts[s] += counts[s-1]
	}
	c.idStart = counts
	c.ids = make([]int32, len(ends))
	fill := slices.Clone(counts[:n])
	for k, pi := range order {
		s := newID[ends[k]]
		c.ids[fill[s]] = int32(ids[pi])
		fill[s]++
	}
	fill, ends, newID = nil, nil, nil

	for i := c.first[0]; i < c.first[1]; i++ {
		c.root[c.label[i]] = i
	}
	// Failure links and outputs in breadth-first order: a state's failure target comes first.
	c.fail = make([]int32, n)
	c.output = make([]int32, n)
	for s := int32(1); s < int32(n); s++ {
		for ch := c.first[s]; ch < c.first[s+1]; ch++ {
			f := c.fail[s]
			for {
				if t := c.child(f, c.label[ch]); t > 0 {
					c.fail[ch] = t
					break
				}
				if f == 0 {
					break
				}
				f = c.fail[f]
			}
		}
	}
	for s := int32(1); s < int32(n); s++ {
		if c.idStart[s+1] > c.idStart[s] {
			c.output[s] = s
		} else {
			c.output[s] = c.output[c.fail[s]]
		}
	}
	for b := range 256 {
		c.leavesStart[b] = c.root[ascii.Lower(byte(b))] != 0
	}
	c.filter = newGramFilter(patterns)
	return c
}

// child returns the child of s along folded byte b, or 0.
func (c *compact) child(s int32, b byte) int32 {
	if s == 0 {
		return c.root[b]
	}
	lo, hi := c.first[s], c.first[s+1]
	for lo < hi { // most states have one child or a few
		if c.label[lo] == b {
			return lo
		}
		if c.label[lo] > b {
			return 0
		}
		lo++
	}
	return 0
}

func (c *compact) scan(text []byte, hits *Hits) bool {
	found := false
	s := int32(0)
	for i := 0; i < len(text); i++ {
		if s == 0 {
			if c.filter != nil {
				i = c.filter.next(text, i, &c.leavesStart)
			} else {
				i = nextStartByte(text, i, &c.leavesStart)
			}
			if i >= len(text) {
				break
			}
		}
		b := ascii.Lower(text[i])
		for {
			if t := c.child(s, b); t > 0 {
				s = t
				break
			}
			if s == 0 {
				break
			}
			s = c.fail[s]
		}
		for o := c.output[s]; o != 0; o = c.output[c.fail[o]] {
			found = true
			if hits == nil {
				return true
			}
			for _, id := range c.ids[c.idStart[o]:c.idStart[o+1]] {
				hits.set(int(id))
			}
		}
	}
	return found
}
