package analyze

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"time"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/topk"
)

// sequencer puts chunk results back in input order, passes findings on, and hands each chunk's
// correlation observations to the sharded correlator, whose bursts become findings too, in the
// place of the line at which they were reported.
type sequencer struct {
	eng    *engine.Engine
	opts   *Options
	emit   func(*finding.Finding) error
	corr   *engine.ShardedCorrelator
	stats  engine.Stats // the correlator's, once it is closed
	bursts []int64      // per correlation rule
	err    error
	// pending holds results that came before their turn; inflight those handed to the correlator
	// and not yet delivered, oldest first.
	pending  map[int64]*chunkResult
	inflight []*chunkResult
	next     int64
	// pool is where delivered results go back to the workers.
	pool *resultPool
	// sources ranks the sources of matching lines; lastSource and lastCount carry a run of lines
	// from one source across chunks into one counter update.
	sources    *topk.Counter
	lastSource []byte
	lastCount  int64
}

// maxInflight is how many chunks the correlator may work on while earlier ones are delivered:
// enough for its shards to run beside the sequencer, few enough to bound memory.
const maxInflight = 4

// newSequencer returns a sequencer for opts.Workers workers, with the pool of results they share.
func newSequencer(eng *engine.Engine, opts *Options, emit func(*finding.Finding) error) *sequencer {
	s := &sequencer{eng: eng, opts: opts, emit: emit, pending: map[int64]*chunkResult{}, bursts: make([]int64, len(eng.Correlations)),
		sources: topk.New(counterCapacity), corr: eng.NewShardedCorrelator(engine.Limits{}, runtime.GOMAXPROCS(0))}
	// The sequencer holds one result while it delivers it, and while the correlator works beside
	// it as many more as that may run ahead. Each worker fills one and may have finished another
	// that waits for an earlier chunk; more would only take memory, as the sequencer is behind.
	held := 1
	if s.corr.Concurrent() {
		held += maxInflight
	}
	s.pool = newResultPool(2*opts.Workers + held)
	return s
}

func (s *sequencer) run(ctx context.Context, results <-chan *chunkResult) error {
	err := s.order(ctx, results)
	s.close()
	if err == nil {
		err = s.err
	}
	return err
}

func (s *sequencer) order(ctx context.Context, results <-chan *chunkResult) error {
	for r := range results {
		s.pending[r.seq] = r
		for {
			r, ok := s.pending[s.next]
			if !ok {
				break
			}
			delete(s.pending, s.next)
			s.next++
			s.countSources(r)
			s.corr.Submit(&r.batch)
			s.inflight = append(s.inflight, r)
			if len(s.inflight) > maxInflight || !s.corr.Concurrent() {
				s.deliver(s.inflight[0])
				s.inflight = s.inflight[1:]
			}
			if s.err != nil {
				return s.err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// close delivers what the correlator still works on, reports the bursts still open at the end
// and stops the correlator's goroutines. After an error nothing more is passed on, but every
// goroutine is stopped all the same.
func (s *sequencer) close() {
	for _, r := range s.inflight {
		s.deliver(r)
	}
	s.inflight = nil
	s.corr.Close(s.burst)
	s.stats = s.corr.Stats()
	s.flushSource()
}

// countSources adds the chunk's runs to the ranking in input order. Only the first run can
// continue the previous chunk's last one and only the last can continue into the next chunk:
// the runs between them (adjacent runs name different sources) go straight to the counter,
// without being copied.
func (s *sequencer) countSources(r *chunkResult) {
	runs := r.sourceRuns
	if len(runs) == 0 {
		return
	}
	first := r.sources[:runs[0].end]
	if s.lastCount > 0 && bytes.Equal(first, s.lastSource) {
		s.lastCount += runs[0].lines
	} else {
		s.flushSource()
		s.lastSource = append(s.lastSource[:0], first...)
		s.lastCount = runs[0].lines
	}
	if len(runs) == 1 {
		return
	}
	s.flushSource()
	start := runs[0].end
	for _, run := range runs[1 : len(runs)-1] {
		s.sources.Add(r.sources[start:run.end], run.lines)
		start = run.end
	}
	last := runs[len(runs)-1]
	s.lastSource = append(s.lastSource[:0], r.sources[start:last.end]...)
	s.lastCount = last.lines
}

func (s *sequencer) flushSource() {
	if s.lastCount > 0 {
		s.sources.Add(s.lastSource, s.lastCount)
		s.lastCount = 0
	}
}

func (s *sequencer) deliver(r *chunkResult) {
	defer s.pool.put(r)
	if s.emit == nil || !s.opts.Findings {
		// Nothing to pass on, so nothing to interleave: the bursts are only counted (and the
		// worker kept no findingsBefore when findings are not built).
		s.corr.Bursts(&r.batch, func(_ int, b *engine.Burst) { s.burst(b) })
		return
	}
	next := 0
	emitUpTo := func(n int) {
		for ; next < n && s.err == nil; next++ {
			s.err = s.emit(r.findings[next])
		}
	}
	s.corr.Bursts(&r.batch, func(at int, b *engine.Burst) {
		emitUpTo(r.findingsBefore[at])
		s.burst(b)
	})
	emitUpTo(len(r.findings))
}

func (s *sequencer) burst(b *engine.Burst) {
	for ci, c := range s.eng.Correlations {
		if c == b.Rule {
			s.bursts[ci]++
		}
	}
	if s.emit == nil || !s.opts.Findings || s.err != nil {
		return
	}
	s.err = s.emit(BurstFinding(b, s.opts.Location))
}

// BurstFinding turns a correlation burst into a finding.
func BurstFinding(b *engine.Burst, loc *time.Location) *finding.Finding {
	r := b.Rule
	c := r.Correlation
	agg := &finding.Aggregate{
		Type:           c.Type.String(),
		GroupBy:        map[string]string{},
		Events:         b.Events,
		Distinct:       b.Distinct,
		DistinctCapped: b.Capped,
		First:          FormatTime(b.First.Time, loc),
		Last:           FormatTime(b.Last.Time, loc),
		FirstLine:      ref(b.First),
		LastLine:       ref(b.Last),
		Timespan:       c.Timespan.String(),
	}
	for i, f := range c.GroupBy {
		if i < len(b.Group) {
			agg.GroupBy[f.String()] = escape.String(b.Group[i])
		}
	}
	if c.Field != 0 {
		agg.Field = c.Field.String()
		for _, v := range b.Values {
			agg.Values = append(agg.Values, escape.String(v))
		}
	}
	f := engine.NewFinding(r)
	f.File, f.Line, f.Time, f.Correlation = escape.String(b.First.File), b.First.Line, agg.First, agg
	if ip, ok := agg.GroupBy["SourceIp"]; ok {
		f.SourceIP = ip
	}
	if ip, ok := agg.GroupBy["DestinationIp"]; ok {
		f.DestinationIP = ip
	}
	return f
}

func ref(r engine.Ref) string {
	if r.File == "" {
		return ""
	}
	return escape.String(r.File) + ":" + strconv.FormatInt(r.Line, 10)
}
