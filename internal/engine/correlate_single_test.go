package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/keikai-project/keikai/internal/event"
)

func TestSingleIsOneCacheLine(t *testing.T) {
	if n := unsafe.Sizeof(single{}); n != 64 {
		t.Errorf("a single takes %d bytes, want 64", n)
	}
}

// TestHashedSize holds the record of an observation to the 72 bytes it takes with the places of
// two values of its key: the workers write one per observation, the shards read it back.
func TestHashedSize(t *testing.T) {
	if n := unsafe.Sizeof(Hashed{}); n != 72 {
		t.Errorf("a Hashed takes %d bytes, want 72", n)
	}
}

// TestSinglesChangeNothing compares the correlator with and without singles on streams that reach
// every path of theirs: groups capped and evicted, promotion, times a little out of order and
// before 1970, jumps back in time, zoned times, values too long to keep, several files, and a ring
// that grows and is packed.
func TestSinglesChangeNothing(t *testing.T) {
	e := compile(t, scanRules)
	for _, tc := range []struct {
		seed   uint64
		base   int64
		limits Limits
		keys   int
		step   int // the most milliseconds the time moves on at once
		pairs  int // in how many of 100 observations a key comes back at once
	}{
		{1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Limits{}, 300, 2000, 0},
		{2, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Limits{Groups: 16}, 1000, 2000, 10},
		{3, -int64(30 * time.Second), Limits{Groups: 16}, 200, 2000, 0},
		{4, 0, Limits{Samples: 1}, 5000, 2000, 10},
		{5, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Limits{Groups: 200}, 20000, 2000, 0},
		// Many groups promoted soon after they start, behind a single that stays: the ring is
		// packed rather than grown.
		{6, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), Limits{}, 1_000_000, 20, 60},
	} {
		obs := singleStream(e, tc.seed, tc.base, tc.keys, tc.step, tc.pairs, 20000)
		run := func(noSingles bool) (string, Stats) {
			var out strings.Builder
			c := e.NewCorrelator(tc.limits, func(b *Burst) {
				fmt.Fprintf(&out, "%s %q events=%d distinct=%d capped=%v values=%q first=%+v last=%+v\n",
					b.Rule.Title, b.Group, b.Events, b.Distinct, b.Capped, b.Values, b.First, b.Last)
			})
			c.sh.noSingles = noSingles
			for i := range obs {
				c.Observe(&obs[i])
			}
			c.Flush()
			return out.String(), c.Stats
		}
		got, gotStats := run(false)
		want, wantStats := run(true)
		if got != want {
			t.Errorf("seed %d: bursts differ with singles\n got %s\nwant %s", tc.seed, got, want)
		}
		if gotStats != wantStats {
			t.Errorf("seed %d: stats %+v with singles, want %+v", tc.seed, gotStats, wantStats)
		}
		if want == "" || wantStats.Discontinuities == 0 || tc.limits.Groups != 0 && wantStats.Evicted == 0 {
			t.Errorf("seed %d: the stream does not exercise the correlator (%d bytes of bursts, %+v)", tc.seed, len(want), wantStats)
		}
	}
}

func singleStream(e *Engine, seed uint64, base int64, keys, step, pairs, n int) []Observation {
	r := rand.New(rand.NewPCG(seed, 11))
	files := []string{"a", "b", "c"}
	file := files[0]
	var out []Observation
	at := base
	lastKey := 0
	for len(out) < n {
		switch x := r.IntN(1000); {
		case x < 3:
			at -= int64(time.Duration(120+r.IntN(600)) * time.Second) // an earlier period
		case x < 100:
			at -= int64(time.Duration(r.IntN(5)*step/2) * time.Millisecond) // a little out of order
		case x < 600:
			at += int64(time.Duration(r.IntN(step)) * time.Millisecond)
		case x < 610:
			file = files[r.IntN(len(files))]
		}
		// A few keys come back often (scanners), most rarely.
		k := r.IntN(keys)
		if r.IntN(4) == 0 {
			k = r.IntN(10)
		}
		ci := r.IntN(len(e.Correlations))
		if n := len(out); n > 0 && r.IntN(100) < pairs {
			k, ci = lastKey, out[n-1].Corr
		}
		lastKey = k
		var value []byte
		if e.Correlations[ci].Correlation.Field != event.FieldNone {
			value = []byte(fmt.Sprint(r.IntN(40)))
			if r.IntN(20) == 0 {
				value = []byte(fmt.Sprintf("2001:db8::%d:%d", r.IntN(1000), r.IntN(1000))) // too long for a single
			}
		}
		tm := event.Time{UnixNano: at, Known: true}
		if r.IntN(3) == 0 {
			tm.Zoned, tm.Offset = true, int32(3600*r.IntN(10))
		}
		lineTime := tm
		if r.IntN(50) == 0 {
			lineTime = event.Time{} // a line's time may differ from the observation's
		}
		out = append(out, Observation{Corr: ci, Time: tm, Key: AppendKey(nil, []byte(fmt.Sprintf("198.51.%d", k))), Value: value,
			At: Ref{File: file, Line: int64(len(out) + 1), Time: lineTime}})
	}
	return out
}

// TestTableTellsApartEqualLowHalves: the group table keeps only the low half of a hash in its
// slots; keys that share it must still be counted apart.
func TestTableTellsApartEqualLowHalves(t *testing.T) {
	e := compile(t, scanRules)
	run := func(hashes [2]uint64, noSingles bool) string {
		sh := newShard(e, Limits{}.withDefaults(), 1)
		sh.noSingles = noSingles
		var out strings.Builder
		sh.emit = func(b *Burst, _ burstOrder) {
			fmt.Fprintf(&out, "%s %q events=%d distinct=%d values=%q\n", b.Rule.Title, b.Group, b.Events, b.Distinct, b.Values)
		}
		for i := range 40 {
			k := i % 2
			port := fmt.Sprint(1 + i/2) // the first key probes a new port each time
			if k == 1 {
				port = "7"
			}
			tm := event.Time{UnixNano: int64(i) * int64(time.Second), Known: true}
			for ci, c := range e.Correlations {
				h := Hashed{Time: tm, Key: hashes[k], First: int64(i + 1), N: 1, Corr: int32(ci)}
				var value []byte
				if c.Correlation.Field != event.FieldNone {
					value = []byte(port)
					h.Value = uint64(len(port))<<32 | uint64(port[0])<<8 | uint64(port[len(port)-1])
				}
				sh.observe(&sample{o: &h, t: tm.UnixNano, file: "fw", keyBytes: []byte{'a' + byte(k), 0}, valueBytes: value, seq: int64(i + 1)})
			}
		}
		for ci := range sh.states {
			sh.flush(ci)
		}
		return out.String()
	}
	for _, noSingles := range []bool{false, true} {
		want := run([2]uint64{0x1_0000_0005, 0x2_0000_0006}, noSingles)
		if got := run([2]uint64{0x1_0000_0005, 0x2_0000_0005}, noSingles); got != want || want == "" {
			t.Errorf("singles %v: bursts of keys with equal low halves\n got %s\nwant %s", !noSingles, got, want)
		}
	}
}

// FuzzCopyShort compares copyShort with copy.
func FuzzCopyShort(f *testing.F) {
	for _, s := range []string{"", "1", "80", "443", "8080", "65535", "10.0.0.1", "192.0.2.10", "198.51.100.200", "fe80::1:2:3:4:5"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if len(v) > singleValue {
			v = v[:singleValue]
		}
		var got, want [singleValue]byte
		n := copyShort(&got, v)
		copy(want[:], v)
		if int(n) != len(v) || string(got[:n]) != string(want[:len(v)]) {
			t.Fatalf("copyShort(%q) = %q, %d", v, got[:n], n)
		}
	})
}
