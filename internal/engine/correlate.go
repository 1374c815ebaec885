package engine

import (
	"bytes"
	"hash/maphash"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
)

// Observation is one match of a correlation's base rule, as the correlator needs it. Key and Value
// are only read during Observe.
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
	// Untimed counts observations without a time.
	Untimed int64
	// Ungrouped counts observations that lack a group-by value: events without a source are not
	// one source, so they are not counted together.
	Ungrouped int64
	// Discontinuities counts jumps back in time by more than a window (logs of an earlier period
	// after later ones); each one ended the windows open at that point.
	Discontinuities int64
}

// Correlator counts observations per correlation and group in sliding windows. It is used from a
// single goroutine, fed in input order. In steady state it does not allocate: groups are recycled,
// the activity list is intrusive, and value sets are small slices.
type Correlator struct {
	e      *Engine
	limits Limits
	states []*corrState
	emit   func(*Burst)
	seed   maphash.Seed
	free   []*group
	Stats  Stats
}

type corrState struct {
	rule   *sigma.Rule
	span   int64
	need   int64 // events or distinct values needed in one window
	limit  int   // this correlation's share of Limits.Groups
	clock  int64 // the latest event time seen; windows expire against it
	groups map[uint64]*group
	// newest and oldest are the ends of the list of groups ordered by last activity.
	newest, oldest *group
	count          int
}

type group struct {
	hash       uint64
	key        []byte
	newer      *group
	older      *group
	lastTime   int64
	windowFrom Ref
	// ring holds the times of the last `need` events (event_count).
	ring []int64
	head int
	// seen holds each distinct value's hash and when it was last seen (value_count).
	seen []seenValue
	// windowEvents counts events since the value_count window last emptied.
	windowEvents int64
	// samples holds the first distinct values of the window back to back, sampleEnds where each
	// ends: bytes are copied into a reused buffer, so an observation allocates nothing, and strings
	// are made only for a burst.
	samples    []byte
	sampleEnds []int

	// burst is set while the group's condition holds; most groups never get one.
	burst *openBurst
}

type openBurst struct {
	Burst
	set map[uint64]struct{}
}

type seenValue struct {
	hash uint64
	at   int64
}

// NewCorrelator returns a correlator for e's correlation rules that passes finished bursts to emit.
func (e *Engine) NewCorrelator(limits Limits, emit func(*Burst)) *Correlator {
	c := &Correlator{e: e, limits: limits.withDefaults(), emit: emit, seed: maphash.MakeSeed()}
	for _, r := range e.Correlations {
		need := r.Correlation.Threshold
		if r.Correlation.Op == "gt" {
			need++
		}
		c.states = append(c.states, &corrState{
			rule:   r,
			span:   int64(r.Correlation.Timespan),
			need:   max(need, 1),
			limit:  max(c.limits.Groups/max(len(e.Correlations), 1), 64),
			groups: map[uint64]*group{},
		})
	}
	return c
}

// Observe counts one observation.
func (c *Correlator) Observe(o *Observation) {
	if !o.Time.Known {
		c.Stats.Untimed++
		return
	}
	if len(o.Key) > 0 && (o.Key[0] == 0 || bytes.Contains(o.Key, []byte{0, 0})) {
		c.Stats.Ungrouped++
		return
	}
	st := c.states[o.Corr]
	t := o.Time.UnixNano
	switch {
	case t > st.clock:
		st.clock = t
	case t < st.clock-st.span:
		// No window spans a jump back in time (an older file after a newer one, logs pasted
		// together): report what is open and start afresh from here.
		c.Stats.Discontinuities++
		c.flush(st)
		st.clock = t
	}
	c.expireIdle(st)

	h := maphash.Bytes(c.seed, o.Key)
	g, ok := st.groups[h]
	if ok {
		st.unlink(g)
	} else {
		g = c.newGroup(h, o.Key)
		st.groups[h] = g
		if st.count >= st.limit {
			c.evict(st)
		}
	}
	st.pushNewest(g)
	if g.burst != nil && t-g.lastTime > st.span {
		c.finish(st, g)
	}
	g.lastTime = max(g.lastTime, t)

	if g.burst != nil {
		c.extendBurst(st, g, o)
		return
	}
	if c.windowSatisfied(st, g, o) {
		c.startBurst(st, g, o)
	}
}

func (c *Correlator) newGroup(h uint64, key []byte) *group {
	var g *group
	if n := len(c.free); n > 0 {
		g, c.free = c.free[n-1], c.free[:n-1]
	} else {
		g = &group{}
	}
	g.hash = h
	g.key = append(g.key[:0], key...)
	return g
}

// release resets g and keeps it for reuse, with its buffers.
func (c *Correlator) release(g *group) {
	ring, seen, key, samples, ends := g.ring[:0], g.seen[:0], g.key[:0], g.samples[:0], g.sampleEnds[:0]
	*g = group{ring: ring, seen: seen, key: key, samples: samples, sampleEnds: ends}
	c.free = append(c.free, g)
}

func (st *corrState) pushNewest(g *group) {
	g.older, g.newer = st.newest, nil
	if st.newest != nil {
		st.newest.newer = g
	}
	st.newest = g
	if st.oldest == nil {
		st.oldest = g
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
	}
	g.newer, g.older = nil, nil
	st.count--
}

// windowSatisfied adds o to g's window and reports whether the condition now holds.
func (c *Correlator) windowSatisfied(st *corrState, g *group, o *Observation) bool {
	t := o.Time.UnixNano
	if st.rule.Correlation.Field == event.FieldNone {
		if len(g.ring) == 0 {
			g.windowFrom = o.At
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
		g.windowFrom = o.At
		g.samples, g.sampleEnds = g.samples[:0], g.sampleEnds[:0]
		g.windowEvents = 0
	}
	g.windowEvents++
	vh := maphash.Bytes(c.seed, o.Value)
	found := false
	for i := range g.seen {
		if g.seen[i].hash == vh {
			g.seen[i].at = t
			found = true
			break
		}
	}
	if !found {
		g.seen = append(g.seen, seenValue{hash: vh, at: t})
		if len(g.sampleEnds) < c.limits.Samples {
			g.samples = append(g.samples, o.Value...)
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

func (c *Correlator) startBurst(st *corrState, g *group, o *Observation) {
	b := &openBurst{Burst: Burst{Rule: st.rule, First: g.windowFrom, Last: o.At}}
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
	b.Distinct = int64(len(b.set))
	start := 0
	for _, end := range g.sampleEnds {
		b.Values = append(b.Values, string(g.samples[start:end]))
		start = end
	}
	g.seen = g.seen[:0]
}

func (c *Correlator) extendBurst(st *corrState, g *group, o *Observation) {
	b := g.burst
	b.Events++
	b.Last = o.At
	if st.rule.Correlation.Field == event.FieldNone {
		return
	}
	vh := maphash.Bytes(c.seed, o.Value)
	if _, ok := b.set[vh]; ok {
		return
	}
	if len(b.set) >= c.limits.Distinct {
		b.Capped = true
		return
	}
	b.set[vh] = struct{}{}
	b.Distinct++
	if len(b.Values) < c.limits.Samples {
		b.Values = append(b.Values, string(o.Value))
	}
}

// finish reports g's burst and resets g's window.
func (c *Correlator) finish(st *corrState, g *group) {
	b := g.burst.Burst
	b.Group = splitKey(g.key, len(st.rule.Correlation.GroupBy))
	g.burst = nil
	g.ring, g.head, g.seen, g.samples, g.sampleEnds = g.ring[:0], 0, g.seen[:0], g.samples[:0], g.sampleEnds[:0]
	c.emit(&b)
}

// drop removes g from st, reporting its burst if it had one.
func (c *Correlator) drop(st *corrState, g *group) {
	if g.burst != nil {
		c.finish(st, g)
	}
	st.unlink(g)
	delete(st.groups, g.hash)
	c.release(g)
}

// expireIdle drops groups that have been quiet for a whole timespan, reporting their bursts.
// Groups are kept in order of activity, so only the oldest end needs looking at.
func (c *Correlator) expireIdle(st *corrState) {
	for n := 0; n < 8; n++ {
		g := st.oldest
		if g == nil || st.clock-g.lastTime <= st.span {
			return
		}
		c.drop(st, g)
	}
}

func (c *Correlator) evict(st *corrState) {
	g := st.oldest
	if g == nil {
		return
	}
	if g.burst == nil {
		c.Stats.Evicted++
	}
	c.drop(st, g)
}

// Flush reports every burst still open, at the end of the input.
func (c *Correlator) Flush() {
	for _, st := range c.states {
		c.flush(st)
	}
}

// flush drops every group of st, oldest first so that bursts come out roughly in time order.
func (c *Correlator) flush(st *corrState) {
	for g := st.oldest; g != nil; g = st.oldest {
		c.drop(st, g)
	}
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
