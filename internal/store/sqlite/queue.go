package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// Claim implements store.Queue. A claim counts as an attempt: a report that crashes its worker
// every time still reaches its limit of attempts.
func (db *DB) Claim(ctx context.Context, worker string, n int, lease time.Duration) ([]store.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	var jobs []store.Job
	err := db.w.do(ctx, kindBulk, func(tx *wtx) error {
		jobs = jobs[:0]
		now := time.Now()
		rows, err := tx.QueryContext(bg, `UPDATE jobs SET attempts = attempts + 1, lease_until = ?, worker = ?
			WHERE id IN (SELECT id FROM jobs WHERE not_before <= ? AND (lease_until IS NULL OR lease_until <= ?)
				ORDER BY not_before, id LIMIT ?)
			RETURNING id, report_id, attempts, worker`, micros(now.Add(lease)), worker, micros(now), micros(now), n)
		if err != nil {
			return fmt.Errorf("claiming jobs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var j store.Job
			if err := rows.Scan(&j.ID, &j.ReportID, &j.Attempts, &j.Worker); err != nil {
				return fmt.Errorf("claiming jobs: %w", err)
			}
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// Complete implements store.Queue. The report's side-table rows are replaced, not added to, so a
// reanalysis never counts a report twice.
func (db *DB) Complete(ctx context.Context, job store.Job, a *report.Analysis) error {
	doc, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encoding the analysis of report %d: %w", job.ReportID, err)
	}
	facts := derive.FactsOf(a)
	return db.w.do(ctx, kindBulk, func(tx *wtx) error {
		var received int64
		var decided sql.NullString
		var counted string
		var analysed bool
		err := tx.QueryRowContext(bg, `SELECT received_at, decided_category, category, analysis IS NOT NULL FROM reports WHERE id = ?`,
			job.ReportID).Scan(&received, &decided, &counted, &analysed)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("completing analysis: report %d: %w", job.ReportID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("completing analysis of report %d: %w", job.ReportID, err)
		}
		category := facts.Category
		if decided.Valid {
			category = decided.String
		}
		if _, err := tx.ExecContext(bg, `UPDATE reports SET analysis = ?, suggested_category = ?, rsit = ?,
			category = ?, analysed_at = ?, state = ?, failure = '' WHERE id = ?`,
			string(doc), facts.Category, facts.RSIT, category, micros(a.AnalysedAt), string(report.StateAnalysed), job.ReportID); err != nil {
			return fmt.Errorf("storing the analysis of report %d: %w", job.ReportID, err)
		}
		// Side rows are written only here, with the analysis: a report analysed for the first
		// time (nearly every one) has none to read or remove.
		var before derive.Facts
		if analysed {
			if before, err = storedFacts(tx, job.ReportID); err != nil {
				return fmt.Errorf("reading the earlier analysis of report %d: %w", job.ReportID, err)
			}
		}
		if err := replaceFacts(tx, job.ReportID, received, category, facts, analysed); err != nil {
			return fmt.Errorf("storing the analysis of report %d: %w", job.ReportID, err)
		}
		if err := applyDelta(tx, fromMicros(received), derive.Delta(before.Counted(counted), facts.Counted(category))); err != nil {
			return fmt.Errorf("counting the analysis of report %d: %w", job.ReportID, err)
		}
		if _, err := tx.ExecContext(bg, `DELETE FROM jobs WHERE id = ?`, job.ID); err != nil {
			return fmt.Errorf("removing job %d: %w", job.ID, err)
		}
		return nil
	})
}

// storedFacts reads the side rows a report is counted under now, before they are replaced.
func storedFacts(tx *wtx, id int64) (derive.Facts, error) {
	var f derive.Facts
	rows, err := tx.QueryContext(bg, `SELECT protocol, port FROM report_ports WHERE report_id = ?`, id)
	if err != nil {
		return f, err
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var p derive.Port
		err := r.Scan(&p.Protocol, &p.Port)
		f.Ports = append(f.Ports, p)
		return err
	})
	if err != nil {
		return f, err
	}
	if rows, err = tx.QueryContext(bg, `SELECT icmp_type FROM report_icmp WHERE report_id = ?`, id); err != nil {
		return f, err
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var t int
		err := r.Scan(&t)
		f.ICMPTypes = append(f.ICMPTypes, t)
		return err
	})
	if err != nil {
		return f, err
	}
	if rows, err = tx.QueryContext(bg, `SELECT path FROM report_cgi WHERE report_id = ?`, id); err != nil {
		return f, err
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var p string
		err := r.Scan(&p)
		f.CGIPaths = append(f.CGIPaths, p)
		return err
	})
	if err != nil {
		return f, err
	}
	if rows, err = tx.QueryContext(bg, `SELECT advisory, rule FROM report_causes WHERE report_id = ?`, id); err != nil {
		return f, err
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var c derive.Cause
		err := r.Scan(&c.Advisory, &c.Rule)
		f.Causes = append(f.Causes, c)
		return err
	})
	return f, err
}

// applyDelta changes the per-day totals of the day of received.
func applyDelta(tx *wtx, received time.Time, changes []derive.Change) error {
	day := derive.Day(received)
	for _, c := range changes {
		if _, err := tx.ExecContext(bg, `INSERT INTO activity_days (day, kind, key, shard, reports) VALUES (?, ?, ?, 0, ?)
			ON CONFLICT (day, kind, key, shard) DO UPDATE SET reports = reports + excluded.reports`,
			day, c.Kind, c.Key, c.By); err != nil {
			return err
		}
	}
	return nil
}

// replaceFacts writes the side rows of a report, removing those of an earlier analysis first.
func replaceFacts(tx *wtx, id, received int64, category string, f derive.Facts, earlier bool) error {
	for _, table := range []string{"report_ports", "report_icmp", "report_cgi", "report_causes", "report_observables"} {
		if !earlier {
			break
		}
		if _, err := tx.ExecContext(bg, `DELETE FROM `+table+` WHERE report_id = ?`, id); err != nil {
			return err
		}
	}
	for _, p := range f.Ports {
		if _, err := tx.ExecContext(bg, `INSERT INTO report_ports (received_at, report_id, protocol, port, category)
			VALUES (?, ?, ?, ?, ?)`, received, id, p.Protocol, p.Port, category); err != nil {
			return err
		}
	}
	for _, t := range f.ICMPTypes {
		if _, err := tx.ExecContext(bg, `INSERT INTO report_icmp (received_at, report_id, icmp_type, category)
			VALUES (?, ?, ?, ?)`, received, id, t, category); err != nil {
			return err
		}
	}
	for _, p := range f.CGIPaths {
		if _, err := tx.ExecContext(bg, `INSERT INTO report_cgi (received_at, report_id, path, category)
			VALUES (?, ?, ?, ?)`, received, id, p, category); err != nil {
			return err
		}
	}
	for _, c := range f.Causes {
		if _, err := tx.ExecContext(bg, `INSERT INTO report_causes (received_at, report_id, advisory, rule, title, title_ja, category)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, received, id, c.Advisory, c.Rule, c.Title, c.TitleJa, category); err != nil {
			return err
		}
	}
	for _, o := range f.Observables {
		if _, err := tx.ExecContext(bg, `INSERT INTO report_observables (report_id, received_at, category, kind, value, ip, reserved, count)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, received, category, string(o.Kind), o.Value, nullBytes(o.IP), o.Reserved, o.Count); err != nil {
			return err
		}
	}
	return nil
}

// Fail implements store.Queue.
func (db *DB) Fail(ctx context.Context, job store.Job, reason string, retryAt time.Time, give bool) error {
	return db.w.do(ctx, kindBulk, func(tx *wtx) error {
		if give {
			if _, err := tx.ExecContext(bg, `UPDATE reports SET state = ?, failure = ? WHERE id = ?`,
				string(report.StateFailed), reason, job.ReportID); err != nil {
				return fmt.Errorf("marking report %d failed: %w", job.ReportID, err)
			}
			if _, err := tx.ExecContext(bg, `DELETE FROM jobs WHERE id = ?`, job.ID); err != nil {
				return fmt.Errorf("removing job %d: %w", job.ID, err)
			}
			return nil
		}
		res, err := tx.ExecContext(bg, `UPDATE jobs SET not_before = ?, lease_until = NULL, worker = '', last_error = ?
			WHERE id = ?`, micros(retryAt), reason, job.ID)
		if err != nil {
			return fmt.Errorf("recording the failure of job %d: %w", job.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("job %d: %w", job.ID, store.ErrNotFound)
		}
		return nil
	})
}

// Enqueue implements store.Queue. A report that already waits (not leased) is not queued twice.
func (db *DB) Enqueue(ctx context.Context, reportID int64) error {
	return db.w.do(ctx, kindBulk, func(tx *wtx) error {
		var exists bool
		if err := tx.QueryRowContext(bg, `SELECT EXISTS (SELECT 1 FROM reports WHERE id = ?)`, reportID).Scan(&exists); err != nil {
			return fmt.Errorf("queueing report %d: %w", reportID, err)
		}
		if !exists {
			return fmt.Errorf("queueing report %d: %w", reportID, store.ErrNotFound)
		}
		if _, err := tx.ExecContext(bg, `UPDATE reports SET state = ? WHERE id = ? AND state = ?`,
			string(report.StateReceived), reportID, string(report.StateFailed)); err != nil {
			return fmt.Errorf("queueing report %d: %w", reportID, err)
		}
		_, err := tx.ExecContext(bg, `INSERT INTO jobs (report_id, not_before)
			SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE report_id = ? AND lease_until IS NULL)`,
			reportID, micros(time.Now()), reportID)
		if err != nil {
			return fmt.Errorf("queueing report %d: %w", reportID, err)
		}
		return nil
	})
}

// Pending implements store.Queue: jobs waiting or leased.
func (db *DB) Pending(ctx context.Context) (int64, error) {
	var n int64
	if err := db.reads.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting pending jobs: %w", err)
	}
	return n, nil
}
