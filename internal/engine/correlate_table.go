package engine

// groupTable finds a correlation's groups by key hash: open addressing with linear probing over
// slots that hold the low half of the hash and the group's place in its shard's slab (or its
// single's in the ring). The slots hold no pointers, so the collector does not scan them, and a
// lookup reads one cache line where a Go map reads its control word, then its slot, then the
// group. A slot is 8 bytes: the tables of the busy correlations are read at random for every
// observation and stay in the cache better; a lookup checks the full hash on the group or single
// it finds, which it reads next anyway. Deletion shifts the following slots back, so there are no
// tombstones and a table that sees millions of short-lived groups never degrades.
type groupTable struct {
	slots []tableSlot
	mask  uint64
	used  int
}

// tableSlot is the low half of a hash and its group's slab index plus one (0: the slot is empty),
// or singleRef and the index of its single.
type tableSlot struct {
	lo  uint32
	ref uint32
}

const minTableSlots = 64

// noFree stands for no known free slot (see find).
const noFree = ^uint64(0)

// find returns the reference of the group of hash h, or 0 and the empty slot at which the lookup
// stopped, where h can be added while the table is unchanged: slab and singles hold the groups.
func (t *groupTable) find(h uint64, slab *groupSlab, singles *singles) (ref uint32, free uint64) {
	if t.slots == nil {
		return 0, noFree
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s.ref == 0 {
			return 0, i
		}
		if s.lo != uint32(h) {
			continue
		}
		if s.ref&singleRef != 0 {
			if singles.at(s.ref).hash == h {
				return s.ref, 0
			}
		} else if slab.at(s.ref-1).hash == h {
			return s.ref, 0
		}
	}
}

// findAbsent is find's search for a key not in the table, without a call: it returns the empty
// slot that ends h's run and true, or false at a slot of h's low half, which find looks at. The
// table must have an empty slot.
func (t *groupTable) findAbsent(h uint64) (free uint64, absent bool) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch s := t.slots[i]; {
		case s.ref == 0:
			return i, true
		case s.lo == uint32(h):
			return i, false
		}
	}
}

// put adds h → ref; h must not be in the table.
func (t *groupTable) put(h uint64, ref uint32) {
	// At most a quarter full: most lookups are of keys not there (a new source), and a miss
	// probes to the end of its run.
	if 4*(t.used+1) > len(t.slots) {
		t.grow()
	}
	i := h & t.mask
	for t.slots[i].ref != 0 {
		i = (i + 1) & t.mask
	}
	t.slots[i] = tableSlot{lo: uint32(h), ref: ref}
	t.used++
}

// at returns the slot of h holding ref, which must be in the table.
func (t *groupTable) at(h uint64, ref uint32) uint64 {
	i := h & t.mask
	for t.slots[i].ref != ref {
		i = (i + 1) & t.mask
	}
	return i
}

// update makes the slot of h holding old refer to ref.
func (t *groupTable) update(h uint64, old, ref uint32) {
	t.slots[t.at(h, old)].ref = ref
}

// remove deletes the slot of h holding ref.
func (t *groupTable) remove(h uint64, ref uint32) {
	clearSlot(t.slots, t.mask, t.at(h, ref))
	t.used--
}

// clearSlot empties slot i of slots, a table's of the given mask, and shifts back every following
// slot whose home is at or before the hole, so that a probe from its home still reaches it. It
// leaves the table's count to the caller, and is small enough to be inlined in a loop that
// removes many.
func clearSlot(slots []tableSlot, mask, i uint64) {
	for j := (i + 1) & mask; slots[j].ref != 0; j = (j + 1) & mask {
		if home := uint64(slots[j].lo) & mask; (j-home)&mask >= (j-i)&mask {
			slots[i] = slots[j]
			i = j
		}
	}
	slots[i] = tableSlot{}
}

func (t *groupTable) grow() {
	old := t.slots
	n := max(2*len(old), minTableSlots)
	t.slots, t.mask, t.used = make([]tableSlot, n), uint64(n-1), 0
	for _, s := range old {
		if s.ref != 0 {
			t.put(uint64(s.lo), s.ref)
		}
	}
}

// slabPage is how many groups a page of a shard's slab holds: groups are made a page at a time
// and never move, so a pointer to one stays valid while the table refers to it by index.
const slabPage = 256

type groupSlab struct {
	pages [][]group
	n     uint32
}

// at returns the group of slab index i.
func (s *groupSlab) at(i uint32) *group { return &s.pages[i/slabPage][i%slabPage] }

// take makes a new group and returns it with its index.
func (s *groupSlab) take() *group {
	if int(s.n/slabPage) == len(s.pages) {
		s.pages = append(s.pages, make([]group, slabPage))
	}
	g := s.at(s.n)
	g.slot = s.n
	s.n++
	return g
}
