package engine

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

func TestBurstSamplesDistinctValuesInOrder(t *testing.T) {
	e := compile(t, scanRules)
	events := []obs{{"a", 22, 0}, {"a", 22, 1}, {"a", 80, 2}, {"a", 443, 3}, {"a", 80, 4}, {"a", 8080, 5}}
	for _, tt := range []struct {
		samples int
		want    []string
	}{
		{0, []string{"22", "80", "443", "8080"}}, // default: 16
		{2, []string{"22", "80"}},
		{3, []string{"22", "80", "443"}},
	} {
		var got []string
		for _, b := range runCorrelator(t, e, Limits{Samples: tt.samples}, events) {
			if b.Rule.Title == "scan" {
				got = b.Values
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Samples %d: values %q, want %q", tt.samples, got, tt.want)
		}
	}
}

// TestObserveDoesNotAllocate checks the correlator's promise of no allocation per observation in
// steady state, for both kinds of correlation, with new distinct values in every window.
func TestObserveDoesNotAllocate(t *testing.T) {
	e := compile(t, scanRules)
	c := e.NewCorrelator(Limits{}, func(*Burst) {})
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	key := AppendKey(nil, []byte("198.51.100.7"))
	ports := make([][]byte, 64)
	for i := range ports {
		ports[i] = []byte(strconv.Itoa(1000 + i))
	}
	var n int64
	observe := func() {
		// Every second observation comes from a window of its own (two minutes on), so groups are
		// dropped and recycled; in between, a new port each time.
		at := base + (n/2)*int64(2*time.Minute) + (n%2)*int64(time.Second)
		tm := event.Time{UnixNano: at, Known: true}
		for ci := range e.Correlations {
			c.Observe(&Observation{Corr: ci, Time: tm, Key: key, Value: ports[n%int64(len(ports))], At: Ref{File: "fw", Line: n, Time: tm}})
		}
		n++
	}
	for range 100 {
		observe() // warm up: buffers reach their size
	}
	if a := testing.AllocsPerRun(200, observe); a != 0 {
		t.Errorf("%.2f allocations per observation", a)
	}
}
