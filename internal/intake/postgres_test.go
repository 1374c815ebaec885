package intake

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/postgres"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
)

// TestPostgresSharedQueue runs three intake services, as three keikai serve processes would, on
// one PostgreSQL database: every report is analysed exactly once, by whichever took its job.
func TestPostgresSharedQueue(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t, "keikai_intake_")
	var analyses atomic.Int32
	eng := AssessAnalyzer(bundledEngine(t), time.UTC, "test")
	counting := func(ctx context.Context, c report.Content, at time.Time) (*report.Analysis, error) {
		analyses.Add(1)
		return eng(ctx, c, at)
	}
	var services []*Service
	var stores []store.Store
	for i := range 3 {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		svc := newService(t, db, counting, func(c *Config) { c.Name = "process-" + string(rune('a'+i)) })
		if err := svc.Start(); err != nil {
			t.Fatal(err)
		}
		services, stores = append(services, svc), append(stores, db)
	}
	const n = 60
	ids := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc, err := services[i%3].Submit(ctx, jsonSubmission(t, map[string]any{"excerpts": []string{probeExcerpt(2)}}))
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = rc.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if r := waitState(t, stores[0], id); r.State != report.StateAnalysed || r.Analysis.Category != "probe" {
			t.Fatalf("report %d: %s", id, r.State)
		}
	}
	for _, svc := range services {
		if err := svc.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := analyses.Load(); got != n {
		t.Errorf("%d analyses of %d reports; want each analysed once", got, n)
	}
}
