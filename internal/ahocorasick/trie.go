package ahocorasick

// trie is the build-time form of the automaton: a keyword tree over byte classes with failure
// links. It is turned into a dense DFA and then discarded, so clarity beats compactness here.
type trie struct {
	stride int // number of byte classes
	// child[s*stride+c] is the next state, or 0 when the tree has no such edge: no tree edge
	// leads back to the root, so 0 is free as a mark, and fresh rows need no filling.
	child []int32
	depth  []int32
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
		fail:   make([]int32, 0, states),
		own:    make([][]int, 0, states),
	}
	t.addState(0)
	return t
}

func (t *trie) addState(depth int32) int32 {
	id := int32(len(t.depth))
	t.child = append(t.child, make([]int32, t.stride)...) // zeroed: no edges yet
	t.depth = append(t.depth, depth)
	t.fail = append(t.fail, 0)
	t.own = append(t.own, nil)
	return id
}

func (t *trie) insert(pattern string, id int, classes *byteClasses) {
	s := int32(0)
	for i := 0; i < len(pattern); i++ {
		edge := int(s)*t.stride + int(classes.ofByte[pattern[i]])
		next := t.child[edge]
		if next == 0 {
			next = t.addState(t.depth[s] + 1)
			t.child[edge] = next
		}
		s = next
	}
	t.own[s] = append(t.own[s], id)
}

// complete fills every missing edge with the edge the failure link would lead to, turning the
// tree into a DFA (still numbered as the tree), and returns the states in breadth-first order.
// Breadth-first order guarantees that a state's failure target is complete before the state.
func (t *trie) complete() []int32 {
	order := make([]int32, 0, len(t.depth))
	order = append(order, 0)
	for _, next := range t.child[:t.stride] {
		if next != 0 { // a missing edge of the root stays 0: back to the root
			t.fail[next] = 0
			order = append(order, next)
		}
	}
	for head := 1; head < len(order); head++ {
		s := int(order[head])
		row := t.child[s*t.stride : (s+1)*t.stride]
		failRow := t.child[int(t.fail[s])*t.stride:][:len(row)]
		for c, next := range row {
			if next == 0 {
				row[c] = failRow[c]
				continue
			}
			t.fail[next] = failRow[c]
			order = append(order, next)
		}
	}
	return order
}
