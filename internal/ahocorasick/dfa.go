package ahocorasick

// dfa is one dense automaton over byte classes. Transition values are premultiplied row offsets
// (next state number * stride), so the scan loop needs no multiply and no mask.
//
// States are renumbered into four consecutive groups so that one comparison per byte tells the
// scan loop whether anything needs attention:
//
//	deep        depth >= 2, no output: keep going (almost every byte inside a candidate)
//	shallow     depth <= 1, no output: the partial match is over, return to the filter
//	shallowOut  depth <= 1, with output (single-byte patterns)
//	deepOut     depth >= 2, with output
//
// A state "has output" when a pattern ends there or at one of its suffixes.
type dfa struct {
	classes byteClasses
	stride  uint32
	trans   []uint32

	start         uint32 // premultiplied; the first shallow state
	shallowMin    uint32 // s >= shallowMin: stop or report
	outputMin     uint32 // s >= outputMin: report
	deepOutputMin uint32 // s >= deepOutputMin: report but keep going

	// Per output state k = (s-outputMin)/stride: the ids ending exactly there are
	// ids[idStart[k]:idStart[k+1]], and nextOutput[k] is the next output state along the
	// failure chain (or -1). Walking the chain instead of copying inherited ids keeps memory
	// linear even for sets like a, aa, aaa, ...
	idStart    []uint32
	ids        []int32
	nextOutput []int32
	// onlyID[k] is the one id that output state k reports, chain included, or -1 when it
	// reports more: nearly every output state of a rule set reports one id, without the walk.
	onlyID []int32

	filter      *gramFilter  // nil when some pattern is too short to filter on
	fused       *fusedTables // nil when the filter and the automaton cannot run as one loop
	leavesStart [256]bool    // bytes that take the start state elsewhere
}

type stateGroup uint8

const (
	groupDeep stateGroup = iota
	groupShallow
	groupShallowOutput
	groupDeepOutput
	groupCount
)

// newDFA builds the automaton for patterns; ids are the pattern ids to report. Empty patterns
// must already have been removed.
func newDFA(patterns []string, ids []int) *dfa {
	classes := newByteClasses(patterns)
	total := 0
	for _, p := range patterns {
		total += len(p)
	}
	t := newTrie(classes.count, total)
	for i, p := range patterns {
		t.insert(p, ids[i], &classes)
	}
	order := t.failLinks()

	n := len(t.depth)
	hasOutput := make([]bool, n)
	outputLink := make([]int32, n) // nearest proper suffix state where a pattern ends, or 0
	for _, s := range order {      // failure targets come first in order of depth
		if s == 0 {
			continue
		}
		f := t.fail[s]
		hasOutput[s] = len(t.own[s]) > 0 || hasOutput[f]
		outputLink[s] = outputLink[f]
		if len(t.own[f]) > 0 {
			outputLink[s] = f
		}
	}
	group := func(s int32) stateGroup {
		shallow := t.depth[s] <= 1
		switch {
		case !hasOutput[s] && !shallow:
			return groupDeep
		case !hasOutput[s]:
			return groupShallow
		case shallow:
			return groupShallowOutput
		}
		return groupDeepOutput
	}

	// Number the states group by group, keeping the order of depth inside a group so the start
	// state (first in order, shallow, no output) opens the shallow group.
	var groupSize [groupCount]int
	for _, s := range order {
		groupSize[group(s)]++
	}
	var groupFirst [groupCount]int
	for g := stateGroup(1); g < groupCount; g++ {
		groupFirst[g] = groupFirst[g-1] + groupSize[g-1]
	}
	newID := make([]uint32, n)
	fill := groupFirst
	for _, s := range order {
		g := group(s)
		newID[s] = uint32(fill[g])
		fill[g]++
	}

	stride := uint32(classes.count)
	d := &dfa{
		classes:       classes,
		stride:        stride,
		trans:         make([]uint32, n*int(stride)),
		start:         newID[0] * stride,
		shallowMin:    uint32(groupFirst[groupShallow]) * stride,
		outputMin:     uint32(groupFirst[groupShallowOutput]) * stride,
		deepOutputMin: uint32(groupFirst[groupDeepOutput]) * stride,
	}
	offset := make([]uint32, n) // newID premultiplied
	for s, id := range newID {
		offset[s] = id * stride
	}
	// A tree edge goes to its child; any other edge where the failure link's does (already
	// filled: the failure target is shallower), and from the root back to the root.
	for _, s := range order {
		from := int(offset[s])
		dst := d.trans[from : from+int(stride)]
		src := t.child[int(s)*int(stride):][:len(dst)]
		if s == 0 {
			for c, next := range src {
				dst[c] = offset[next]
			}
			continue
		}
		viaFail := d.trans[offset[t.fail[s]]:][:len(dst)]
		for c, next := range src {
			if next != 0 {
				dst[c] = offset[next]
			} else {
				dst[c] = viaFail[c]
			}
		}
	}

	firstOutput := groupFirst[groupShallowOutput]
	outputs := n - firstOutput
	byNewID := make([]int32, n)
	for s := 0; s < n; s++ {
		byNewID[newID[s]] = int32(s)
	}
	d.idStart = make([]uint32, 0, outputs+1)
	d.nextOutput = make([]int32, 0, outputs)
	for k := 0; k < outputs; k++ {
		s := byNewID[firstOutput+k]
		d.idStart = append(d.idStart, uint32(len(d.ids)))
		for _, id := range t.own[s] {
			d.ids = append(d.ids, int32(id))
		}
		next := int32(-1)
		if f := outputLink[s]; f != 0 {
			next = int32(int(newID[f]) - firstOutput)
		}
		d.nextOutput = append(d.nextOutput, next)
	}
	d.idStart = append(d.idStart, uint32(len(d.ids)))
	d.onlyID = make([]int32, outputs)
	for k := range d.onlyID {
		only, count := int32(-1), 0
		for c := int32(k); c >= 0 && count <= 1; c = d.nextOutput[c] {
			for _, id := range d.ids[d.idStart[c]:d.idStart[c+1]] {
				only = id
				count++
			}
		}
		if count != 1 {
			only = -1
		}
		d.onlyID[k] = only
	}

	for b := 0; b < 256; b++ {
		d.leavesStart[b] = d.trans[d.start+uint32(classes.ofByte[b])] != d.start
	}
	d.filter = newGramFilter(patterns)
	d.fused = newFusedTables(d)
	return d
}
