// Command intake is a load generator for keikai serve's API: it posts reports with concurrent
// clients, each report a few log lines of a probe (as partners send them), and prints the rate of
// acknowledged reports, the acknowledgement latency (p50, p99, max) and, with -wait, how long the
// server took until every report was analysed.
//
//	go run ./bench/intake -url http://127.0.0.1:8080 -token TOKEN -n 5000 -c 50 -wait
//
// It runs as its own process so that its CPU is not counted as the server's. Figures go to
// standard output as key=value pairs, one line, for bench/intake.sh to tabulate.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "keikai serve's base `URL`")
	token := flag.String("token", os.Getenv("KEIKAI_TOKEN"), "partner API `token` (default $KEIKAI_TOKEN)")
	n := flag.Int("n", 5000, "reports to post")
	c := flag.Int("c", 50, "concurrent clients")
	lines := flag.Int("lines", 5, "log lines per report")
	wait := flag.Bool("wait", false, "after posting, wait until every report is analysed")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	flag.Parse()
	if *token == "" || *n < 1 || *c < 1 {
		fmt.Fprintln(os.Stderr, "intake: give -token (or KEIKAI_TOKEN), -n >= 1 and -c >= 1")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *url, *token, *n, *c, *lines, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "intake:", err)
		os.Exit(1)
	}
}

type receipt struct {
	ID int64 `json:"id"`
}

func run(ctx context.Context, base, token string, n, c, lines int, wait bool) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}}
	latencies := make([]time.Duration, n)
	ids := make([]int64, n)
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				body := reportBody(i, lines)
				t0 := time.Now()
				id, err := post(ctx, client, base, token, body, fmt.Sprintf("bench-%d-%d", start.UnixNano(), i))
				latencies[i] = time.Since(t0)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return firstErr
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	fmt.Printf("reports=%d clients=%d seconds=%.2f acked_per_s=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f",
		n, c, elapsed.Seconds(), float64(n)/elapsed.Seconds(), ms(pct(0.50)), ms(pct(0.99)), ms(latencies[n-1]))
	if wait {
		if err := waitAnalysed(ctx, client, base, token, ids); err != nil {
			fmt.Println()
			return err
		}
		all := time.Since(start)
		fmt.Printf(" analysed_seconds=%.2f analysed_per_s=%.0f", all.Seconds(), float64(n)/all.Seconds())
	}
	fmt.Println()
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// reportBody is a partner's report of a port scan: each report a different source, so that the
// analyses differ as real ones do.
func reportBody(i, lines int) []byte {
	src := fmt.Sprintf("198.51.%d.%d", 100+i%2, 1+i%250)
	var excerpt bytes.Buffer
	ports := []int{21, 23, 53, 111, 143, 515, 1080, 3128, 6000, 8080}
	for l := range lines {
		fmt.Fprintf(&excerpt, "Jun %2d %02d:%02d:%02d fw kernel: IN=eth0 OUT= MAC= SRC=%s DST=192.0.2.%d LEN=60 TOS=0x00 PREC=0x00 TTL=48 ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=32120 RES=0x00 SYN URGP=0\n",
			1+i%28, i%24, l%60, (i+l)%60, src, 1+l%200, 1000+l, 40000+l, ports[(i+l)%len(ports)])
	}
	b, _ := json.Marshal(map[string]any{
		"reporter_name": "bench partner",
		"organization":  "example.net",
		"email":         "soc@example.net",
		"time_zone":     "Asia/Tokyo",
		"source_hosts":  []string{src},
		"description":   "port scan against our network",
		"excerpts":      []string{excerpt.String()},
	})
	return b
}

func post(ctx context.Context, client *http.Client, base, token string, body []byte, key string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/reports", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("POST answered %s: %s", resp.Status, b)
	}
	var r receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return 0, fmt.Errorf("receipt: %w", err)
	}
	return r.ID, nil
}

// waitAnalysed polls the reports in submission order until each is analysed (or failed).
func waitAnalysed(ctx context.Context, client *http.Client, base, token string, ids []int64) error {
	for _, id := range ids {
		for {
			state, err := stateOf(ctx, client, base, token, id)
			if err != nil {
				return err
			}
			if state == "analysed" || state == "failed" {
				break
			}
			select {
			case <-time.After(20 * time.Millisecond):
			case <-ctx.Done():
				return errors.New("timed out waiting for analysis of report " + strconv.FormatInt(id, 10))
			}
		}
	}
	return nil
}

func stateOf(ctx context.Context, client *http.Client, base, token string, id int64) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/reports/"+strconv.FormatInt(id, 10), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var r struct {
		State string `json:"state"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", fmt.Errorf("report %d: %s: %w", id, resp.Status, err)
	}
	return r.State, nil
}
