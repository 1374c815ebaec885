package ahocorasick

// scanFiltered marks the ids of every pattern occurring in text. With hits == nil it only answers
// whether any pattern occurs, and stops at the first one.
//
// It alternates between two modes. Filter mode jumps to the next position where a pattern may
// start. DFA mode runs the automaton from the start state at that position until the state is
// shallow again (depth <= 1): any pattern still open would then have to begin at the current
// byte or later, so filter mode can safely resume there.
func (d *dfa) scanFiltered(text []byte, hits *Hits) bool {
	found := false
	trans := d.trans
	ofByte := &d.classes.ofByte
	i := 0
	teddy := d.filter != nil && d.filter.teddy != nil // its pass called straight away
	long := teddy && useAVX2 && len(text) >= 34       // and in its widest form
	for i < len(text) {
		if long {
			p, found := d.filter.teddyPassAVX2(text, i)
			if !found {
				p = d.filter.afterPass(text, p) // once per text
			}
			i = p
		} else if teddy {
			i = d.filter.teddyNext(text, i)
		} else if d.filter != nil {
			i = d.filter.next(text, i, &d.leavesStart)
		} else {
			i = nextStartByte(text, i, &d.leavesStart)
		}
		if i >= len(text) {
			break
		}
		// The first byte is taken unconditionally: its state is shallow by definition, and
		// stopping there would make no progress.
		s := trans[d.start+uint32(ofByte[text[i]])]
		if s >= d.outputMin {
			found = true
			if hits == nil {
				return true
			}
			d.report(s, hits)
		}
		i++
		for ; i < len(text); i++ {
			s = trans[s+uint32(ofByte[text[i]])]
			if s < d.shallowMin {
				continue
			}
			if s >= d.outputMin {
				found = true
				if hits == nil {
					return true
				}
				d.report(s, hits)
				if s >= d.deepOutputMin {
					continue
				}
			}
			// Shallow: a depth-1 state is the current byte, which may start a pattern, so
			// the filter looks at it again; the start state means it cannot.
			if s == d.start {
				i++
			}
			break
		}
	}
	return found
}

// report marks every id that ends in output state s, following the chain of shorter suffixes.
func (d *dfa) report(s uint32, hits *Hits) {
	k := int32((s - d.outputMin) / d.stride)
	if id := d.onlyID[k]; id >= 0 {
		hits.set(int(id))
		return
	}
	for k >= 0 {
		for _, id := range d.ids[d.idStart[k]:d.idStart[k+1]] {
			hits.set(int(id))
		}
		k = d.nextOutput[k]
	}
}
