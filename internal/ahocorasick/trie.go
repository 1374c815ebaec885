package ahocorasick

// trie is the build-time form of the automaton: a keyword tree over byte classes with failure
// links. newDFA fills the dense table from it and then discards it.
type trie struct {
	stride int // number of byte classes
	// child[s*stride+c] is the next state, or 0 when the tree has no such edge: no tree edge
	// leads back to the root, so 0 is free as a mark, and fresh rows need no filling.
	child []int32
	depth []int32
	// edge[s] is the class of the tree edge into s, parent[s] the state it leaves.
	edge   []uint8
	parent []int32
	fail   []int32 // longest proper suffix of s that is also a tree node
	own    [][]int // ids of the patterns that end exactly at s
}

// newTrie returns the tree with its root; patternBytes, the total length of the patterns to be
// inserted, bounds the states, so that the rows are allocated once.
func newTrie(stride, patternBytes int) *trie {
	states := patternBytes + 1
	t := &trie{
		stride: stride,
		child:  make([]int32, 0, states*stride),
		depth:  make([]int32, 0, states),
		edge:   make([]uint8, 0, states),
		parent: make([]int32, 0, states),
		fail:   make([]int32, 0, states),
		own:    make([][]int, 0, states),
	}
	t.addState(0, 0, 0)
	return t
}

func (t *trie) addState(depth, parent int32, edge uint8) int32 {
	id := int32(len(t.depth))
	t.child = append(t.child, make([]int32, t.stride)...) // zeroed: no edges yet
	t.depth = append(t.depth, depth)
	t.parent = append(t.parent, parent)
	t.edge = append(t.edge, edge)
	t.fail = append(t.fail, 0)
	t.own = append(t.own, nil)
	return id
}

func (t *trie) insert(pattern string, id int, classes *byteClasses) {
	s := int32(0)
	for i := 0; i < len(pattern); i++ {
		c := classes.ofByte[pattern[i]]
		edge := int(s)*t.stride + int(c)
		next := t.child[edge]
		if next == 0 {
			next = t.addState(t.depth[s]+1, s, c)
			t.child[edge] = next
		}
		s = next
	}
	t.own[s] = append(t.own[s], id)
}

// failLinks sets every state's failure link and returns the states in order of depth, the root
// first. It follows tree edges only, so its cost grows with the states, not with the cells of a
// dense table; a state's failure target is shallower, so it comes earlier in that order.
func (t *trie) failLinks() []int32 {
	n := len(t.depth)
	maxDepth := int32(0)
	for _, d := range t.depth {
		maxDepth = max(maxDepth, d)
	}
	// Counting sort by depth.
	start := make([]int32, maxDepth+2)
	for _, d := range t.depth {
		start[d+1]++
	}
	for d := 1; d < len(start); d++ {
		start[d] += start[d-1]
	}
	order := make([]int32, n)
	for s, d := range t.depth {
		order[start[d]] = int32(s)
		start[d]++
	}
	for _, u := range order {
		if t.depth[u] <= 1 {
			t.fail[u] = 0
			continue
		}
		c := int(t.edge[u])
		f := t.fail[t.parent[u]]
		for {
			if next := t.child[int(f)*t.stride+c]; next != 0 {
				t.fail[u] = next
				break
			}
			if f == 0 {
				t.fail[u] = 0
				break
			}
			f = t.fail[f]
		}
	}
	return order
}
