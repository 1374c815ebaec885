package engine

import (
	"cmp"
	"hash/maphash"
	"math"
	"slices"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
)

// Observation is one match of a correlation's base rule, as Correlator.Observe takes it. Key and
// Value are only read during Observe.
type Observation struct {
	Corr int
	// Time is when the event happened; events without a known time cannot be placed in a window
	// and are counted in Stats.Untimed instead.
	Time event.Time
	// Key holds the group-by values, each followed by a 0 byte.
	Key []byte
	// Value is the value_count field's value (nil for event_count).
	Value []byte
	At    Ref
}

// Ref points back at the log line behind an observation.
type Ref struct {
	File string
	Line int64
	Time event.Time
}

// Burst is a correlation that fired: a run of observations in one group that satisfied the
// condition, from the moment it did until the group fell quiet for a whole timespan.
type Burst struct {
	Rule *sigma.Rule
	// Group holds the group-by values in the rule's group-by order.
	Group    []string
	Events   int64
	Distinct int64
	// Capped is true when the burst had more distinct values than keikai keeps; Distinct is then
	// a lower bound.
	Capped bool
	// Values samples the first distinct values of the burst's field.
	Values      []string
	First, Last Ref
}

// Limits bound the correlator's memory. The zero value selects the defaults.
type Limits struct {
	// Groups is the most groups kept over all correlations together, shared out evenly; the least
	// recently active group of a correlation is evicted when its share is full.
	Groups int
	// Distinct is the most distinct values kept per burst.
	Distinct int
	// Values is the most distinct values kept by all open bursts together; a burst that would go
	// beyond it stops counting new values (it is Capped).
	Values int
	// Samples is how many values a burst reports.
	Samples int
}

func (l Limits) withDefaults() Limits {
	if l.Groups <= 0 {
		l.Groups = 65_536
	}
	if l.Distinct <= 0 {
		l.Distinct = 65_536
	}
	if l.Values <= 0 {
		l.Values = 262_144
	}
	if l.Samples <= 0 {
		l.Samples = 16
	}
	return l
}

// Stats say where the correlator's bounds were reached, so a report can say so.
type Stats struct {
	// Evicted counts groups dropped to stay within Limits.Groups before their window passed;
	// their partial counts were lost (an evicted group whose condition already held is reported).
	Evicted int64
	// Capped counts bursts that stopped counting distinct values at Limits.Distinct or
	// Limits.Values; their Distinct is a lower bound.
	Capped int64
	// Untimed counts observations without a time.
	Untimed int64
	// Ungrouped counts observations that lack a group-by value: events without a source are not
	// one source, so they are not counted together.
	Ungrouped int64
	// Discontinuities counts jumps back in time by more than a window (logs of an earlier period
	// after later ones); each one ended the windows open at that point.
	Discontinuities int64
}

func (s *Stats) add(o *Stats) {
	s.Evicted += o.Evicted
	s.Capped += o.Capped
	s.Untimed += o.Untimed
	s.Ungrouped += o.Ungrouped
	s.Discontinuities += o.Discontinuities
}

// keySeed hashes group keys and values. Hashes are compared only within one run, so a seed per
// process is enough; every worker and shard must use the same one.
var keySeed = maphash.MakeSeed()

// ungrouped reports whether a key lacks one of its group-by values (an empty value, i.e. a 0 byte
// at the start or right after another).
func ungrouped(key []byte) bool {
	if len(key) > 0 && key[0] == 0 {
		return true
	}
	// Keys are a few dozen bytes: a plain loop beats a substring search.
	for i := 1; i < len(key); i++ {
		if key[i] == 0 && key[i-1] == 0 {
			return true
		}
	}
	return false
}

// Correlator counts observations per correlation and group in sliding windows. It is used from a
// single goroutine, fed in input order, and reports bursts as they finish. In steady state it does
// not allocate: groups are recycled, the activity list is intrusive, and value sets are small
// slices. ShardedCorrelator is the same counting spread over goroutines.
type Correlator struct {
	e     *Engine
	clock timeline
	sh    *shard
	seq   int64
	h     Hashed
	in    sample
	files fileNumbers
	Stats Stats
}

// fileNumbers numbers the files of the observations as they come, so that a shard tells a file
// from the one before by a number rather than by comparing names.
type fileNumbers struct {
	last string
	n    uint64
}

func (f *fileNumbers) number(file string) uint64 {
	if f.n == 0 || file != f.last {
		f.n++
		f.last = file
	}
	return f.n
}

// NewCorrelator returns a correlator for e's correlation rules that passes finished bursts to emit.
func (e *Engine) NewCorrelator(limits Limits, emit func(*Burst)) *Correlator {
	c := &Correlator{e: e, clock: newTimeline(e)}
	c.sh = newShard(e, limits.withDefaults(), 1)
	c.sh.emit = func(b *Burst, _ burstOrder) { emit(b) }
	return c
}

// Observe counts one observation.
func (c *Correlator) Observe(o *Observation) {
	if !o.Time.Known {
		c.Stats.Untimed++
		return
	}
	if ungrouped(o.Key) {
		c.Stats.Ungrouped++
		return
	}
	c.seq++
	t := o.Time.UnixNano
	if c.clock[o.Corr].step(t) == stepJump {
		c.Stats.Discontinuities++
		c.sh.flush(o.Corr)
	}
	c.sh.seq = c.seq
	c.sh.expire(o.Corr, c.clock[o.Corr].clock, nil)
	// h and in live in c: on the stack they would escape through the shard's emit function.
	c.h = Hashed{Time: o.At.Time, Key: maphash.Bytes(keySeed, o.Key), First: o.At.Line, N: 1, Corr: int32(o.Corr)}
	c.in = sample{o: &c.h, t: t, file: o.At.File, fileNo: c.files.number(o.At.File), keyBytes: o.Key, seq: c.seq}
	if c.e.Correlations[o.Corr].Correlation.Field != event.FieldNone {
		c.h.Value, c.in.valueBytes = maphash.Bytes(keySeed, o.Value), o.Value
	}
	c.sh.observe(&c.in)
	c.in = sample{} // keeps no caller's bytes
	c.Stats.Evicted, c.Stats.Capped = c.sh.stats.Evicted, c.sh.stats.Capped
}

// Flush reports every burst still open, at the end of the input.
func (c *Correlator) Flush() {
	for ci := range c.sh.states {
		c.sh.flush(ci)
	}
	c.Stats.Evicted, c.Stats.Capped = c.sh.stats.Evicted, c.sh.stats.Capped
}

// AppendKey appends a group-by value to a key under construction.
func AppendKey(key, value []byte) []byte {
	key = append(key, value...)
	return append(key, 0)
}

func splitKey(key []byte, n int) []string {
	out := make([]string, 0, n)
	start := 0
	for i := 0; i < len(key); i++ {
		if key[i] == 0 {
			out = append(out, string(key[start:i]))
			start = i + 1
		}
	}
	return out
}

// ---------------------------------------------------------------- time line

// timeline keeps each correlation's clock, the latest event time it has seen: windows expire
// against it. It is global to a correlation, so it is kept in input order by one goroutine while
// the groups may be spread over shards.
type timeline []corrClock

// corrClock is one correlation's clock and timespan, with what runInline knows of its shards.
type corrClock struct {
	clock, span int64
	// low holds per shard a time no later than that of any group the shard keeps of the
	// correlation (a single's time goes to lowSingles only), so that runInline expires a shard only when something may be due: a tick
	// usually expires nothing in most shards.
	low [CorrelationShards]int64
	// lowSingles is low for the singles. A single has no burst to report, so runInline drops
	// the singles that fell quiet only once the oldest has been quiet for singleSlack more
	// (a few at a time rather than one at nearly every tick); until then add treats them as
	// gone (see shard.add): nothing tells the difference.
	lowSingles [CorrelationShards]int64
	// calm is a time before which a tick finds nothing to expire in any shard, from low and
	// lowSingles: most ticks (a new second of a busy log) then look at no shard. It is 0, which
	// no tick is before, while a bound is before 1970, where the bounds' sums may not be exact.
	calm int64
}

// lowerSingles makes t the bound of shard j's singles if it is earlier. A single's time no longer
// holds back the expiry of the groups, which then waits for singles to be quiet for longer. The
// bound is seldom later than t (only in a shard that keeps nothing of the kind), and calm then
// moves too.
func (c *corrClock) lowerSingles(j int, t int64) {
	if t < c.lowSingles[j] {
		c.lowSingles[j] = t
		c.calm = min(c.calm, quietFrom(t, c.span+c.span/singleSlack))
	}
}

// lowerGroups makes t the bound of shard j's groups if it is earlier, as lowerSingles.
func (c *corrClock) lowerGroups(j int, t int64) {
	if t < c.low[j] {
		c.low[j] = t
		c.calm = min(c.calm, quietFrom(t, c.span))
	}
}

// quietFrom returns the first time at which something of time low has been quiet for longer than
// span, for corrClock.calm: 0 when low is before 1970, math.MaxInt64 when the sum overflows.
func quietFrom(low, span int64) int64 {
	switch {
	case low < 0:
		return 0
	case low > math.MaxInt64-span-1:
		return math.MaxInt64
	}
	return low + span + 1
}

// singleSlack is how much longer than its timespan runInline may leave a quiet single in its
// ring, as a fraction of the timespan (see corrClock.lowSingles).
const singleSlack = 2 // a half

type step uint8

const (
	stepNone step = iota
	stepTick      // the clock moved forward: expire idle groups
	stepJump      // the time went back by more than a window: end every window of the correlation
)

func newTimeline(e *Engine) timeline {
	tl := make(timeline, len(e.Correlations))
	for i, r := range e.Correlations {
		tl[i].span = int64(r.Correlation.Timespan)
		for j := range tl[i].low {
			tl[i].low[j], tl[i].lowSingles[j] = math.MaxInt64, math.MaxInt64
		}
		tl[i].calm = math.MaxInt64
	}
	return tl
}

func (c *corrClock) step(t int64) step {
	switch {
	case t > c.clock:
		c.clock = t
		return stepTick
	case t < c.clock-c.span:
		// No window spans a jump back in time (an older file after a newer one, logs pasted
		// together): report what is open and start afresh from here.
		c.clock = t
		return stepJump
	}
	return stepNone
}

// ---------------------------------------------------------------- shard

// shard holds the groups of every correlation whose keys hash to it.
type shard struct {
	limits    Limits
	states    []*corrState
	slab      groupSlab
	free      []*group
	values    int // distinct values held by this shard's open bursts
	maxValues int
	stats     Stats // Evicted and Capped
	// emit receives each finished burst with where it belongs in the output.
	emit func(*Burst, burstOrder)
	// seq and phase say where the shard is in the input, for burstOrder.
	seq   int64
	phase uint8
	// in is the sample being counted (add); src holds the file and the value of a sample of
	// observe for pushSingle.
	in  sample
	src Batch
	// noSingles keeps every group as a group, for tests that compare the two.
	noSingles bool
	// unbounded is the clock a shard on a goroutine passes to add (see ShardedCorrelator.observe).
	unbounded corrClock
}

// burstOrder places a burst in the output: at observation seq, in phase (a jump back in time, the
// expiry of idle groups, then the observation itself), and among the groups that finish together
// oldest first: by the time and the observation of their last activity.
type burstOrder struct {
	seq      int64
	phase    uint8
	lastTime int64
	lastSeq  int64
}

const (
	phaseJump uint8 = iota
	phaseExpire
	phaseObserve
	phaseEnd
)

func (a burstOrder) less(b burstOrder) bool {
	if a.seq != b.seq {
		return a.seq < b.seq
	}
	if a.phase != b.phase {
		return a.phase < b.phase
	}
	if a.phase == phaseObserve {
		return false // one shard, in the order it reported them
	}
	if a.lastTime != b.lastTime {
		return a.lastTime < b.lastTime
	}
	return a.lastSeq < b.lastSeq
}

type corrState struct {
	rule  *sigma.Rule
	span  int64
	need  int64 // events or distinct values needed in one window
	limit int   // this correlation's share of Limits.Groups in this shard
	// groups by key hash; oldest and newest are the ends of the list of groups ordered by their
	// last activity (event time, then input order).
	groups         groupTable
	newest, oldest *group
	// oldestTime is oldest's lastTime, kept here so that a tick which expires nothing (most) does
	// not read a group gone cold.
	oldestTime int64
	// singles holds the groups seen once so far, outside the list; count counts them too.
	singles singles
	count   int
	// room is how many singles add may push without a look at the limits: no more than fit under
	// limit, in the ring and in the table a quarter full. It is a lower bound (expiries leave it
	// as it is), worked out again by every other case of add, the first when it is 0.
	room int
}

type group struct {
	// The fields read when a quiet group is expired (most groups, long after their last
	// observation, when their memory has gone cold) come first, within one cache line.
	hash     uint64
	lastTime int64
	lastSeq  int64
	newer    *group
	older    *group
	burst    *openBurst // set while the group's condition holds; most groups never get one
	head     int
	slot     uint32 // its index in the shard's slab

	windowFrom Ref
	// ring holds the times of the last `need` events (event_count).
	ring []int64
	// seen holds each distinct value's hash and when it was last seen (value_count).
	seen []seenValue
	// windowEvents counts events since the value_count window last emptied.
	windowEvents int64
	// samples holds the first distinct values of the window back to back, sampleEnds where each
	// ends: bytes are copied into a reused buffer, so an observation allocates nothing, and strings
	// are made only for a burst.
	samples    []byte
	sampleEnds []int
}

type openBurst struct {
	Burst
	set map[uint64]struct{}
}

type seenValue struct {
	hash uint64
	at   int64
}

// sample is one observation, or a run of equal ones (same correlation, key, value and time), as a
// shard takes it: key and value by hash, their bytes only read when a group or sample needs them,
// the lines only made into Refs for a window's start and a burst's ends.
type sample struct {
	o      *Hashed
	t      int64
	file   string
	fileNo uint64 // see fileNumbers
	// keyBytes is the key as Correlator.Observe takes it; a ShardedCorrelator's samples have their
	// values in batch instead.
	keyBytes   []byte
	batch      *Batch
	valueBytes []byte
	seq        int64
}

// group returns the group-by values of s, n of them.
func (s *sample) group(n int) []string {
	if s.batch != nil {
		return s.batch.group(s.o, n)
	}
	return splitKey(s.keyBytes, n)
}

func (s *sample) ref(line int64) Ref { return Ref{File: s.file, Line: line, Time: s.o.Time} }

func newShard(e *Engine, l Limits, shards int) *shard {
	sh := &shard{limits: l, maxValues: max(l.Values/shards, 1)}
	for _, r := range e.Correlations {
		need := r.Correlation.Threshold
		if r.Correlation.Op == "gt" {
			need++
		}
		limit := max(l.Groups/max(len(e.Correlations), 1), 64)
		sh.states = append(sh.states, &corrState{
			rule:  r,
			span:  int64(r.Correlation.Timespan),
			need:  max(need, 1),
			limit: (limit + shards - 1) / shards,
		})
	}
	return sh
}

// observe counts s in its group.
func (sh *shard) observe(s *sample) {
	st := sh.states[s.o.Corr]
	ref, free := st.groups.find(s.o.Key, &sh.slab, &st.singles)
	if ref == 0 && !sh.noSingles && st.canBeSingle(s.o, s.t, len(s.valueBytes)) && s.o.Time.Known && s.o.Time.UnixNano == s.t {
		if st.count >= st.limit {
			sh.seq, sh.phase = s.seq, phaseObserve
			sh.evict(st)
			free = noFree // the table has changed
		}
		// pushSingle reads the file and the value from a batch, as add has them.
		vb := &sh.src
		vb.File, vb.fileNo, vb.arena = s.file, s.fileNo, s.valueBytes
		s.o.valueAt = spanOf(0, len(s.valueBytes))
		st.pushSingle(vb, s.o, s.seq, free)
		vb.arena = nil // keeps no caller's bytes
		return
	}
	sh.count(st, s, ref)
}

// add counts o of batch b, at seq, with cc the clock of o's correlation: the first observation of
// a group that can be kept as a single (most) is pushed straight away, without the sample the
// other cases read. o's time lowers the bound of what o became in cc, shard j's low or lowSingles:
// done here, runInline keeps nothing across the call.
func (sh *shard) add(b *Batch, o *Hashed, seq int64, cc *corrClock, j int) {
	st := sh.states[o.Corr]
	// Most keys are new, and most new groups are kept as singles with room (st.room: under the
	// limit, in the ring and the table), of the file of the newest single: find, up to an empty
	// slot past every slot of another low half, and pushSingle's common case are written out
	// here, without a call. A call cost more, and made add keep its arguments on the stack in
	// every case. With room, the table has slots, at most a quarter of them used.
	if tab, r := &st.groups, &st.singles; st.room > 0 {
		free, absent := tab.findAbsent(o.Key)
		t := o.Time.UnixNano
		// canBeSingle, with what room and a live single imply left out: room is 0 when need
		// is below 2, and a live single makes the ring not empty and lastT, the time of a
		// single, not before 1970, so that t, no earlier, is not either.
		if absent && o.N == 1 && t >= r.lastT && o.valueAt.len() <= singleValue && r.live != 0 && r.lastFile == b.fileNo {
			st.room--
			x := r.at(r.tail)
			x.hash, x.t, x.seq, x.line, x.value, x.offset = o.Key, t, seq, o.First, o.Value, o.Time.Offset
			x.file = uint32(len(r.files) - 1)
			if o.Time.Zoned {
				x.file |= singleZoned
			}
			x.n = copyShort(&x.val, b.bytes(o.valueAt))
			tab.slots[free] = tableSlot{lo: uint32(o.Key), ref: singleRef | r.tail&(singleRef-1)}
			tab.used++
			r.tail++
			r.live++
			r.lastT = t
			st.count++
			cc.lowerSingles(j, t)
			return
		}
	}
	sh.addSlow(st, b, o, seq, cc, j)
}

// addSlow is add's other cases, of o of correlation state st.
func (sh *shard) addSlow(st *corrState, b *Batch, o *Hashed, seq int64, cc *corrClock, j int) {
	t, clock := o.Time.UnixNano, cc.clock
	var ref uint32
	free := o.Key & st.groups.mask
	if free >= uint64(len(st.groups.slots)) || st.groups.slots[free].ref != 0 {
		ref, free = st.groups.find(o.Key, &sh.slab, &st.singles)
		if ref&singleRef != 0 && clock-st.singles.at(ref).t > st.span {
			// A single that fell quiet, left by runInline: it is gone, as the ones before it.
			st.expireSingles(clock)
			ref, free = st.groups.find(o.Key, &sh.slab, &st.singles)
		}
	}
	if ref == 0 && !sh.noSingles && st.canBeSingle(o, t, int(o.valueAt.len())) {
		if st.count >= st.limit {
			// The quiet singles left by runInline go before an eviction for room, as they
			// would have gone at their tick.
			st.expireSingles(clock)
			free = noFree // the table may have changed
		}
		if st.count >= st.limit {
			sh.seq, sh.phase = seq, phaseObserve
			sh.evict(st)
		}
		st.pushSingle(b, o, seq, free)
		st.setRoom(sh.noSingles)
		cc.lowerSingles(j, t)
		return
	}
	if ref == 0 && st.count >= st.limit {
		// The quiet singles left by runInline go before an eviction for room, as they would
		// have gone at their tick.
		st.expireSingles(clock)
	}
	// The sample is filled in place in the shard: built on the stack, it was copied once more
	// with a wide load of narrow stores just made, which stalled (5% of the CPU on real logs).
	smp := &sh.in
	smp.o, smp.t, smp.file, smp.fileNo, smp.batch, smp.seq = o, t, b.File, b.fileNo, b, seq
	smp.valueBytes = nil
	if o.valueAt.len() > 0 {
		smp.valueBytes = b.bytes(o.valueAt)
	}
	sh.count(st, smp, ref)
	st.setRoom(sh.noSingles)
	cc.lowerGroups(j, t)
}

// setRoom works out st.room, with noSingles the shard's.
func (st *corrState) setRoom(noSingles bool) {
	r, tab := &st.singles, &st.groups
	if noSingles || st.need < 2 {
		st.room = 0
		return
	}
	st.room = max(min(st.limit-st.count, len(r.recs)-int(r.tail-r.head), len(tab.slots)/4-tab.used), 0)
}

// count counts s in its group, of reference ref in st's table (0: none yet).
func (sh *shard) count(st *corrState, s *sample, ref uint32) {
	sh.seq, sh.phase = s.seq, phaseObserve
	var g *group
	switch {
	case ref&singleRef != 0:
		g = sh.promote(st, ref)
	case ref != 0:
		g = sh.slab.at(ref - 1)
		st.unlink(g)
	default:
		g = sh.newGroup(s.o.Key)
		st.groups.put(s.o.Key, g.slot+1)
		if st.count >= st.limit {
			sh.evict(st)
		}
	}
	if g.burst != nil && s.t-g.lastTime > st.span {
		sh.finish(st, g)
	}
	g.lastTime, g.lastSeq = max(g.lastTime, s.t), s.seq
	st.insert(g)

	// A run of equal observations is counted one by one, without looking the group up again; only
	// its first can open a window (set windowFrom) and only its last is the burst's last line.
	for i := uint16(0); i < s.o.N; i++ {
		at := s.o.last()
		if i == 0 {
			at = s.o.First
		}
		if g.burst != nil {
			sh.extendBurst(st, g, s, at)
			continue
		}
		if sh.windowSatisfied(st, g, s, at) {
			sh.startBurst(st, g, s, at)
		}
	}
}

// expire drops the groups of correlation ci that have been quiet for a whole timespan at clock,
// oldest first, reporting their bursts, and returns the times of the oldest group and of the
// oldest single left (or math.MaxInt64). ticks, when given, are the observations at which the correlation's clock moved
// forward: each burst is placed at the first of them past its group's last activity plus the
// timespan, which is where a correlator that expired groups at every tick would have reported it.
func (sh *shard) expire(ci int, clock int64, ticks []tickAt) (groups, singles int64) {
	st := sh.states[ci]
	singles = st.expireSingles(clock)
	for g := st.oldest; g != nil; g = st.oldest {
		if clock-st.oldestTime <= st.span {
			return st.oldestTime, singles
		}
		sh.phase = phaseExpire
		if len(ticks) > 0 {
			deadline := g.lastTime + st.span
			i, _ := slices.BinarySearchFunc(ticks, deadline, func(t tickAt, d int64) int { return cmp.Compare(t.clock, d+1) })
			sh.seq = ticks[min(i, len(ticks)-1)].seq
		}
		sh.drop(st, g)
	}
	return math.MaxInt64, singles
}

// expireSingles drops the singles of st that have been quiet for a whole timespan at clock, and
// returns the time of the oldest single left (or math.MaxInt64).
func (st *corrState) expireSingles(clock int64) int64 {
	// dropOldestSingle, written out: most expiries are of singles. The promoted records met on
	// the way are skipped as skipDead would. The loop makes no call, so that the ring and the
	// table stay in registers.
	// A single is not before 1970 nor after clock, so quiet means before clock-span, which does
	// not overflow.
	r, tab := &st.singles, &st.groups
	recs, slots, mask, quiet := r.recs, tab.slots, tab.mask, clock-st.span
	head, tail, ringMask := r.head, r.tail, uint32(len(r.recs)-1)
	oldest, dropped := int64(math.MaxInt64), 0
	for ; head != tail; head++ {
		x := &recs[head&ringMask]
		if x.n == singleDead {
			continue
		}
		if x.t >= quiet {
			oldest = x.t
			break
		}
		ref, i := singleRef|head&(singleRef-1), x.hash&mask
		for slots[i].ref != ref {
			i = (i + 1) & mask
		}
		clearSlot(slots, mask, i)
		dropped++
	}
	r.head = head
	r.live -= dropped
	st.count -= dropped
	tab.used -= dropped
	return oldest
}

// tickAt is an observation at which a correlation's clock moved forward, and the clock then.
type tickAt struct {
	seq   int64
	clock int64
}

// flush drops every group of correlation ci, oldest first, reporting their bursts.
func (sh *shard) flush(ci int) {
	sh.phase = phaseJump
	st := sh.states[ci]
	for g := st.oldest; g != nil; g = st.oldest {
		sh.drop(st, g)
	}
	for st.singles.oldest() != nil {
		st.dropOldestSingle()
	}
}

func (sh *shard) newGroup(h uint64) *group {
	var g *group
	if n := len(sh.free); n > 0 {
		g, sh.free = sh.free[n-1], sh.free[:n-1]
	} else {
		g = sh.slab.take()
	}
	// A reused group is reset here rather than when it was dropped: its memory is warm now.
	g.hash, g.lastTime, g.head = h, 0, 0
	g.ring, g.seen, g.samples, g.sampleEnds = g.ring[:0], g.seen[:0], g.samples[:0], g.sampleEnds[:0]
	return g
}

// release keeps g for reuse, with its buffers; newGroup resets it. Its burst is already nil
// (drop finished it).
func (sh *shard) release(g *group) {
	sh.free = append(sh.free, g)
}

// insert puts g in the activity list after every group active before it or at the same time. Times
// mostly grow, so the place is nearly always at the newest end.
func (st *corrState) insert(g *group) {
	after := st.newest
	for after != nil && after.lastTime > g.lastTime {
		after = after.older
	}
	g.older = after
	if after == nil {
		g.newer = st.oldest
		st.oldest, st.oldestTime = g, g.lastTime
	} else {
		g.newer = after.newer
		after.newer = g
	}
	if g.newer == nil {
		st.newest = g
	} else {
		g.newer.older = g
	}
	st.count++
}

func (st *corrState) unlink(g *group) {
	if g.newer != nil {
		g.newer.older = g.older
	} else {
		st.newest = g.older
	}
	if g.older != nil {
		g.older.newer = g.newer
	} else {
		st.oldest = g.newer
		if st.oldest != nil {
			st.oldestTime = st.oldest.lastTime
		}
	}
	g.newer, g.older = nil, nil
	st.count--
}

// windowSatisfied adds one observation of s to g's window and reports whether the condition now
// holds.
func (sh *shard) windowSatisfied(st *corrState, g *group, s *sample, at int64) bool {
	t := s.t
	if st.rule.Correlation.Field == event.FieldNone {
		if len(g.ring) == 0 {
			g.windowFrom = s.ref(at)
		}
		if int64(len(g.ring)) < st.need {
			g.ring = append(g.ring, t)
		} else {
			g.ring[g.head] = t
			g.head = (g.head + 1) % len(g.ring)
		}
		if int64(len(g.ring)) < st.need {
			return false
		}
		// The window is full; it holds when its oldest event is within the timespan. The burst
		// is reported from the first event of the run that led to it.
		return t-g.ring[g.head%len(g.ring)] <= st.span
	}
	if len(g.seen) == 0 {
		g.windowFrom = s.ref(at)
		g.samples, g.sampleEnds = g.samples[:0], g.sampleEnds[:0]
		g.windowEvents = 0
	}
	g.windowEvents++
	found := false
	for i := range g.seen {
		if g.seen[i].hash == s.o.Value {
			g.seen[i].at = t
			found = true
			break
		}
	}
	if !found {
		g.seen = append(g.seen, seenValue{hash: s.o.Value, at: t})
		if len(g.sampleEnds) < sh.limits.Samples {
			g.samples = append(g.samples, s.valueBytes...)
			g.sampleEnds = append(g.sampleEnds, len(g.samples))
		}
	}
	if int64(len(g.seen)) < st.need {
		return false
	}
	kept := g.seen[:0]
	for _, v := range g.seen {
		if t-v.at <= st.span {
			kept = append(kept, v)
		}
	}
	g.seen = kept
	return int64(len(g.seen)) >= st.need
}

func (sh *shard) startBurst(st *corrState, g *group, s *sample, at int64) {
	// The key's bytes come with every observation of the group, so they are kept only for a
	// burst: most groups never have one.
	b := &openBurst{Burst: Burst{Rule: st.rule, Group: s.group(len(st.rule.Correlation.GroupBy)), First: g.windowFrom, Last: s.ref(at)}}
	g.burst = b
	if st.rule.Correlation.Field == event.FieldNone {
		b.Events = int64(len(g.ring))
		g.ring, g.head = g.ring[:0], 0
		return
	}
	b.Events = g.windowEvents
	b.set = make(map[uint64]struct{}, 2*len(g.seen))
	for _, v := range g.seen {
		b.set[v.hash] = struct{}{}
	}
	sh.values += len(b.set)
	b.Distinct = int64(len(b.set))
	start := 0
	for _, end := range g.sampleEnds {
		b.Values = append(b.Values, string(g.samples[start:end]))
		start = end
	}
	g.seen = g.seen[:0]
}

func (sh *shard) extendBurst(st *corrState, g *group, s *sample, at int64) {
	b := g.burst
	b.Events++
	b.Last = s.ref(at)
	if st.rule.Correlation.Field == event.FieldNone {
		return
	}
	if _, ok := b.set[s.o.Value]; ok {
		return
	}
	if len(b.set) >= sh.limits.Distinct || sh.values >= sh.maxValues {
		if !b.Capped {
			b.Capped = true
			sh.stats.Capped++
		}
		return
	}
	b.set[s.o.Value] = struct{}{}
	sh.values++
	b.Distinct++
	if len(b.Values) < sh.limits.Samples {
		b.Values = append(b.Values, string(s.valueBytes))
	}
}

// finish reports g's burst and resets g's window.
func (sh *shard) finish(st *corrState, g *group) {
	b := g.burst.Burst
	sh.values -= len(g.burst.set)
	g.burst = nil
	g.ring, g.head, g.seen, g.samples, g.sampleEnds = g.ring[:0], 0, g.seen[:0], g.samples[:0], g.sampleEnds[:0]
	sh.emit(&b, burstOrder{seq: sh.seq, phase: sh.phase, lastTime: g.lastTime, lastSeq: g.lastSeq})
}

// drop removes g from st, reporting its burst if it had one.
func (sh *shard) drop(st *corrState, g *group) {
	if g.burst != nil {
		sh.finish(st, g)
	}
	st.unlink(g)
	st.groups.remove(g.hash, g.slot+1)
	sh.release(g)
}

func (sh *shard) evict(st *corrState) {
	g := st.oldest
	if x := st.singles.oldest(); x != nil && (g == nil || x.t < g.lastTime || x.t == g.lastTime && x.seq < g.lastSeq) {
		sh.stats.Evicted++
		st.dropOldestSingle()
		return
	}
	if g == nil {
		return
	}
	if g.burst == nil {
		sh.stats.Evicted++
	}
	sh.drop(st, g)
}
