package engine

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

// stream is a reproducible stream of firewall observations: many sources, scans and floods,
// repeated lines (runs the workers merge), a line without a source now and then, and jumps back
// in time.
func stream(seed uint64, n int) []obs {
	r := rand.New(rand.NewPCG(seed, 7))
	var out []obs
	at := 0
	for len(out) < n {
		switch x := r.IntN(100); {
		case x < 2:
			at -= 120 + r.IntN(600) // logs of an earlier period
			if at < 0 {
				at = 0
			}
		case x < 60:
			at += r.IntN(3)
		}
		src := fmt.Sprintf("198.51.100.%d", r.IntN(200))
		switch r.IntN(10) {
		case 0: // a scan: one source, many ports within seconds
			for j := 0; j < 3+r.IntN(6); j++ {
				out = append(out, obs{src, 1 + r.IntN(40), at + j/3})
			}
		case 1: // a flood of one line repeated
			for j := 0; j < 2+r.IntN(8); j++ {
				out = append(out, obs{src, 80, at})
			}
		case 2:
			out = append(out, obs{"", 22, at}) // no source: not grouped
		default:
			out = append(out, obs{src, 1 + r.IntN(3), at})
		}
	}
	return out
}

// TestShardedMatchesCorrelator checks that spreading groups over shards, handing observations
// over by hash and merging runs of equal ones change nothing: the same bursts, in the same order,
// at the same observations, with the same stats, for any batch size.
func TestShardedMatchesCorrelator(t *testing.T) {
	e := compile(t, scanRules)
	w := e.NewWorker()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for seed := uint64(1); seed <= 6; seed++ {
		events := stream(seed, 4000)
		evs := make([]*event.Event, len(events))
		for i, o := range events {
			ev := firewallEvent(o.src, o.port)
			ev.Time = event.Time{UnixNano: base + int64(o.at)*int64(time.Second), Known: true}
			evs[i] = ev
		}

		// The single-goroutine correlator; each burst is labelled with the line of the
		// observation at which it was reported.
		var want []string
		line := int64(0)
		c := e.NewCorrelator(Limits{}, func(b *Burst) { want = append(want, fmt.Sprintf("@%d %s", line, summarize([]*Burst{b}))) })
		for i, ev := range evs {
			line = int64(i + 1)
			for _, ri := range w.Match(ev, nil) {
				for _, ci := range e.CorrelationsOf(ri) {
					cr := e.Correlations[ci].Correlation
					key := AppendKey(nil, ev.Get(event.SourceIP))
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

		for _, tc := range []struct{ batchLines, cores int }{{1, 8}, {7, 8}, {100, 8}, {5000, 8}, {7, 1}, {100, 2}} {
			batchLines := tc.batchLines
			got, st := runShardedAs(e, evs, batchLines, tc.cores, Limits{}, func(bu *Burst) string { return summarize([]*Burst{bu}) })
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("seed %d, %d lines per batch, %d cores: bursts differ\n got %q\nwant %q", seed, batchLines, tc.cores, got, want)
			}
			if st != c.Stats {
				t.Errorf("seed %d, %d lines per batch, %d cores: stats %+v, want %+v", seed, batchLines, tc.cores, st, c.Stats)
			}
		}
		if len(want) == 0 || c.Stats.Discontinuities == 0 || c.Stats.Ungrouped == 0 {
			t.Fatalf("seed %d: the stream does not exercise the correlator (%d bursts, %+v)", seed, len(want), c.Stats)
		}
	}
}

// TestShardedAddDoesNotAllocate checks the workers' side of the promise: once a batch's buffers
// have grown, adding observations allocates nothing.
func TestShardedAddDoesNotAllocate(t *testing.T) {
	e := compile(t, scanRules)
	w := e.NewWorker()
	var evs []*event.Event
	for i := range 64 {
		ev := firewallEvent(fmt.Sprintf("198.51.100.%d", i%7), 1000+i)
		ev.Time = event.Time{UnixNano: int64(i) * int64(time.Second), Known: true}
		evs = append(evs, ev)
	}
	var b Batch
	var matched []int
	fill := func() {
		b.Reset("fw")
		for i, ev := range evs {
			matched = w.Match(ev, matched)
			for _, ri := range matched {
				for _, ci := range e.CorrelationsOf(ri) {
					e.Add(&b, ci, ev, int64(i))
				}
			}
		}
	}
	fill()
	if a := testing.AllocsPerRun(100, fill); a != 0 {
		t.Errorf("%.2f allocations per batch of %d observations", a, len(evs))
	}
}

// TestIdleBurstsEndWhenTheirWindowPasses: every burst whose group fell quiet for a whole timespan
// is reported at the first observation past it, however many end at once (keikai once ended at
// most eight per observation and reported the rest lines later).
func TestIdleBurstsEndWhenTheirWindowPasses(t *testing.T) {
	e := compile(t, scanRules)
	var events []obs
	for i := 0; i < 20; i++ {
		src := fmt.Sprintf("198.51.100.%d", i)
		events = append(events, obs{src, 1, 0}, obs{src, 2, 0}, obs{src, 3, 0})
	}
	events = append(events, obs{"203.0.113.1", 1, 200}, obs{"203.0.113.2", 1, 201})
	var at []int64
	line := int64(0)
	c := e.NewCorrelator(Limits{}, func(b *Burst) {
		if b.Rule.Title == "scan" {
			at = append(at, line)
		}
	})
	w := e.NewWorker()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i, o := range events {
		line = int64(i + 1)
		ev := firewallEvent(o.src, o.port)
		ev.Time = event.Time{UnixNano: base + int64(o.at)*int64(time.Second), Known: true}
		for _, ri := range w.Match(ev, nil) {
			for _, ci := range e.CorrelationsOf(ri) {
				c.Observe(&Observation{Corr: ci, Time: ev.Time, Key: AppendKey(nil, ev.Get(event.SourceIP)), Value: ev.Get(event.DestinationPort), At: Ref{File: "fw", Line: line, Time: ev.Time}})
			}
		}
	}
	if len(at) != 20 {
		t.Fatalf("%d scan bursts, want 20", len(at))
	}
	for _, l := range at {
		if l != 61 {
			t.Fatalf("scan bursts reported at lines %v, want all at line 61", at)
		}
	}
}

// FuzzUngroupedValue checks that Add, which looks at each group-by value once per line, finds a
// key ungrouped exactly when ungrouped finds the key made of those values so.
func FuzzUngroupedValue(f *testing.F) {
	f.Add([]byte("198.51.100.1"), []byte("80"))
	f.Add([]byte{}, []byte("x"))
	f.Add([]byte{'a', 0, 'b'}, []byte{0})
	f.Add([]byte{'a', 0, 0, 'b'}, []byte{'c', 0})
	f.Fuzz(func(t *testing.T, x, y []byte) {
		bad := func(v []byte) bool { return len(v) == 0 || bytes.IndexByte(v, 0) >= 0 && ungroupedValue(v) }
		key := AppendKey(AppendKey(nil, x), y)
		if got, want := bad(x) || bad(y), ungrouped(key); got != want {
			t.Fatalf("values %q, %q: ungrouped %v, want %v", x, y, got, want)
		}
	})
}

// TestKeyOrderMatters checks that the hash Add makes of a key's values depends on their order: a
// flow from a to b and one from b to a are two groups.
func TestKeyOrderMatters(t *testing.T) {
	a, b := maphash.Bytes(keySeed, []byte("192.0.2.1")), maphash.Bytes(keySeed, []byte("192.0.2.2"))
	if combineHash(a, b) == combineHash(b, a) || combineHash(a, b) == combineHash(a, a) {
		t.Fatal("the key hash does not tell the values apart")
	}
}

// FuzzHasZero compares hasZero with bytes.IndexByte.
func FuzzHasZero(f *testing.F) {
	for _, s := range []string{"", "1", "80", "443", "8080", "65535", "10.0.0.1", "192.0.2.10", "198.51.100.200", "a\x00", "\x00bc", "abc\x00defgh", "abcdefghijklmno\x00", "\x01\x00\x01\x01", "\x80\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if got, want := hasZero(v), bytes.IndexByte(v, 0) >= 0; got != want {
			t.Fatalf("hasZero(%q) = %v", v, got)
		}
	})
}
