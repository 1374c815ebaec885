package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
	"github.com/keikai-project/keikai/internal/store/storetest"
	"github.com/keikai-project/keikai/internal/testenv"
)

// BenchmarkInsert stores reports from 50 concurrent clients, each Insert committed (WAL flushed)
// before it returns.
func BenchmarkInsert(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.DSN(b, "keikai_test_"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	raw := []byte(strings.Repeat("Jun 30 12:00:00 host sshd[1]: Failed password for root from 192.0.2.1\n", 30))
	var seq atomic.Int64
	b.SetParallelism(25)
	cpu := storetest.CPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			_, err := db.Insert(ctx, &report.Submission{Channel: report.ChannelAPI, ReceivedAt: time.Now(),
				Raw: raw, MessageID: fmt.Sprintf("bench-%d", n)}, nil)
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	b.ReportMetric((storetest.CPU()-cpu).Seconds()/float64(b.N)*1e6, "client-cpu-µs/op")
}

// BenchmarkActivity computes the activity report of a quarter of 1,000,000 reports (see
// storetest.BenchReports). They are generated once with COPY, not through Insert, into the
// schema keikai_bench_N, which later runs reuse. cpu-s/op is this process's CPU only: the work
// is the server's.
func BenchmarkActivity(b *testing.B) {
	n := storetest.BenchReports(b)
	from, to := storetest.Day(4, 1), storetest.Day(7, 1)
	ctx := context.Background()
	dsn := testenv.PostgresDSN(b)
	schema := fmt.Sprintf("keikai_bench_%d", n)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// One connection, so that its server process's CPU time is the work of the benchmark.
	q.Set("pool_max_conns", "1")
	u.RawQuery = q.Encode()
	db, err := Open(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var have int
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM reports`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have != n {
		start := time.Now()
		if err := bulkLoad(ctx, db, n, from, to); err != nil {
			b.Fatalf("generating %d reports: %v", n, err)
		}
		b.Logf("generated %d reports in %v (schema %s)", n, time.Since(start).Round(time.Millisecond), schema)
	}
	var backend int
	if err := db.pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatal(err)
	}
	for _, p := range storetest.BenchPeriods(from, to) {
		b.Run(p.Name, func(b *testing.B) {
			serverBefore, serverOK := processCPU(backend)
			cpu := storetest.CPU()
			for b.Loop() {
				st, err := db.Activity(ctx, p.From, p.To, 10)
				if err != nil {
					b.Fatal(err)
				}
				if st.Total != int64(p.Want(n)) {
					b.Fatalf("total %d, want %d", st.Total, p.Want(n))
				}
			}
			b.ReportMetric((storetest.CPU()-cpu).Seconds()/float64(b.N), "client-cpu-s/op")
			// The server's share, when it runs on this machine (its /proc is readable).
			if serverAfter, ok := processCPU(backend); ok && serverOK {
				b.ReportMetric((serverAfter-serverBefore).Seconds()/float64(b.N), "server-cpu-s/op")
			}
		})
	}
}

// processCPU is the user and system time of a process on this machine, from /proc.
func processCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces: count fields after its closing parenthesis.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// Linux reports clock ticks of 1/100 s (USER_HZ) on every common architecture.
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}

var errStop = errors.New("stop")

// generated is storetest.Generate as an iterator.
func generated(n int, from, to time.Time) iter.Seq[*storetest.Generated] {
	return func(yield func(*storetest.Generated) bool) {
		storetest.Generate(n, from, to, func(g *storetest.Generated) error {
			if !yield(g) {
				return errStop
			}
			return nil
		})
	}
}

// copySource turns each generated report into zero or more rows of one table.
type copySource struct {
	next    func() (*storetest.Generated, bool)
	rows    func(g *storetest.Generated) [][]any
	pending [][]any
	cur     []any
}

func (c *copySource) Next() bool {
	for len(c.pending) == 0 {
		g, ok := c.next()
		if !ok {
			return false
		}
		c.pending = c.rows(g)
	}
	c.cur, c.pending = c.pending[0], c.pending[1:]
	return true
}

func (c *copySource) Values() ([]any, error) { return c.cur, nil }
func (c *copySource) Err() error             { return nil }

// bulkLoad writes n generated reports and their side rows with COPY, one pass of the generator
// per table, then vacuums so that the rankings are index-only scans.
func bulkLoad(ctx context.Context, db *DB, n int, from, to time.Time) error {
	if _, err := db.pool.Exec(ctx, `TRUNCATE reports, jobs, report_ports, report_icmp, report_cgi, report_causes, report_observables, activity_days`); err != nil {
		return err
	}
	tables := []struct {
		name string
		cols []string
		rows func(g *storetest.Generated) [][]any
	}{
		{"reports", []string{"id", "tracking", "channel", "received_at", "state", "message_id", "size", "suggested_category", "category", "analysed_at", "raw"},
			func(g *storetest.Generated) [][]any {
				return [][]any{{g.ID, g.Tracking, string(report.ChannelSMTP), g.ReceivedAt, string(report.StateAnalysed),
					fmt.Sprintf("gen-%d@example.jp", g.ID), len(g.Raw), g.Facts.Category, g.Facts.Category, g.ReceivedAt, append([]byte(nil), g.Raw...)}}
			}},
		{"report_ports", []string{"received_at", "report_id", "protocol", "port", "category"},
			func(g *storetest.Generated) (out [][]any) {
				for _, p := range g.Facts.Ports {
					out = append(out, []any{g.ReceivedAt, g.ID, p.Protocol, p.Port, g.Facts.Category})
				}
				return out
			}},
		{"report_icmp", []string{"received_at", "report_id", "icmp_type", "category"},
			func(g *storetest.Generated) (out [][]any) {
				for _, t := range g.Facts.ICMPTypes {
					out = append(out, []any{g.ReceivedAt, g.ID, t, g.Facts.Category})
				}
				return out
			}},
		{"report_cgi", []string{"received_at", "report_id", "path", "category"},
			func(g *storetest.Generated) (out [][]any) {
				for _, p := range g.Facts.CGIPaths {
					out = append(out, []any{g.ReceivedAt, g.ID, p, g.Facts.Category})
				}
				return out
			}},
		{"report_causes", []string{"received_at", "report_id", "advisory", "rule", "title", "title_ja", "category"},
			func(g *storetest.Generated) (out [][]any) {
				for _, c := range g.Facts.Causes {
					out = append(out, []any{g.ReceivedAt, g.ID, c.Advisory, c.Rule, c.Title, c.TitleJa, g.Facts.Category})
				}
				return out
			}},
	}
	for _, tb := range tables {
		next, stop := iter.Pull(generated(n, from, to))
		_, err := db.pool.CopyFrom(ctx, pgx.Identifier{tb.name}, tb.cols, &copySource{next: next, rows: tb.rows})
		stop()
		if err != nil {
			return fmt.Errorf("copying %s: %w", tb.name, err)
		}
	}
	if _, err := db.pool.Exec(ctx, `SELECT setval('reports_id_seq', (SELECT MAX(id) FROM reports))`); err != nil {
		return err
	}
	if err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return rebuildDays(ctx, tx) }); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, `VACUUM ANALYZE reports, report_ports, report_icmp, report_cgi, report_causes, activity_days`)
	return err
}
