package engine

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
)

// CorrelationShards is how many shards a ShardedCorrelator spreads groups over, by key hash. It is
// fixed rather than taken from the number of cores, so that where the bounds of Limits bite (which
// group is evicted) does not depend on the machine.
const CorrelationShards = 4

// parallelFrom is the number of cores from which the shards count on goroutines of their own.
// Below it the workers that parse keep every core busy, and handing batches between goroutines
// costs more CPU than it saves wall time: the shards then run in turn on the planning goroutine,
// with the same results.
const parallelFrom = 4

// Hashed is one observation, or a run of equal consecutive ones, as a worker hands it to a
// ShardedCorrelator: the key and value by hash, their bytes once per line in the batch's arena.
type Hashed struct {
	Time       event.Time
	Key, Value uint64
	First      int64 // line number of the first observation of the run
	Corr       int32
	// N counts the observations of the run, the last of them lastAfter lines after the first.
	// Both are narrow, so that the record keeps the places of two values of the key in 72 bytes:
	// a run that would outgrow them is ended (see maxRun).
	N         uint16
	lastAfter uint16
	// keyAt and key1At locate the key's values in the batch's arena when the key has one or two,
	// keyAt their places in parts when it has more; valueAt locates the value's bytes in the
	// arena.
	keyAt, key1At, valueAt span
}

// maxRun is the most observations, and the most lines from the first to the last, of a run: the
// widths of Hashed.N and Hashed.lastAfter.
const maxRun = math.MaxUint16

// last returns the line number of o's last observation.
func (o *Hashed) last() int64 { return o.First + int64(o.lastAfter) }

// span is where bytes are in a batch's arena (or values' places are in its parts): its start in
// the low half, its end in the high half, so that one load or store moves it.
type span uint64

func spanOf(start, end int) span { return span(uint32(start)) | span(uint32(end))<<32 }

func (s span) start() uint32 { return uint32(s) }
func (s span) end() uint32   { return uint32(s >> 32) }
func (s span) len() uint32   { return s.end() - s.start() }

// Batch is the observations of one chunk of input, in input order. A worker fills it with Add;
// the correlator's goroutines read it; Reset makes it ready for another chunk.
type Batch struct {
	// File names the input the lines come from.
	File   string
	fileNo uint64 // see fileNumbers
	Obs    []Hashed
	// Untimed and Ungrouped count observations that were not added (see Stats).
	Untimed, Ungrouped int64

	// arena holds the bytes of the fields the observations keep, each once per line; parts holds
	// the places of the group-by values of each observation whose key has more than two.
	arena []byte
	parts []span
	// plan holds per correlation what Add reads of it, next to the batch rather than behind
	// three pointers in the rule; planOf is the engine it was made for.
	plan   []addPlan
	planOf *Engine
	// fields holds what Add found of the fields of the line at, of event ev: a line's rules mostly
	// group by the same fields (a firewall line feeds three correlations by its source), so each
	// field is hashed and kept once. Bit f of have says fields[f] is of this line, of grouped that
	// its value can be a group-by value (see ungroupedValue).
	fields        [64]lineField // by field&63: 64 entries, so that indexing needs no bounds check
	have, grouped uint64
	at            int64
	ev            *event.Event

	seq0   int64    // global index of Obs[0]
	items  [][]item // per shard
	bursts [][]orderedBurst
	// ticks holds per correlation the observations at which its clock moved forward; after a jump
	// back in time a new segment starts at segment[ci].
	ticks   [][]tickAt
	segment []int32
	done    sync.WaitGroup
}

type addPlan struct {
	// key0 and key1 are the first two group-by fields (key1 FieldNone when there is one), rest
	// the others.
	key0, key1 event.Field
	rest       []event.Field
	field      event.Field
	// keys has a bit set for each group-by field, fields for each field read.
	keys, fields uint64
	// last is the index in Obs of the correlation's latest observation, or -1; lastKey is its
	// key.
	last    int
	lastKey uint64
}

func newAddPlan(c *sigma.Correlation) addPlan {
	p := addPlan{field: c.Field, last: -1}
	for i, f := range c.GroupBy {
		switch i {
		case 0:
			p.key0 = f
		case 1:
			p.key1 = f
		default:
			p.rest = append(p.rest, f)
		}
		p.keys |= 1 << f
	}
	p.fields = p.keys
	if c.Field != event.FieldNone {
		p.fields |= 1 << c.Field
	}
	return p
}

// lineField is one field of the line being added: the hash of its value, and where its bytes are
// in the arena.
type lineField struct {
	hash uint64
	at   span
}

// Reset empties b for the next chunk of file.
func (b *Batch) Reset(file string) {
	b.File = file
	b.Obs, b.arena, b.parts = b.Obs[:0], b.arena[:0], b.parts[:0]
	b.Untimed, b.Ungrouped = 0, 0
	b.have, b.ev = 0, nil
	for i := range b.plan {
		b.plan[i].last = -1
	}
}

// BatchSize is how much a batch holds: observations, and the bytes and places of their values.
type BatchSize struct{ obs, arena, parts int }

// Size returns how much b holds.
func (b *Batch) Size() BatchSize { return BatchSize{len(b.Obs), len(b.arena), len(b.parts)} }

// Max returns the larger of s and o in each measure.
func (s BatchSize) Max(o BatchSize) BatchSize {
	return BatchSize{max(s.obs, o.obs), max(s.arena, o.arena), max(s.parts, o.parts)}
}

// Grow makes room in b for s in all: a batch about as large as an earlier one is then filled
// without being copied as it grows, a quarter at a time, which made garbage of about four times
// its final size.
func (b *Batch) Grow(s BatchSize) {
	b.Obs = growTo(b.Obs, s.obs)
	b.arena = growTo(b.arena, s.arena)
	b.parts = growTo(b.parts, s.parts)
}

// growTo returns s with a capacity of at least n.
func growTo[T any](s []T, n int) []T {
	if n > cap(s) {
		return slices.Grow(s, n-len(s))
	}
	return s
}

// Add records that ev, at line, matched a base rule of correlation ci. It reports whether the
// observation took a new place in b.Obs; false means it was merged into the previous observation of
// ci (same key, value and time) or only counted (no time, or no group-by value). The observations
// of one line are added one after another, those of one batch (from Reset to Reset) for one
// engine.
func (e *Engine) Add(b *Batch, ci int, ev *event.Event, line int64) bool {
	// The plan and the time are looked at once per line: a line's later observations are of
	// the same event, and the line of an event without a time is never b.at.
	if line != b.at || ev != b.ev {
		if b.planOf != e {
			b.makePlan(e)
		}
		if !ev.Time.Known {
			b.Untimed++
			return false
		}
		b.at, b.ev, b.have = line, ev, 0
	}
	c := &b.plan[ci]
	if need := c.fields &^ b.have; need != 0 {
		b.hashFields(ev, need)
	}
	if c.keys&^b.grouped != 0 {
		b.Ungrouped++
		return false
	}
	// The key's hash is made of its values' hashes, which the line's other observations share.
	// fields[FieldNone] is never set: an event_count correlation's value and its place are zero.
	hash, keyAt := b.fields[c.key0&63].hash, b.fields[c.key0&63].at
	value, valueAt := b.fields[c.field&63].hash, b.fields[c.field&63].at
	var key1At span
	if c.key1 != event.FieldNone {
		// A second value's place goes in the record, more go in parts (seldom).
		key1At = b.fields[c.key1&63].at
		hash = combineHash(hash, b.fields[c.key1&63].hash)
		if len(c.rest) > 0 {
			keyAt, hash = b.keyParts(c, keyAt, key1At, hash)
		}
	}
	// The correlation's latest observation is compared by its key, kept in the plan (most keys
	// differ), then where it is, in Obs: kept in the plan too, its value and time cost three more
	// stores per observation.
	if c.lastKey == hash && c.last >= 0 {
		if o := &b.Obs[c.last]; o.Value == value && o.Time == ev.Time && o.N < maxRun && uint64(line-o.First) <= maxRun {
			if len(c.rest) > 0 {
				b.parts = b.parts[:keyAt.start()]
			}
			o.N++
			o.lastAfter = uint16(line - o.First)
			return false
		}
	}
	n := len(b.Obs)
	c.last, c.lastKey = n, hash
	if n == cap(b.Obs) {
		b.Obs = slices.Grow(b.Obs, 1)
	}
	// Filled in place, field by field, each field written once: a composite literal was built on
	// the stack and copied, after a copy of the zero value.
	b.Obs = b.Obs[:n+1]
	o := &b.Obs[n]
	o.Time, o.Key, o.Value, o.First, o.N, o.lastAfter, o.Corr, o.keyAt, o.key1At, o.valueAt = ev.Time, hash, value, line, 1, 0, int32(ci), keyAt, key1At, valueAt
	return true
}

// keyParts puts the places of the values of c's key in parts, given those of the first two and
// the hash of the first two, and returns the span of parts they take and the key's hash: for
// Add, out of line, as keys of three values or more are seldom.
//
//go:noinline
func (b *Batch) keyParts(c *addPlan, key0At, key1At span, hash uint64) (span, uint64) {
	start := len(b.parts)
	b.parts = append(b.parts, key0At, key1At)
	for _, f := range c.rest {
		b.parts = append(b.parts, b.fields[f&63].at)
		hash = combineHash(hash, b.fields[f&63].hash)
	}
	return spanOf(start, len(b.parts)), hash
}

// makePlan makes b's plan for e's correlations, out of line: it is made once per batch, and
// written in Add it made Add's frame large and its entry spill every argument.
//
//go:noinline
func (b *Batch) makePlan(e *Engine) {
	b.plan = make([]addPlan, len(e.Correlations))
	for i, r := range e.Correlations {
		b.plan[i] = newAddPlan(r.Correlation)
	}
	b.planOf = e
}

// hashFields hashes the fields of the line being added in need, and keeps their bytes in the
// arena: the fields hashed are nearly always kept, and copied here the copy costs no call in Add.
func (b *Batch) hashFields(ev *event.Event, need uint64) {
	b.have |= need
	// Room for every value's two 8-byte stores, made once: the loop's common case then makes
	// no call, and keeps its values in registers.
	if cap(b.arena)-len(b.arena) < arenaRoom {
		b.growArena()
	}
	for ; need != 0; need &= need - 1 {
		f := event.Field(bits.TrailingZeros64(need))
		v := ev.Get(f)
		n := len(v)
		if uint(n-1) >= 16 {
			b.hashField(f, v)
			continue
		}
		// An address or a port: hashed and copied from its two edge words, without the calls
		// of maphash and append, which cost more than the value's few bytes.
		x, y := edgeWords(v)
		if zeroIn(x, y) {
			b.hashField(f, v)
			continue
		}
		start := len(b.arena)
		putEdges((*[16]byte)(b.arena[start:start+16]), v, x, y)
		b.arena = b.arena[:start+n]
		b.fields[f&63] = lineField{hash: shortHash(x, y, n), at: spanOf(start, start+n)}
		b.grouped |= 1 << f
	}
}

// hashField is hashFields' work for one field f of value v, of any length, out of line: for the
// values hashFields does not do inline (empty, long or with a 0 byte). It leaves room for the
// fields still to be done, as hashFields does.
//
//go:noinline
func (b *Batch) hashField(f event.Field, v []byte) {
	start := len(b.arena)
	b.arena = append(b.arena, v...)
	b.fields[f&63] = lineField{hash: valueHash(v), at: spanOf(start, len(b.arena))}
	if len(v) == 0 || hasZero(v) && ungroupedValue(v) {
		b.grouped &^= 1 << f
	} else {
		b.grouped |= 1 << f
	}
	if cap(b.arena)-len(b.arena) < arenaRoom {
		b.growArena()
	}
}

// valueHash hashes a value of a key or of a value_count field. Groups and distinct values are
// told apart by their 64-bit hash alone (the group table compares full hashes, not bytes): with
// a seeded hash of 64 well-mixed bits, two of the at most Limits.Groups live groups of a
// correlation share a hash with a probability below 2^-32 over a whole run of billions of keys.
// Values of 1 to 16 bytes take shortHash (what hashFields computes inline), the others maphash.
func valueHash(v []byte) uint64 {
	if n := len(v); uint(n-1) < 16 {
		x, y := edgeWords(v)
		return shortHash(x, y, n)
	}
	return maphash.Bytes(keySeed, v)
}

// shortHash hashes a value of n bytes, 1 to 16, given its edge words (see edgeWords), which with
// n determine it. Two rounds of a folded 64×64→128-bit multiply of the words xor-ed with secret
// keys, as the Go runtime's hash does where it lacks AES: the first mixes the two words, the
// second the length and every bit of the first result into every bit of the hash.
func shortHash(x, y uint64, n int) uint64 {
	hi, lo := bits.Mul64(x^shortKeys[0], y^shortKeys[1])
	hi, lo = bits.Mul64(hi^lo^shortKeys[2], uint64(n)^shortKeys[3])
	return hi ^ lo
}

// shortKeys are drawn from keySeed, so that which values collide is not known in advance.
var shortKeys = [4]uint64{
	maphash.String(keySeed, "short0"), maphash.String(keySeed, "short1"),
	maphash.String(keySeed, "short2"), maphash.String(keySeed, "short3") | 1,
}

// putEdges writes v, of 1 to 16 bytes with edge words x and y, at the start of w, of 16 bytes,
// with stores that may overlap rather than a call to memmove; the bytes of w past v are left
// undefined.
func putEdges(w *[16]byte, v []byte, x, y uint64) {
	switch n := len(v); {
	case n >= 8:
		binary.LittleEndian.PutUint64(w[:], x)
		binary.LittleEndian.PutUint64(w[n-8:], y)
	case n >= 4:
		binary.LittleEndian.PutUint32(w[:], uint32(x))
		binary.LittleEndian.PutUint32(w[n-4:], uint32(y))
	default:
		w[0], w[n/2], w[n-1] = v[0], v[n/2], v[n-1]
	}
}

// arenaRoom is the room hashFields makes in the arena before it copies values: 16 bytes for each
// field there is, so that it need not count the fields it copies.
const arenaRoom = 16 * 64

// growArena makes room for arenaRoom more bytes in the arena, out of line: it is seldom called.
//
//go:noinline
func (b *Batch) growArena() {
	b.arena = slices.Grow(b.arena, arenaRoom)
}

// hasZero reports whether v has a 0 byte. A value of 1 to 16 bytes (an address, a port) is looked
// at in two words, which costs less than the call to IndexByte.
func hasZero(v []byte) bool {
	if uint(len(v)-1) < 16 {
		return zeroIn(edgeWords(v))
	}
	return bytes.IndexByte(v, 0) >= 0
}

// edgeWords returns the first and the last 8 bytes of v, of 1 to 16 bytes, as words that may
// overlap; a v of 4 to 7 bytes gives its first and last 4 with the high bytes set, one of 1 to 3
// bytes its first, middle and last byte (which are all of its bytes) with the high bytes set,
// twice. With len(v) the words determine v, and their 0 bytes are v's.
func edgeWords(v []byte) (a, b uint64) {
	switch n := len(v); {
	case n >= 8:
		return binary.LittleEndian.Uint64(v), binary.LittleEndian.Uint64(v[n-8:])
	case n >= 4:
		const high = 0xffffffff << 32
		return uint64(binary.LittleEndian.Uint32(v)) | high, uint64(binary.LittleEndian.Uint32(v[n-4:])) | high
	default:
		const high = 0xffffffffff << 24
		a = uint64(v[0]) | uint64(v[n/2])<<8 | uint64(v[n-1])<<16 | high
		return a, a
	}
}

// zeroIn reports whether a or b has a 0 byte: subtracting 1 from every byte borrows into the high
// bit of a byte that was 0 (and only after such a byte, so the test is exact).
func zeroIn(a, b uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return ((a-ones)&^a|(b-ones)&^b)&highs != 0
}

// ungroupedValue reports whether v, a value with a 0 byte, leaves a key ungrouped: in a key of
// values each followed by a 0 byte it would make an empty value (see ungrouped).
func ungroupedValue(v []byte) bool {
	return v[0] == 0 || v[len(v)-1] == 0 || bytes.Contains(v, []byte{0, 0})
}

// combineHash adds the hash of a key's next value to the hash of the values before it. The
// multiply mixes both into every bit of the result, and the keys of the seed make the result
// depend on the values' order: the sources and destinations of two flows the other way round
// are two groups.
func combineHash(h, next uint64) uint64 {
	hi, lo := bits.Mul64(h^combineKeys[0], next^combineKeys[1])
	return hi ^ lo
}

// combineKeys are drawn from keySeed, so that which keys collide is not known in advance.
var combineKeys = [2]uint64{maphash.String(keySeed, "combine0") | 1, maphash.String(keySeed, "combine1") | 1}

func (b *Batch) bytes(s span) []byte { return b.arena[s.start():s.end():s.end()] }

// group returns the group-by values of o, n of them, each a string.
func (b *Batch) group(o *Hashed, n int) []string {
	switch n {
	case 1:
		return []string{string(b.bytes(o.keyAt))}
	case 2:
		return []string{string(b.bytes(o.keyAt)), string(b.bytes(o.key1At))}
	}
	out := make([]string, 0, n)
	for _, p := range b.parts[o.keyAt.start():o.keyAt.end()] {
		out = append(out, string(b.bytes(p)))
	}
	return out
}

// item is one step of a shard's work on a batch: an observation (obs) or a jump back in time
// (stepJump), with the correlation's clock before it and the segment of its ticks up to it.
type item struct {
	seq    int64
	clock  int64
	corr   int32
	obs    int32
	lo, hi int32
	kind   step
}

// orderedBurst is a burst with its place in the output.
type orderedBurst struct {
	b     *Burst
	order burstOrder
}

// ShardedCorrelator is Correlator with its groups spread over CorrelationShards shards by key hash,
// each on a goroutine of its own on machines of parallelFrom cores or more. One goroutine submits
// the batches in input order (Submit), which keeps the correlations' clocks; the shards count;
// Bursts hands back what a batch produced, each burst where Correlator would have reported it.
type ShardedCorrelator struct {
	e        *Engine
	parallel bool
	clock    timeline
	shards   []*shard
	queues   []chan *Batch
	wg       sync.WaitGroup
	seq      int64
	stats    Stats
	files    fileNumbers
}

// NewShardedCorrelator returns a correlator whose shards run on goroutines of their own when
// cores is at least parallelFrom; Close stops them.
func (e *Engine) NewShardedCorrelator(limits Limits, cores int) *ShardedCorrelator {
	s := &ShardedCorrelator{e: e, clock: newTimeline(e), parallel: cores >= parallelFrom}
	limits = limits.withDefaults()
	for i := 0; i < CorrelationShards; i++ {
		sh := newShard(e, limits, CorrelationShards)
		s.shards = append(s.shards, sh)
		if !s.parallel {
			continue
		}
		q := make(chan *Batch, 4)
		s.queues = append(s.queues, q)
		s.wg.Add(1)
		go func(i int) {
			defer s.wg.Done()
			for b := range q {
				s.run(i, b)
				b.done.Done()
			}
		}(i)
	}
	return s
}

// Submit plans b and hands it to the shards. Batches must be submitted in input order, from one
// goroutine; b must not be changed until Bursts(b) has returned.
//
// The plan keeps each correlation's clock. On goroutines, idle groups are expired by their shard
// when it next looks at their correlation and at the end of the batch, each burst placed at the
// tick at which its window passed, so that no shard has to hear of every tick; inline, every
// shard expires at the tick itself.
func (s *ShardedCorrelator) Submit(b *Batch) {
	n := len(s.shards)
	if len(b.items) != n {
		b.items, b.bursts = make([][]item, n), make([][]orderedBurst, n)
	}
	if len(b.ticks) != len(s.e.Correlations) {
		b.ticks, b.segment = make([][]tickAt, len(s.e.Correlations)), make([]int32, len(s.e.Correlations))
	}
	for i := range b.items {
		b.items[i], b.bursts[i] = b.items[i][:0], b.bursts[i][:0]
	}
	for ci := range b.ticks {
		b.ticks[ci], b.segment[ci] = b.ticks[ci][:0], 0
	}
	b.seq0 = s.seq
	b.fileNo = s.files.number(b.File)
	s.stats.Untimed += b.Untimed
	s.stats.Ungrouped += b.Ungrouped
	if !s.parallel {
		s.runInline(b)
		return
	}
	for i := range b.Obs {
		o := &b.Obs[i]
		ci := o.Corr
		seq := s.seq + int64(i)
		before := s.clock[ci].clock
		switch s.clock[ci].step(o.Time.UnixNano) {
		case stepJump:
			s.stats.Discontinuities++
			for j := range b.items {
				b.items[j] = append(b.items[j], item{seq: seq, kind: stepJump, corr: ci, clock: before, lo: b.segment[ci], hi: int32(len(b.ticks[ci]))})
			}
			b.segment[ci] = int32(len(b.ticks[ci]))
		case stepTick:
			b.ticks[ci] = append(b.ticks[ci], tickAt{seq: seq, clock: o.Time.UnixNano})
		}
		j := shardOf(o.Key, n)
		b.items[j] = append(b.items[j], item{seq: seq, corr: ci, obs: int32(i), clock: s.clock[ci].clock, lo: b.segment[ci], hi: int32(len(b.ticks[ci]))})
	}
	s.seq += int64(len(b.Obs))
	b.done.Add(n)
	for _, q := range s.queues {
		q <- b
	}
}

// shardOf takes the modulus in uint64: int(key>>32) is negative for half the keys where int is 32 bits.
func shardOf(key uint64, n int) int { return int((key >> 32) % uint64(n)) }

// runInline is Submit's plan and the shards' work in one pass, on the calling goroutine.
func (s *ShardedCorrelator) runInline(b *Batch) {
	for i, sh := range s.shards {
		out := &b.bursts[i]
		sh.emit = func(bu *Burst, o burstOrder) { *out = append(*out, orderedBurst{bu, o}) }
	}
	obs, shards, seq0 := b.Obs, s.shards[:CorrelationShards], s.seq
	for i := range obs {
		o := &obs[i]
		seq := seq0 + int64(i)
		t := o.Time.UnixNano
		cc := &s.clock[o.Corr]
		if t > cc.clock && uint64(t) < uint64(cc.calm) {
			cc.clock = t // a tick that finds nothing to expire (most)
		} else if t > cc.clock || t < cc.clock-cc.span {
			// The clock moves (cc.step): out of line, so that the loop's common case keeps
			// its values in registers across the one call it makes.
			s.advance(cc, int(o.Corr), t, seq)
		}
		j := shardOf(o.Key, CorrelationShards)
		shards[j].add(b, o, seq, cc, j)
	}
	s.seq += int64(len(b.Obs))
}

// advance moves correlation ci's clock cc to t, at observation seq, for runInline: a tick at or
// after cc.calm expires the groups that fell quiet, a jump back in time ends every window.
//
//go:noinline
func (s *ShardedCorrelator) advance(cc *corrClock, ci int, t, seq int64) {
	low := &cc.low
	switch cc.step(t) {
	case stepJump:
		s.stats.Discontinuities++
		for j, sh := range s.shards {
			sh.seq = seq
			sh.flush(ci)
			low[j], cc.lowSingles[j] = math.MaxInt64, math.MaxInt64
		}
		cc.calm = math.MaxInt64
	case stepTick:
		// Every shard hears of the tick at once, so nothing is left to expire later; a
		// shard whose oldest activity is within the timespan has nothing to expire.
		shards := s.shards[:CorrelationShards]
		span, singlesSpan := cc.span, cc.span+cc.span/singleSlack
		calm := int64(math.MaxInt64)
		for j := range low {
			if t-low[j] > span {
				sh := shards[j]
				sh.seq = seq
				low[j], cc.lowSingles[j] = sh.expire(ci, t, nil)
			} else if t-cc.lowSingles[j] > singlesSpan {
				cc.lowSingles[j] = shards[j].states[ci].expireSingles(t)
			}
			calm = min(calm, quietFrom(low[j], span), quietFrom(cc.lowSingles[j], singlesSpan))
		}
		cc.calm = calm
	}
}

// observe has sh count o, once the groups that fell quiet before it are expired.
func (s *ShardedCorrelator) observe(sh *shard, b *Batch, o *Hashed, seq, clock int64, ticks []tickAt) {
	sh.seq = seq
	sh.expire(int(o.Corr), clock, ticks)
	// The shard expires at every observation here, without bounds: add lowers those of a clock
	// of its own, which nothing reads.
	sh.unbounded.clock = clock
	sh.add(b, o, seq, &sh.unbounded, 0)
}

// endBatch expires what fell quiet during the batch, so that it is reported with it.
func (s *ShardedCorrelator) endBatch(sh *shard, b *Batch) {
	for ci, ticks := range b.ticks {
		if seg := ticks[b.segment[ci]:]; len(seg) > 0 {
			sh.expire(ci, seg[len(seg)-1].clock, seg)
		}
	}
}

func (s *ShardedCorrelator) run(i int, b *Batch) {
	sh := s.shards[i]
	out := b.bursts[i]
	sh.emit = func(bu *Burst, o burstOrder) { out = append(out, orderedBurst{bu, o}) }
	for k := range b.items[i] {
		it := &b.items[i][k]
		ticks := b.ticks[it.corr][it.lo:it.hi]
		if it.kind == stepJump {
			sh.seq = it.seq
			sh.expire(int(it.corr), it.clock, ticks)
			sh.seq = it.seq
			sh.flush(int(it.corr))
			continue
		}
		s.observe(sh, b, &b.Obs[it.obs], it.seq, it.clock, ticks)
	}
	s.endBatch(sh, b)
	b.bursts[i] = out
}

// Concurrent reports whether the shards run on goroutines of their own: Submit then returns
// before they are done, and the caller may submit further batches before it asks for Bursts.
func (s *ShardedCorrelator) Concurrent() bool { return s.parallel }

// Bursts waits until the shards are done with b and calls emit for each burst b produced, in
// order, with the index in b.Obs of the observation at which it was reported: it belongs after
// the findings of the lines before that observation. b may be reused afterwards.
func (s *ShardedCorrelator) Bursts(b *Batch, emit func(at int, bu *Burst)) {
	b.done.Wait()
	var all []orderedBurst
	for i, bs := range b.bursts {
		all = append(all, bs...)
		clear(bs) // the bursts belong to the caller now
		b.bursts[i] = bs[:0]
	}
	sortBursts(all)
	for _, ob := range all {
		emit(int(ob.order.seq-b.seq0), ob.b)
	}
}

func sortBursts(all []orderedBurst) {
	slices.SortStableFunc(all, func(x, y orderedBurst) int {
		switch {
		case x.order.less(y.order):
			return -1
		case y.order.less(x.order):
			return 1
		}
		return 0
	})
}

// Close stops the shards and reports every burst still open, as Correlator.Flush does: each
// correlation in turn, its groups oldest first. Every submitted batch must have been passed to
// Bursts first.
func (s *ShardedCorrelator) Close(emit func(*Burst)) {
	for _, q := range s.queues {
		close(q)
	}
	s.wg.Wait()
	for ci := range s.e.Correlations {
		var all []orderedBurst
		for _, sh := range s.shards {
			sh.emit = func(bu *Burst, o burstOrder) { all = append(all, orderedBurst{bu, o}) }
			sh.seq = 0 // one moment for every shard: only the groups' ages order the bursts
			sh.flush(ci)
		}
		sortBursts(all)
		for _, ob := range all {
			emit(ob.b)
		}
	}
}

// Stats sums what the shards and the planning counted; call it after Close.
func (s *ShardedCorrelator) Stats() Stats {
	st := s.stats
	for _, sh := range s.shards {
		st.add(&sh.stats)
	}
	return st
}
