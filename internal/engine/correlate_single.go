package engine

import (
	"encoding/binary"

	"github.com/keikai-project/keikai/internal/event"
)

// single is a group seen once so far. On real logs most groups are (a firewall denies tens of
// thousands of sources once each), so they are kept in a ring of fixed records, in the order of
// their activity, rather than as groups: no group, window buffers or list links to set up and
// tear down, and a record is one cache line. A second observation makes it a group (promote).
type single struct {
	hash uint64
	// t is the group's time: its last activity and its window's start.
	t     int64
	seq   int64
	line  int64
	value uint64 // the value's hash (value_count)
	// offset and file's singleZoned bit complete the window start's event.Time.
	offset int32
	// file is the index of the line's file in the ring's files.
	file uint32
	// n is how many bytes of val are the value, or singleDead once the record is promoted.
	n   uint8
	val [singleValue]byte
}

const (
	// singleValue is the longest value a single keeps (an IPv4 address, a port); an observation
	// with a longer one makes a group at once.
	singleValue = 15
	singleDead  = 0xff
	singleZoned = 1 << 31
	// singleRef marks a group table reference to a single: the rest is its ring index.
	singleRef = 1 << 31
)

// singles is a correlation's ring of singles, oldest first: by time, then by input order, like
// the groups' activity list. Only an observation no earlier than the newest single becomes one,
// which keeps the ring in order without moving records. Indexes grow without bound (modulo 2^32);
// a record is at index & (len(recs)-1).
type singles struct {
	recs       []single
	head, tail uint32
	live       int
	lastT      int64 // time of the newest record pushed
	files      []string
	lastFile   uint64 // the number of the last of files (see fileNumbers)
}

func (r *singles) at(i uint32) *single { return &r.recs[i&uint32(len(r.recs)-1)] }

// oldest returns the oldest single, or nil.
func (r *singles) oldest() *single {
	if r.head == r.tail {
		return nil
	}
	return r.at(r.head)
}

// skipDead moves the head past promoted records, so that the head is a live record or the end.
func (r *singles) skipDead() {
	for r.head != r.tail && r.at(r.head).n == singleDead {
		r.head++
	}
}

// canBeSingle reports whether o, at t, the first observation of its group, with a value of n
// bytes, can be kept as a single: it leaves the group's window unsatisfied, it is not older than
// the newest single, and its value is short enough.
func (st *corrState) canBeSingle(o *Hashed, t int64, n int) bool {
	r := &st.singles
	// A time before 1970 would make the group's last activity 0 (newGroup's start), not t.
	return o.N == 1 && st.need >= 2 && t >= 0 && (r.head == r.tail || t >= r.lastT) && n <= singleValue
}

// pushSingle keeps o of batch b, at seq, as the single of a new group; free is the table slot
// where the key's lookup stopped, or noFree.
func (st *corrState) pushSingle(b *Batch, o *Hashed, seq int64, free uint64) {
	r := &st.singles
	if r.live == 0 {
		r.files = r.files[:0]
	}
	if r.tail-r.head == uint32(len(r.recs)) {
		st.resizeSingles() // moves no table slot
	}
	file := len(r.files) - 1
	if file < 0 || r.lastFile != b.fileNo {
		r.files = append(r.files, b.File)
		r.lastFile = b.fileNo
		file++
	}
	x := r.at(r.tail)
	// Field by field: the bytes of val past n are never read, so the record is not cleared.
	x.hash, x.t, x.seq, x.line, x.value, x.offset, x.file = o.Key, o.Time.UnixNano, seq, o.First, o.Value, o.Time.Offset, uint32(file)
	if o.Time.Zoned {
		x.file |= singleZoned
	}
	x.n = copyShort(&x.val, b.bytes(o.valueAt))
	ref := singleRef | r.tail&(singleRef-1)
	if t := &st.groups; free != noFree && 4*(t.used+1) <= len(t.slots) {
		// At the slot where the lookup stopped, without a call.
		t.slots[free] = tableSlot{lo: uint32(o.Key), ref: ref}
		t.used++
	} else {
		t.put(o.Key, ref)
	}
	r.tail++
	r.live++
	r.lastT = o.Time.UnixNano
	st.count++
}

// copyShort copies v, at most singleValue bytes, to the start of val: with two loads that may
// overlap rather than a call to memmove, which costs more than the copy of a port or an address.
func copyShort(val *[singleValue]byte, v []byte) uint8 {
	switch n := len(v); {
	case n >= 8:
		binary.LittleEndian.PutUint64(val[0:], binary.LittleEndian.Uint64(v))
		binary.LittleEndian.PutUint64(val[n-8:], binary.LittleEndian.Uint64(v[n-8:]))
	case n >= 4:
		binary.LittleEndian.PutUint32(val[0:], binary.LittleEndian.Uint32(v))
		binary.LittleEndian.PutUint32(val[n-4:], binary.LittleEndian.Uint32(v[n-4:]))
	default:
		//lint:ignore S1001 at most three bytes: a loop, not copy's call to memmove (see above)
		for i := range v {
			val[i] = v[i]
		}
	}
	return uint8(len(v))
}

// resizeSingles makes room in a full ring: it packs the live records at the start of the ring
// when promoted ones took half of it, else doubles it.
func (st *corrState) resizeSingles() {
	r := &st.singles
	old, oldMask := r.recs, uint32(len(r.recs)-1)
	if r.live*2 > len(r.recs) || len(r.recs) == 0 {
		r.recs = make([]single, max(2*len(old), 64))
	}
	// In place, a record only moves towards the head, onto one already read.
	to := r.head
	for i := r.head; i != r.tail; i++ {
		x := old[i&oldMask]
		if x.n == singleDead {
			continue
		}
		*r.at(to) = x
		st.groups.update(x.hash, singleRef|i&(singleRef-1), singleRef|to&(singleRef-1))
		to++
	}
	r.tail = to
}

// promote makes the single at ref a group, in the state a group would have after its first
// observation.
func (sh *shard) promote(st *corrState, ref uint32) *group {
	r := &st.singles
	x := r.at(ref)
	g := sh.newGroup(x.hash)
	g.lastTime, g.lastSeq = x.t, x.seq
	g.windowFrom = Ref{File: r.files[x.file&^singleZoned], Line: x.line,
		Time: event.Time{UnixNano: x.t, Known: true, Zoned: x.file&singleZoned != 0, Offset: x.offset}}
	if st.rule.Correlation.Field == event.FieldNone {
		g.ring = append(g.ring, x.t)
	} else {
		g.seen = append(g.seen, seenValue{hash: x.value, at: x.t})
		g.samples = append(g.samples, x.val[:x.n]...)
		g.sampleEnds = append(g.sampleEnds, int(x.n))
		g.windowEvents = 1
	}
	st.groups.update(x.hash, ref, g.slot+1)
	x.n = singleDead
	r.live--
	r.skipDead()
	st.count--
	return g
}

// dropOldestSingle forgets the oldest single.
func (st *corrState) dropOldestSingle() {
	r := &st.singles
	st.groups.remove(r.at(r.head).hash, singleRef|r.head&(singleRef-1))
	r.head++
	r.live--
	r.skipDead()
	st.count--
}
