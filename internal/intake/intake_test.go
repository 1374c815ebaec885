package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/sqlite"
)

func openSQLite(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newService(t *testing.T, st store.Store, analyzer Analyzer, tune func(*Config)) *Service {
	t.Helper()
	if analyzer == nil {
		analyzer = AssessAnalyzer(bundledEngine(t), time.UTC, "test")
	}
	cfg := Config{
		Store: st, Decoders: WebDecoders(DefaultLimits()), Analyzer: analyzer,
		Workers: 4, Poll: 10 * time.Millisecond, RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond,
	}
	if tune != nil {
		tune(&cfg)
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func jsonSubmission(t *testing.T, v map[string]any) *report.Submission {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return &report.Submission{Channel: report.ChannelAPI, Raw: raw, ContentType: "application/json", Lang: "en"}
}

// waitState polls until the report leaves StateReceived.
func waitState(t *testing.T, st store.Store, id int64) *report.Report {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := st.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != report.StateReceived {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("report %d still %s after 20 s", id, r.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSubmitAnalyse(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	svc := newService(t, st, nil, nil)
	sub := jsonSubmission(t, map[string]any{
		"reporter_name": "Hanako Yamada", "email": "hanako@example.jp", "time_zone": "Asia/Tokyo",
		"source_hosts": []string{"198.51.100.7"},
		"description":  "portmapper probes",
		"excerpts":     []string{probeExcerpt(3)},
	})
	raw := bytes.Clone(sub.Raw)
	rc, err := svc.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Duplicate || rc.Tracking == "" || !WellFormedSecret(rc.StatusSecret) {
		t.Fatalf("receipt %+v: want a new report with a tracking number and a secret", rc)
	}
	byLink, err := st.ByStatusHash(ctx, HashSecret(rc.StatusSecret))
	if err != nil || byLink.ID != rc.ID {
		t.Fatalf("ByStatusHash(secret) = %v, %v; want report %d", byLink, err, rc.ID)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	r := waitState(t, st, rc.ID)
	if err := svc.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if r.State != report.StateAnalysed || r.Analysis == nil {
		t.Fatalf("state %s, analysis %v; want analysed", r.State, r.Analysis)
	}
	a := r.Analysis
	if a.Category != "probe" || a.RSIT == "" || len(a.Findings) == 0 || a.RulesVersion != "test" {
		t.Errorf("analysis: category %q rsit %q findings %d rules %q; want probe findings from the portmapper rule", a.Category, a.RSIT, len(a.Findings), a.RulesVersion)
	}
	if len(a.TCPPorts) != 1 || a.TCPPorts[0] != 111 {
		t.Errorf("TCP ports %v, want [111]", a.TCPPorts)
	}
	if a.Content.Reporter.Name != "Hanako Yamada" || len(a.Content.Parts) != 2 {
		t.Errorf("content: reporter %q, %d parts; want the reporter and 2 parts", a.Content.Reporter.Name, len(a.Content.Parts))
	}
	stored, err := st.Submission(ctx, rc.ID)
	if err != nil || !bytes.Equal(stored.Raw, raw) {
		t.Fatalf("stored raw differs from the submission (%v)", err)
	}
}

func TestSubmitIdempotent(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	svc := newService(t, st, nil, nil)
	tok, err := st.AddToken(ctx, "partner", HashSecret("x"))
	if err != nil {
		t.Fatal(err)
	}
	var rcs []report.Receipt
	for range 2 {
		sub := jsonSubmission(t, map[string]any{"description": "scan"})
		sub.TokenID, sub.IdempotencyKey = tok.ID, "key-1"
		rc, err := svc.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		rcs = append(rcs, rc)
	}
	if rcs[1].ID != rcs[0].ID || !rcs[1].Duplicate || rcs[1].StatusSecret != "" {
		t.Fatalf("retry receipt %+v; want report %d again, marked duplicate, with no new secret", rcs[1], rcs[0].ID)
	}
}

func TestSubmitRefuses(t *testing.T) {
	st := openSQLite(t)
	svc := newService(t, st, nil, func(c *Config) { c.Limits = DefaultLimits(); c.Limits.MaxSubmission = 100 })
	tests := []struct {
		name string
		sub  *report.Submission
		want error
	}{
		{"too large", &report.Submission{Channel: report.ChannelAPI, Raw: make([]byte, 101), ContentType: "application/json"}, ErrTooLarge},
		{"no decoder", &report.Submission{Channel: report.ChannelSMTP, Raw: []byte("x"), ContentType: "message/rfc822"}, ErrUnsupported},
		{"bad content type", &report.Submission{Channel: report.ChannelAPI, Raw: []byte("x"), ContentType: "a/b; ="}, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := svc.Submit(context.Background(), tt.sub); !errors.Is(err, tt.want) {
				t.Fatalf("Submit: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRetryThenSucceed(t *testing.T) {
	st := openSQLite(t)
	full := AssessAnalyzer(bundledEngine(t), time.UTC, "test")
	var calls atomic.Int32
	flaky := func(ctx context.Context, c report.Content, at time.Time) (*report.Analysis, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("rule set reloading")
		}
		return full(ctx, c, at)
	}
	svc := newService(t, st, flaky, nil)
	rc, err := svc.Submit(context.Background(), jsonSubmission(t, map[string]any{"excerpts": []string{probeExcerpt(1)}}))
	if err != nil {
		t.Fatal(err)
	}
	svc.Start()
	defer svc.Stop(context.Background())
	if r := waitState(t, st, rc.ID); r.State != report.StateAnalysed || calls.Load() != 2 {
		t.Fatalf("state %s after %d calls; want analysed on the second attempt", r.State, calls.Load())
	}
}

func TestGiveUp(t *testing.T) {
	for _, tt := range []struct {
		name     string
		analyzer Analyzer
	}{
		{"error", func(context.Context, report.Content, time.Time) (*report.Analysis, error) {
			return nil, errors.New("always broken")
		}},
		{"panic", func(context.Context, report.Content, time.Time) (*report.Analysis, error) {
			panic("analyzer bug")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := openSQLite(t)
			var calls atomic.Int32
			counted := func(ctx context.Context, c report.Content, at time.Time) (*report.Analysis, error) {
				calls.Add(1)
				return tt.analyzer(ctx, c, at)
			}
			svc := newService(t, st, counted, func(c *Config) { c.MaxAttempts = 3 })
			sub := jsonSubmission(t, map[string]any{"description": "x"})
			raw := bytes.Clone(sub.Raw)
			rc, err := svc.Submit(ctx, sub)
			if err != nil {
				t.Fatal(err)
			}
			svc.Start()
			r := waitState(t, st, rc.ID)
			svc.Stop(ctx)
			if r.State != report.StateFailed || calls.Load() != 3 {
				t.Fatalf("state %s after %d attempts; want failed after 3", r.State, calls.Load())
			}
			if stored, err := st.Submission(ctx, rc.ID); err != nil || !bytes.Equal(stored.Raw, raw) {
				t.Fatalf("raw submission not intact after failure (%v)", err)
			}
		})
	}
}

// TestStopDrains: Stop lets an analysis in progress finish and commit.
func TestStopDrains(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	full := AssessAnalyzer(bundledEngine(t), time.UTC, "test")
	slow := func(ctx context.Context, c report.Content, at time.Time) (*report.Analysis, error) {
		once.Do(func() { close(started) })
		<-release
		return full(ctx, c, at)
	}
	svc := newService(t, st, slow, nil)
	rc, err := svc.Submit(ctx, jsonSubmission(t, map[string]any{"description": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	svc.Start()
	<-started
	stopped := make(chan error)
	go func() { stopped <- svc.Stop(ctx) }()
	time.Sleep(20 * time.Millisecond)
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if r, _ := st.Get(ctx, rc.ID); r.State != report.StateAnalysed {
		t.Fatalf("state %s after a drained stop; want analysed", r.State)
	}
}

// TestStopDeadline: an analysis that outlives the shutdown deadline is abandoned, not failed, and
// another worker takes it up once the lease expires.
func TestStopDeadline(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	started := make(chan struct{})
	var once sync.Once
	stuck := func(ctx context.Context, c report.Content, at time.Time) (*report.Analysis, error) {
		once.Do(func() { close(started) })
		<-ctx.Done()
		return nil, ctx.Err()
	}
	lease := 300 * time.Millisecond
	svc := newService(t, st, stuck, func(c *Config) { c.Lease = lease })
	rc, err := svc.Submit(ctx, jsonSubmission(t, map[string]any{"excerpts": []string{probeExcerpt(1)}}))
	if err != nil {
		t.Fatal(err)
	}
	svc.Start()
	<-started
	deadline, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := svc.Stop(deadline); err == nil {
		t.Fatal("Stop returned nil although an analysis was cut off")
	}
	if r, _ := st.Get(ctx, rc.ID); r.State != report.StateReceived {
		t.Fatalf("state %s after an abandoned analysis; want received", r.State)
	}
	next := newService(t, st, nil, func(c *Config) { c.Lease = lease })
	next.Start()
	defer next.Stop(ctx)
	if r := waitState(t, st, rc.ID); r.State != report.StateAnalysed {
		t.Fatalf("state %s; want analysed by the next worker after the lease expired", r.State)
	}
}

// TestManyConcurrent: every acknowledged report of a concurrent load is analysed exactly once.
func TestManyConcurrent(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	var analysed atomic.Int32
	full := AssessAnalyzer(bundledEngine(t), time.UTC, "test")
	counting := func(ctx context.Context, c report.Content, at time.Time) (*report.Analysis, error) {
		analysed.Add(1)
		return full(ctx, c, at)
	}
	svc := newService(t, st, counting, nil)
	svc.Start()
	const n = 200
	ids := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc, err := svc.Submit(ctx, jsonSubmission(t, map[string]any{"excerpts": []string{probeExcerpt(2)}}))
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = rc.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if r := waitState(t, st, id); r.State != report.StateAnalysed {
			t.Fatalf("report %d: %s", id, r.State)
		}
	}
	if err := svc.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if got := analysed.Load(); got != n {
		t.Errorf("%d analyses for %d reports; want each analysed once", got, n)
	}
	if pending, err := st.Pending(ctx); err != nil || pending != 0 {
		t.Errorf("pending jobs %d (%v); want 0", pending, err)
	}
}
