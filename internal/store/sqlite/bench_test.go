package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store/storetest"
)

// BenchmarkInsert stores reports from 50 concurrent clients, each Insert fsync'd before it
// returns: with group commit (many reports per transaction) and without (one per transaction).
func BenchmarkInsert(b *testing.B) {
	raw := []byte(strings.Repeat("Jun 30 12:00:00 host sshd[1]: Failed password for root from 192.0.2.1\n", 30))
	for _, bc := range []struct {
		name  string
		batch int
	}{{"group", maxBatch}, {"single", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			db, err := open(ctx, filepath.Join(b.TempDir(), "keikai.db"), bc.batch)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
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
			b.ReportMetric((storetest.CPU()-cpu).Seconds()/float64(b.N)*1e6, "cpu-µs/op")
		})
	}
}

// BenchmarkActivity computes the activity report of a quarter of 1,000,000 reports (see
// storetest.BenchReports). The database is generated once with bulk inserts, not through Insert,
// and kept in the temporary directory for later runs.
func BenchmarkActivity(b *testing.B) {
	n := storetest.BenchReports(b)
	from, to := storetest.Day(4, 1), storetest.Day(7, 1)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("keikai-store-bench-activity-%d.db", n))
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var have int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM reports`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have != n {
		start := time.Now()
		// In the writer's transaction, on its connection: the statements built here are not
		// kept prepared.
		err := db.w.do(ctx, kindBulk, func(tx *wtx) error { return bulkLoad(ctx, tx.conn, n, from, to) })
		if err == nil {
			err = db.w.do(ctx, kindBulk, func(tx *wtx) error { _, err := tx.conn.ExecContext(ctx, `ANALYZE`); return err })
		}
		if err != nil {
			b.Fatalf("generating %d reports: %v", n, err)
		}
		b.Logf("generated %d reports in %v (%s)", n, time.Since(start).Round(time.Millisecond), path)
	}
	for _, p := range storetest.BenchPeriods(from, to) {
		b.Run(p.Name, func(b *testing.B) {
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
			b.ReportMetric((storetest.CPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// bulkLoad writes n generated reports and their side rows with multi-row INSERTs in one
// transaction.
func bulkLoad(ctx context.Context, tx *sql.Conn, n int, from, to time.Time) error {
	for _, table := range []string{"activity_days", "report_ports", "report_icmp", "report_cgi", "report_causes", "report_observables", "jobs", "reports"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return err
		}
	}
	type buffer struct {
		head, row string
		cols      int
		rows      int
		args      []any
	}
	newBuf := func(head string, cols int) *buffer {
		return &buffer{head: head, cols: cols, row: "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"}
	}
	flush := func(bf *buffer) error {
		if bf.rows == 0 {
			return nil
		}
		q := bf.head + strings.TrimSuffix(strings.Repeat(bf.row+",", bf.rows), ",")
		_, err := tx.ExecContext(ctx, q, bf.args...)
		bf.rows, bf.args = 0, bf.args[:0]
		return err
	}
	var all []*buffer
	// When one buffer is full all are flushed, reports first, so that every side row finds its
	// report (a deferred foreign key would search the side tables for each report instead).
	add := func(bf *buffer, vals ...any) error {
		bf.args = append(bf.args, vals...)
		bf.rows++
		if bf.rows*bf.cols < 30000 {
			return nil
		}
		for _, bf := range all {
			if err := flush(bf); err != nil {
				return err
			}
		}
		return nil
	}
	reports := newBuf(`INSERT INTO reports (id, tracking, channel, received_at, state, message_id, size, suggested_category, category, analysed_at, raw) VALUES `, 11)
	ports := newBuf(`INSERT INTO report_ports (received_at, report_id, protocol, port, category) VALUES `, 5)
	icmp := newBuf(`INSERT INTO report_icmp (received_at, report_id, icmp_type, category) VALUES `, 4)
	cgi := newBuf(`INSERT INTO report_cgi (received_at, report_id, path, category) VALUES `, 4)
	causes := newBuf(`INSERT INTO report_causes (received_at, report_id, advisory, rule, title, title_ja, category) VALUES `, 7)
	all = []*buffer{reports, ports, icmp, cgi, causes}
	err := storetest.Generate(n, from, to, func(g *storetest.Generated) error {
		at := g.ReceivedAt.UnixMicro()
		f := g.Facts
		if err := add(reports, g.ID, g.Tracking, string(report.ChannelSMTP), at, string(report.StateAnalysed),
			fmt.Sprintf("gen-%d@example.jp", g.ID), len(g.Raw), f.Category, f.Category, at, append([]byte(nil), g.Raw...)); err != nil {
			return err
		}
		for _, p := range f.Ports {
			if err := add(ports, at, g.ID, p.Protocol, p.Port, f.Category); err != nil {
				return err
			}
		}
		for _, t := range f.ICMPTypes {
			if err := add(icmp, at, g.ID, t, f.Category); err != nil {
				return err
			}
		}
		for _, p := range f.CGIPaths {
			if err := add(cgi, at, g.ID, p, f.Category); err != nil {
				return err
			}
		}
		for _, c := range f.Causes {
			if err := add(causes, at, g.ID, c.Advisory, c.Rule, c.Title, c.TitleJa, f.Category); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, bf := range all {
		if err := flush(bf); err != nil {
			return err
		}
	}
	return rebuildDays(ctx, tx)
}
