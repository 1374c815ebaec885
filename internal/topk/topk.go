// Package topk counts how often keys occur in a stream whose number of distinct keys is unbounded
// (source addresses, URL paths), in bounded memory. Counts are exact until the counter holds
// Capacity keys. After that, keys that are not held are counted in a count-min sketch, and a key
// replaces the held key with the smallest count only once its sketch estimate exceeds that count
// (the evicted key's count goes into the sketch). A stream of one-off keys then costs a hash and a
// few increments per key instead of a heap update, and every reported count is an upper bound
// whose possible overestimate is reported with it. The heaviest keys, the ones a report lists,
// stay accurate.
package topk

import (
	"cmp"
	"slices"
	"strings"
)

// Counter is a bounded frequency counter. It is not safe for concurrent use; give each goroutine
// its own and Merge them.
type Counter struct {
	capacity int
	index    index
	byCount  minHeap
	// sketch counts the keys not held, once the counter is full; nil until then.
	sketch *sketch
	// evictions counts the keys that were counted in the sketch rather than held; non-zero
	// means the counts are upper bounds.
	evictions int64
	// entries is where hold places new entries, a block at a time (an entry is never freed,
	// only reused by replace): one allocation per block rather than per key.
	entries []entry
}

type entry struct {
	key   string
	hash  uint64 // Hash(key), which also places the key in the sketch
	count int64
	// overcount is the count the key inherited when it replaced another: the most it may be
	// overcounted by.
	overcount int64
	// snapshot is the count the heap orders the entry by. Increments leave it behind, so that
	// counting a key already held is a map lookup; eviction repairs stale snapshots, which are
	// never above the true count, before trusting the heap's minimum.
	snapshot int64
}

// New returns a counter that keeps at most capacity keys.
func New(capacity int) *Counter {
	if capacity < 1 {
		capacity = 1
	}
	return &Counter{capacity: capacity, index: newIndex(capacity)}
}

// Add counts n more occurrences of key. The key is copied only when the counter comes to hold
// it: a key that only goes into the sketch (most of a long tail of one-off sources) costs no
// allocation.
func (c *Counter) Add(key []byte, n int64) {
	h := Hash(key)
	if e := find(&c.index, h, key); e != nil {
		e.count += n
		return
	}
	if c.index.used < c.capacity {
		c.hold(string(key), h, n, 0)
		return
	}
	if min, estimate, ok := c.overflow(h, n); ok {
		c.replace(min, string(key), h, estimate, n, 0)
	}
}

func (c *Counter) insert(key string, h uint64, n, overcount int64) {
	if c.index.used < c.capacity {
		c.hold(key, h, n, overcount)
		return
	}
	if min, estimate, ok := c.overflow(h, n); ok {
		c.replace(min, key, h, estimate, n, overcount)
	}
}

func (c *Counter) hold(key string, h uint64, n, overcount int64) {
	if len(c.entries) == cap(c.entries) {
		// Blocks double from a few entries, so that a counter that holds few keys stays small,
		// up to what the counter can still hold; entries never move, as the heap and the index
		// point to them.
		c.entries = make([]entry, 0, min(max(2*cap(c.entries), 8), c.capacity-c.index.used))
	}
	c.entries = append(c.entries, entry{key: key, hash: h, count: n, overcount: overcount, snapshot: n})
	e := &c.entries[len(c.entries)-1]
	c.index.put(e)
	c.byCount.push(e)
}

// overflow counts n more occurrences of a key that is not held, by its hash, in the sketch. It
// returns the held entry with the smallest count when the key's estimate now exceeds it.
func (c *Counter) overflow(h uint64, n int64) (min *entry, estimate int64, outgrew bool) {
	c.evictions++
	if c.sketch == nil {
		c.sketch = newSketch()
	}
	estimate = c.sketch.add(h, n)
	min = c.minimum()
	return min, estimate, estimate > min.count
}

// replace puts key in the place of min, keeping min's count in the sketch.
func (c *Counter) replace(min *entry, key string, h uint64, estimate, n, overcount int64) {
	c.sketch.add(min.hash, min.count)
	c.index.remove(min)
	min.key, min.hash, min.count, min.overcount = key, h, estimate, estimate-n+overcount
	min.snapshot = min.count
	c.index.put(min)
	c.byCount.fixTop()
}

// minimum returns the entry with the smallest count, at the top of the heap. Every snapshot is at
// most its entry's count, so once the top's snapshot is current no entry can count less.
func (c *Counter) minimum() *entry {
	for {
		top := c.byCount[0]
		if top.snapshot == top.count {
			return top
		}
		top.snapshot = top.count
		c.byCount.fixTop()
	}
}

// Merge adds every count of other into c.
func (c *Counter) Merge(other *Counter) {
	for _, e := range other.byCount {
		if mine := find(&c.index, e.hash, e.key); mine != nil {
			mine.count += e.count
			mine.overcount += e.overcount
			continue
		}
		c.insert(e.key, e.hash, e.count, e.overcount)
	}
	c.evictions += other.evictions
	if other.sketch != nil {
		if c.sketch == nil {
			c.sketch = newSketch()
		}
		c.sketch.merge(other.sketch)
	}
}

// Approximate reports whether any count may be overestimated because the counter overflowed.
func (c *Counter) Approximate() bool { return c.evictions > 0 }

// Item is one key and its count.
type Item struct {
	Key   string
	Count int64
	// MaxError is how much Count may exceed the true count (0 when exact).
	MaxError int64
}

// Top returns the n keys with the highest counts, highest first; ties are ordered by key so that
// output is deterministic.
func (c *Counter) Top(n int) []Item {
	if n < 0 || n > len(c.byCount) {
		n = len(c.byCount)
	}
	var top []*entry
	if n > topBySelection {
		top = slices.Clone(c.byCount)
		slices.SortFunc(top, rank)
		top = top[:n]
	} else {
		// A report asks for a few of the thousands of entries held: keeping the best n seen so
		// far, in order, turns most entries down with one comparison instead of sorting them.
		top = make([]*entry, 0, n)
		for _, e := range c.byCount {
			if len(top) == n && (n == 0 || rank(e, top[n-1]) >= 0) {
				continue
			}
			if len(top) < n {
				top = append(top, nil)
			}
			i := len(top) - 1
			for ; i > 0 && rank(e, top[i-1]) < 0; i-- {
				top[i] = top[i-1]
			}
			top[i] = e
		}
	}
	items := make([]Item, len(top))
	for i, e := range top {
		items[i] = Item{Key: e.key, Count: e.count, MaxError: e.overcount}
	}
	return items
}

// topBySelection is the largest n for which Top selects rather than sorts.
const topBySelection = 64

// rank orders entries as Top lists them: the higher count first, then the smaller key. Keys are
// distinct, so no two entries rank alike.
func rank(a, b *entry) int {
	if a.count != b.count {
		return cmp.Compare(b.count, a.count)
	}
	return strings.Compare(a.key, b.key)
}

// minHeap orders the held entries by snapshot, the smallest first. Its moves are container/heap's,
// written out so that a comparison is not a call through an interface; the layout must stay the
// same, as Merge visits the entries in heap order.
type minHeap []*entry

func (h minHeap) less(i, j int) bool { return before(h[i], h[j]) }

// before reports whether a belongs above b in the heap.
func before(a, b *entry) bool {
	if a.snapshot != b.snapshot {
		return a.snapshot < b.snapshot
	}
	return a.key > b.key
}

func (h *minHeap) push(e *entry) {
	*h = append(*h, e)
	q := *h
	for j := len(q) - 1; j > 0; {
		i := (j - 1) / 2
		if !q.less(j, i) {
			break
		}
		q[i], q[j] = q[j], q[i]
		j = i
	}
}

// fixTop restores the order after the top entry grew. The entry sinks through a hole rather
// than by swaps, and is compared from a local: the moves, and so the layout, are the swaps'.
func (h minHeap) fixTop() {
	n := len(h)
	if n == 0 {
		return
	}
	e, i := h[0], 0
	for {
		j := 2*i + 1
		if j >= n {
			break
		}
		c := h[j]
		if j2 := j + 1; j2 < n && before(h[j2], c) {
			j, c = j2, h[j2]
		}
		if !before(c, e) {
			break
		}
		h[i], i = c, j
	}
	h[i] = e
}

// index finds a held entry by its key's hash: open addressing with linear probing in a table of
// at least four times the capacity, so probes stay short (a quarter full, a key not held is
// turned down after 1.4 probes on average, against 2.5 half full); it never grows. Compared with
// a map keyed by string, a lookup hashes the key once (the sketch's hash, needed anyway once the
// counter is full) and compares it only with entries of the same hash. The slots hold the hash
// beside the entry, so that a probe past other keys reads no entry.
type index struct {
	slots []slot
	mask  uint64
	used  int
}

type slot struct {
	hash uint64
	e    *entry
}

func newIndex(capacity int) index {
	n := 8
	for n < 4*capacity {
		n *= 2
	}
	return index{slots: make([]slot, n), mask: uint64(n - 1)}
}

func find[T string | []byte](x *index, h uint64, key T) *entry {
	for i := h & x.mask; ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if s.e == nil || s.hash == h && s.e.key == string(key) {
			return s.e
		}
	}
}

func (x *index) put(e *entry) {
	i := e.hash & x.mask
	for x.slots[i].e != nil {
		i = (i + 1) & x.mask
	}
	x.slots[i] = slot{hash: e.hash, e: e}
	x.used++
}

// remove deletes e, shifting back the entries after it that would otherwise no longer be found.
func (x *index) remove(e *entry) {
	i := e.hash & x.mask
	for x.slots[i].e != e {
		i = (i + 1) & x.mask
	}
	for j := (i + 1) & x.mask; x.slots[j].e != nil; j = (j + 1) & x.mask {
		home := x.slots[j].hash & x.mask
		if (j-home)&x.mask >= (j-i)&x.mask {
			x.slots[i] = x.slots[j]
			i = j
		}
	}
	x.slots[i] = slot{}
	x.used--
}
