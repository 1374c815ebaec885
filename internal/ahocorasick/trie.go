package ahocorasick

// trie is the build-time form of the automaton: a keyword tree over byte classes with failure
// links. It is turned into a dense DFA and then discarded, so clarity beats compactness here.
type trie struct {
	stride int     // number of byte classes
	child  []int32 // child[s*stride+c] = next state, or -1 when the tree has no such edge
	depth  []int32
	fail   []int32 // longest proper suffix of s that is also a tree node
	own    [][]int // ids of the patterns that end exactly at s
}

func newTrie(stride int) *trie {
	t := &trie{stride: stride}
	t.addState(0)
	return t
}

func (t *trie) addState(depth int32) int32 {
	id := int32(len(t.depth))
	for c := 0; c < t.stride; c++ {
		t.child = append(t.child, -1)
	}
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
		if next < 0 {
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
	for c := 0; c < t.stride; c++ {
		next := t.child[c]
		if next < 0 {
			t.child[c] = 0
			continue
		}
		t.fail[next] = 0
		order = append(order, next)
	}
	for head := 1; head < len(order); head++ {
		s := order[head]
		row := int(s) * t.stride
		failRow := int(t.fail[s]) * t.stride
		for c := 0; c < t.stride; c++ {
			next := t.child[row+c]
			if next < 0 {
				t.child[row+c] = t.child[failRow+c]
				continue
			}
			t.fail[next] = t.child[failRow+c]
			order = append(order, next)
		}
	}
	return order
}
