package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAPIIntake posts reports through the whole stack (HTTP, JSON validation, SQLite commit,
// analysis) from 50 clients and waits until the queue is empty: per-report cost end to end.
func BenchmarkAPIIntake(b *testing.B) {
	s := newServer(b, nil)
	tok := addToken(b, s, "bench")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 50}}
	body := `{"description": "scan", "source_hosts": ["198.51.100.7"], "excerpts": [` + jsonString(firewallLines+firewallLines) + `]}`
	var n atomic.Int64
	cpuBefore := cpuTime(b)
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest("POST", s.URL+"/api/v1/reports", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 201 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	for {
		pending, err := s.store.Pending(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if pending == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	// CPU per report is steadier than wall time on a shared machine; it includes the in-process
	// clients.
	b.ReportMetric(float64((cpuTime(b)-cpuBefore).Microseconds())/1000/float64(b.N), "cpu-ms/report")
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
