package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

// BenchmarkCorrelateManySources feeds the bundled correlations firewall denies shaped like the
// real-shaped corpus: 60,000 sources, one deny every 150 ms, scans now and then. It reports the
// workers' side (Add) and the correlator's (Submit, Bursts) per observation.
func BenchmarkCorrelateManySources(b *testing.B) {
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(set)
	if err != nil {
		b.Fatal(err)
	}
	w := e.NewWorker()
	const lines = 1 << 16
	var evs []*event.Event
	var matched [][]int
	r := uint64(1)
	next := func(n int) int {
		r = r*6364136223846793005 + 1442695040888963407
		return int(r>>33) % n
	}
	base := time.Date(2002, 9, 10, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := 0; i < lines; i++ {
		src := next(60000)
		if next(4) == 0 {
			src = next(256)
		}
		port := []int{21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 443, 445, 1433, 3128, 8080}[next(15)]
		ev := &event.Event{}
		ev.Reset([]byte("x"))
		ev.Format = event.FormatIptables
		ev.Set(event.SourceIP, fmt.Appendf(nil, "198.18.%d.%d", src/254, 1+src%254))
		ev.Set(event.DestinationIP, fmt.Appendf(nil, "192.0.2.%d", 1+next(254)))
		ev.Set(event.DestinationPort, fmt.Appendf(nil, "%d", port))
		ev.SetString(event.Protocol, "tcp")
		ev.SetString(event.Action, "drop")
		ev.Time = event.Time{UnixNano: base + int64(i)*int64(150*time.Millisecond), Known: true}
		evs = append(evs, ev)
		matched = append(matched, w.Match(ev, nil))
	}
	const perBatch = 2048
	var obs int
	b.ResetTimer()
	for b.Loop() {
		s := e.NewShardedCorrelator(Limits{}, 2)
		var bt Batch
		for start := 0; start < lines; start += perBatch {
			bt.Reset("fw")
			for i := start; i < start+perBatch; i++ {
				for _, ri := range matched[i] {
					for _, ci := range e.CorrelationsOf(ri) {
						e.Add(&bt, ci, evs[i], int64(i))
					}
				}
			}
			obs += len(bt.Obs)
			s.Submit(&bt)
			s.Bursts(&bt, func(int, *Burst) {})
		}
		s.Close(func(*Burst) {})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(obs), "ns/obs")
}
