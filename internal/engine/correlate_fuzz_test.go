package engine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

// fuzzRules count one base rule in correlations of one, two and three group-by fields, by events
// and by distinct values, so that every way Add makes a key and a value is used.
const fuzzRules = scanRules + `---
title: sweep
correlation:
  type: value_count
  rules: [inbound]
  group-by: [SourceIp, DestinationPort]
  timespan: 5m
  condition: {gte: 3, field: DestinationIp}
---
title: pair
correlation:
  type: event_count
  rules: [inbound]
  group-by: [SourceIp, DestinationIp]
  timespan: 10s
  condition: {gte: 4}
---
title: flow
correlation:
  type: event_count
  rules: [inbound]
  group-by: [SourceIp, DestinationIp, DestinationPort]
  timespan: 10s
  condition: {gte: 3}
`

// fuzzValues are the values a fuzzed event takes its fields from: empty, short and long ones
// (each side of the 16 bytes the hash and copy fast paths take), one that is a 0 byte. (A value
// with a 0 byte inside is one group-by value to Add and two to Correlator, whose keys are
// values each followed by a 0 byte: the two differ there by design.)
var fuzzValues = []string{
	"", "a", "22", "80", "443", "8080", "65535", "10.0.0.1", "192.0.2.10", "198.51.100.200",
	"2001:db8::1", "2001:db8:ffff:ffff::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:1", "\x00",
	"abcdefghijklmnop", "abcdefghijklmnopq", "abcdefgh", "abcdefg", "abc",
}

// fuzzEvents makes events from data, four bytes each: the source, destination and port (each an
// index into fuzzValues, mostly among the first few, so that groups recur), and the time's step
// (mostly a few seconds on, now and then back by minutes or unknown).
func fuzzEvents(data []byte) []*event.Event {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	at := int64(0)
	pick := func(b byte) []byte {
		if b < 200 {
			return []byte(fuzzValues[int(b)%8+4]) // the addresses and ports
		}
		return []byte(fuzzValues[int(b)%len(fuzzValues)])
	}
	var evs []*event.Event
	for ; len(data) >= 4; data = data[4:] {
		ev := &event.Event{}
		ev.Reset([]byte("fuzz"))
		ev.Format = event.FormatIptables
		ev.Set(event.SourceIP, pick(data[0]))
		ev.Set(event.DestinationIP, pick(data[1]))
		ev.Set(event.DestinationPort, pick(data[2]))
		ev.SetString(event.Protocol, "tcp")
		switch step := data[3]; {
		case step < 200:
			at += int64(step % 4)
		case step < 240:
			at += int64(step)
		case step < 250:
			at = max(at-int64(step)*3, 0)
		}
		ev.Time = event.Time{UnixNano: base + at*int64(time.Second), Known: data[3] != 255}
		evs = append(evs, ev)
	}
	return evs
}

// FuzzShardedMatchesCorrelator holds the workers' Add and the ShardedCorrelator, with their fast
// paths (hashes and copies of short values, singles, inline runs), to Correlator, which keys and
// values every observation by its bytes: the same bursts at the same observations, and the same
// stats, for any stream of events, batch size and number of cores.
func FuzzShardedMatchesCorrelator(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x00\x00\x01\x03\x00\x00\x01\x04\x01\x00\x01\x05\x01\x00\x02\x06\x01"))
	f.Add(bytes.Repeat([]byte{3, 4, 5, 1}, 40))
	f.Add(bytes.Repeat([]byte{200, 201, 202, 0, 210, 211, 212, 1, 213, 214, 215, 2, 216, 217, 218, 3, 0, 0, 0, 245}, 8))
	var e *Engine
	var w *Worker
	f.Fuzz(func(t *testing.T, data []byte) {
		if e == nil {
			e = compile(t, fuzzRules)
			w = e.NewWorker()
		}
		checkSharded(t, e, w, fuzzEvents(data), Limits{Groups: 64})
	})
}

// checkSharded compares the bursts and stats of a ShardedCorrelator fed by Add with those of
// Correlator, over evs, with the default limits; and, with limits (which may evict groups, and
// then where depends on the shards), those of the ShardedCorrelator counting inline with those
// of its shards on goroutines, which drop quiet groups and singles before every observation.
func checkSharded(t *testing.T, e *Engine, w *Worker, evs []*event.Event, limits Limits) {
	t.Helper()
	var want []string
	line := int64(0)
	c := e.NewCorrelator(Limits{}, func(b *Burst) { want = append(want, fmt.Sprintf("@%d %s", line, summarizeValues(b))) })
	for i, ev := range evs {
		line = int64(i + 1)
		for _, ri := range w.Match(ev, nil) {
			for _, ci := range e.CorrelationsOf(ri) {
				cr := e.Correlations[ci].Correlation
				var key []byte
				for _, g := range cr.GroupBy {
					key = AppendKey(key, ev.Get(g))
				}
				var value []byte
				if cr.Field != event.FieldNone {
					value = ev.Get(cr.Field)
				}
				c.Observe(&Observation{Corr: ci, Time: ev.Time, Key: key, Value: value, At: Ref{File: "fw", Line: line, Time: ev.Time}})
			}
		}
	}
	line = -1
	c.Flush()
	compareBursts(t, e, evs, Limits{}, want, c.Stats)
	if limits != (Limits{}) {
		want, stats := runSharded(e, evs, 13, 8, limits)
		compareBursts(t, e, evs, limits, want, stats)
	}
}

// compareBursts compares the bursts and stats of ShardedCorrelators counting evs with want and
// wantStats, for several batch sizes, inline and on goroutines.
func compareBursts(t *testing.T, e *Engine, evs []*event.Event, limits Limits, want []string, wantStats Stats) {
	t.Helper()
	for _, tc := range []struct{ batchLines, cores int }{{1, 1}, {7, 1}, {1000, 1}, {7, 8}} {
		got, stats := runSharded(e, evs, tc.batchLines, tc.cores, limits)
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || got[i] != want[i] {
				g, w := "(none)", "(none)"
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				t.Fatalf("%d lines per batch, %d cores, limits %+v: burst %d of %d (want %d) differs\n got %s\nwant %s", tc.batchLines, tc.cores, limits, i, len(got), len(want), g, w)
			}
		}
		if stats != wantStats {
			t.Fatalf("%d lines per batch, %d cores, limits %+v: stats %+v, want %+v", tc.batchLines, tc.cores, limits, stats, wantStats)
		}
	}
}

// TestQuietSinglesLeftForLater checks runInline's late drop of quiet singles where it shows if
// wrong: a group's source seen again once its single fell quiet, and evictions for room while
// quiet singles are still kept (many sources, few groups allowed), also of new groups that cannot
// be singles (runs of a repeated line, values too long).
func TestQuietSinglesLeftForLater(t *testing.T) {
	e := compile(t, fuzzRules)
	w := e.NewWorker()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for seed := uint64(1); seed <= 4; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		var evs []*event.Event
		at := int64(0)
		for range 3000 {
			at += int64(r.IntN(3))
			ev := &event.Event{}
			ev.Reset([]byte("fuzz"))
			ev.Format = event.FormatIptables
			ev.Set(event.SourceIP, []byte(fmt.Sprintf("198.51.%d.%d", r.IntN(4), r.IntN(250))))
			dst := fmt.Sprintf("192.0.2.%d", r.IntN(3))
			if r.IntN(4) == 0 {
				dst = fmt.Sprintf("2001:db8:ffff:ffff::%d", r.IntN(3)) // too long for a single
			}
			ev.Set(event.DestinationIP, []byte(dst))
			ev.Set(event.DestinationPort, []byte(fmt.Sprint(r.IntN(30))))
			ev.SetString(event.Protocol, "tcp")
			ev.Time = event.Time{UnixNano: base + at*int64(time.Second), Known: true}
			evs = append(evs, ev)
			if r.IntN(8) == 0 {
				evs = append(evs, ev) // a line repeated: a run, counted as a group at once
			}
		}
		for _, groups := range []int{64, 1000, 0} {
			checkSharded(t, e, w, evs, Limits{Groups: groups})
		}
	}
}

// TestLongRuns checks the runs of equal observations that Add merges where they outgrow their
// record (maxRun): more equal lines than a run holds, and equal lines further apart than its
// lines, with lines of another protocol, which no rule counts, between them.
func TestLongRuns(t *testing.T) {
	e := compile(t, fuzzRules)
	w := e.NewWorker()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	line := func(proto, src string, at int64) *event.Event {
		ev := &event.Event{}
		ev.Reset([]byte("fuzz"))
		ev.Format = event.FormatIptables
		ev.Set(event.SourceIP, []byte(src))
		ev.Set(event.DestinationIP, []byte("192.0.2.1"))
		ev.Set(event.DestinationPort, []byte("22"))
		ev.SetString(event.Protocol, proto)
		ev.Time = event.Time{UnixNano: base + at*int64(time.Second), Known: true}
		return ev
	}
	first, second, other := line("tcp", "198.51.100.1", 0), line("tcp", "198.51.100.2", 1), line("udp", "198.51.100.2", 1)
	var evs []*event.Event
	for range maxRun + 10 {
		evs = append(evs, first)
	}
	evs = append(evs, second)
	for range maxRun + 10 {
		evs = append(evs, other)
	}
	evs = append(evs, second, second, second)
	// In one batch, the runs reach maxRun; in batches of 1000 lines, which FuzzShardedMatchesCorrelator
	// holds to Correlator, they do not.
	want, wantStats := runSharded(e, evs, 1000, 1, Limits{})
	got, stats := runSharded(e, evs, len(evs), 1, Limits{})
	if !slices.Equal(got, want) || stats != wantStats {
		t.Fatalf("in one batch: bursts\n%q\nstats %+v, want\n%q\nstats %+v", got, stats, want, wantStats)
	}
	var b Batch
	b.Reset("fw")
	for i, ev := range evs {
		for _, ri := range w.Match(ev, nil) {
			for _, ci := range e.CorrelationsOf(ri) {
				e.Add(&b, ci, ev, int64(i+1))
			}
		}
	}
	// Per correlation: the first run ended at maxRun, the rest of it, the line of the second
	// source, and its lines too far from it.
	var runs []string
	for _, o := range b.Obs {
		if o.Corr == 0 {
			runs = append(runs, fmt.Sprintf("%d-%d×%d", o.First, o.last(), o.N))
		}
	}
	if want := []string{"1-65535×65535", "65536-65545×10", "65546-65546×1", "131092-131094×3"}; !slices.Equal(runs, want) {
		t.Errorf("runs %q, want %q", runs, want)
	}
}

// runSharded counts evs with a ShardedCorrelator fed by Add, as analyze's workers and sequencer do,
// and returns each burst, described by summarizeValues, labelled with the line at which it was
// reported.
func runSharded(e *Engine, evs []*event.Event, batchLines, cores int, limits Limits) ([]string, Stats) {
	return runShardedAs(e, evs, batchLines, cores, limits, summarizeValues)
}

// runShardedAs is runSharded with the bursts described by describe.
func runShardedAs(e *Engine, evs []*event.Event, batchLines, cores int, limits Limits, describe func(*Burst) string) ([]string, Stats) {
	w := e.NewWorker()
	var got []string
	s := e.NewShardedCorrelator(limits, cores)
	var b Batch
	for start := 0; start < len(evs); start += batchLines {
		b.Reset("fw")
		var lineOf []int64 // line of each observation in b.Obs
		for i := start; i < min(start+batchLines, len(evs)); i++ {
			for _, ri := range w.Match(evs[i], nil) {
				for _, ci := range e.CorrelationsOf(ri) {
					if e.Add(&b, ci, evs[i], int64(i+1)) {
						lineOf = append(lineOf, int64(i+1))
					}
				}
			}
		}
		s.Submit(&b)
		s.Bursts(&b, func(at int, bu *Burst) {
			got = append(got, fmt.Sprintf("@%d %s", lineOf[at], describe(bu)))
		})
	}
	s.Close(func(bu *Burst) { got = append(got, fmt.Sprintf("@-1 %s", describe(bu))) })
	return got, s.Stats()
}

// summarizeValues is summarize with the group by value, the sampled values and the times.
func summarizeValues(b *Burst) string {
	return fmt.Sprintf("%s %q events=%d distinct=%d capped=%v values=%q first=%+v last=%+v", b.Rule.Title, b.Group, b.Events, b.Distinct, b.Capped, b.Values, b.First, b.Last)
}

// FuzzShortValues holds hashFields' inline hash and copy of values of up to 16 bytes to their
// simple forms: the arena keeps the value's bytes, and two values share a hash exactly when
// they are equal (for a 64-bit hash, any collision found would be a flaw of the hash).
func FuzzShortValues(f *testing.F) {
	for _, v := range fuzzValues {
		f.Add([]byte(v), []byte("80"))
	}
	f.Add([]byte("a\x00b"), []byte("\x00\x00"))
	f.Fuzz(func(t *testing.T, x, y []byte) {
		if (valueHash(x) == valueHash(y)) != bytes.Equal(x, y) {
			t.Fatalf("valueHash(%q) = %#x, valueHash(%q) = %#x", x, valueHash(x), y, valueHash(y))
		}
		ev := &event.Event{}
		ev.Reset(nil)
		ev.Set(event.SourceIP, x)
		ev.Set(event.DestinationIP, y)
		var b Batch
		b.arena = append(b.arena, "prefix"...)
		b.hashFields(ev, 1<<event.SourceIP|1<<event.DestinationIP)
		for _, c := range []struct {
			f event.Field
			v []byte
		}{{event.SourceIP, x}, {event.DestinationIP, y}} {
			lf := b.fields[c.f]
			if got := b.bytes(lf.at); !bytes.Equal(got, c.v) {
				t.Fatalf("arena holds %q, want %q", got, c.v)
			}
			if lf.hash != valueHash(c.v) {
				t.Fatalf("hashFields hashed %q to %#x, valueHash to %#x", c.v, lf.hash, valueHash(c.v))
			}
			bad := len(c.v) == 0 || bytes.IndexByte(c.v, 0) >= 0 && ungroupedValue(c.v)
			if got := b.grouped&(1<<c.f) == 0; got != bad {
				t.Fatalf("%q: ungrouped %v, want %v", c.v, got, bad)
			}
		}
		if string(b.arena[:6]) != "prefix" {
			t.Fatalf("the arena's earlier bytes changed: %q", b.arena[:6])
		}
	})
}
