package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Claim implements store.Queue. SKIP LOCKED lets workers of several processes claim at once
// without waiting for each other or taking the same job; a claim counts as an attempt.
func (db *DB) Claim(ctx context.Context, worker string, n int, lease time.Duration) ([]store.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	release, err := db.bulkSlot(ctx)
	if err != nil {
		return nil, fmt.Errorf("claiming jobs: %w", err)
	}
	defer release()
	now := derive.Time(time.Now())
	rows, err := db.pool.Query(ctx, `UPDATE jobs SET attempts = attempts + 1, lease_until = $1, worker = $2
		WHERE id IN (SELECT id FROM jobs WHERE not_before <= $3 AND (lease_until IS NULL OR lease_until <= $3)
			ORDER BY not_before, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		RETURNING id, report_id, attempts, worker`, now.Add(lease), derive.Text(worker), now, n)
	if err != nil {
		return nil, fmt.Errorf("claiming jobs: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Job, error) {
		var j store.Job
		err := r.Scan(&j.ID, &j.ReportID, &j.Attempts, &j.Worker)
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("claiming jobs: %w", err)
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
	release, err := db.bulkSlot(ctx)
	if err != nil {
		return fmt.Errorf("completing analysis of report %d: %w", job.ReportID, err)
	}
	defer release()
	first, err := db.completeFirst(ctx, job, a, doc, facts)
	if err != nil || first {
		return err
	}
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var received time.Time
		var decided *string
		var counted string
		// FOR UPDATE: two workers completing the same report (a lease that expired) take turns.
		err := tx.QueryRow(ctx, `SELECT received_at, decided_category, category FROM reports WHERE id = $1 FOR UPDATE`,
			job.ReportID).Scan(&received, &decided, &counted)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("completing analysis: report %d: %w", job.ReportID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("completing analysis of report %d: %w", job.ReportID, err)
		}
		category := facts.Category
		if decided != nil {
			category = *decided
		}
		before, err := storedFacts(ctx, tx, job.ReportID)
		if err != nil {
			return fmt.Errorf("reading the earlier analysis of report %d: %w", job.ReportID, err)
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE reports SET analysis = $1, suggested_category = $2, rsit = $3, category = $4,
			analysed_at = $5, state = $6, failure = '' WHERE id = $7`,
			string(doc), facts.Category, facts.RSIT, category, nullTime(a.AnalysedAt), string(report.StateAnalysed), job.ReportID)
		for _, table := range []string{"report_ports", "report_icmp", "report_cgi", "report_causes", "report_observables"} {
			b.Queue(`DELETE FROM `+table+` WHERE report_id = $1`, job.ReportID)
		}
		for _, p := range facts.Ports {
			b.Queue(`INSERT INTO report_ports (received_at, report_id, protocol, port, category) VALUES ($1, $2, $3, $4, $5)`,
				received, job.ReportID, p.Protocol, p.Port, category)
		}
		for _, t := range facts.ICMPTypes {
			b.Queue(`INSERT INTO report_icmp (received_at, report_id, icmp_type, category) VALUES ($1, $2, $3, $4)`,
				received, job.ReportID, t, category)
		}
		for _, p := range facts.CGIPaths {
			b.Queue(`INSERT INTO report_cgi (received_at, report_id, path, category) VALUES ($1, $2, $3, $4)`,
				received, job.ReportID, p, category)
		}
		for _, c := range facts.Causes {
			b.Queue(`INSERT INTO report_causes (received_at, report_id, advisory, rule, title, title_ja, category)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, received, job.ReportID, c.Advisory, c.Rule, c.Title, c.TitleJa, category)
		}
		for _, o := range facts.Observables {
			b.Queue(`INSERT INTO report_observables (report_id, received_at, category, kind, value, ip, reserved, count)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, job.ReportID, received, category, string(o.Kind), o.Value, nullBytes(o.IP), o.Reserved, o.Count)
		}
		// Last, in Delta's order: the per-day rows are locked briefly and always in one order.
		for _, c := range derive.Delta(before.Counted(counted), facts.Counted(category)) {
			b.Queue(`INSERT INTO activity_days (day, kind, key, shard, reports) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (day, kind, key, shard) DO UPDATE SET reports = activity_days.reports + excluded.reports`,
				derive.Day(received), c.Kind, c.Key, job.ReportID%8, c.By)
		}
		b.Queue(`DELETE FROM jobs WHERE id = $1`, job.ID)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("storing the analysis of report %d: %w", job.ReportID, err)
		}
		return nil
	})
}

// completeFirstAnalysis stores the first analysis of a report that carries no decision: one
// statement, so one round trip and one transaction. Such a report has no side rows yet (only
// Complete writes them, always with the analysis) and counts as other, so what changes is known
// without reading. A report analysed before, or decided, or no longer stored, is left alone: no
// row comes back and Complete takes the general path. A second worker completing the same report
// at once waits for the first on the report's row, then finds it analysed.
const completeFirstAnalysis = `WITH r AS (
	UPDATE reports SET analysis = $2, suggested_category = $3, rsit = $4, category = $3,
		analysed_at = $5, state = $6, failure = ''
	WHERE id = $1 AND analysis IS NULL AND decided_category IS NULL AND category = 'other'
	RETURNING id, received_at
),
p AS (INSERT INTO report_ports (received_at, report_id, protocol, port, category)
	SELECT r.received_at, r.id, u.protocol, u.port, $3 FROM r, unnest($7::text[], $8::integer[]) AS u (protocol, port)),
i AS (INSERT INTO report_icmp (received_at, report_id, icmp_type, category)
	SELECT r.received_at, r.id, u.icmp_type, $3 FROM r, unnest($9::integer[]) AS u (icmp_type)),
c AS (INSERT INTO report_cgi (received_at, report_id, path, category)
	SELECT r.received_at, r.id, u.path, $3 FROM r, unnest($10::text[]) AS u (path)),
k AS (INSERT INTO report_causes (received_at, report_id, advisory, rule, title, title_ja, category)
	SELECT r.received_at, r.id, u.advisory, u.rule, u.title, u.title_ja, $3
	FROM r, unnest($11::text[], $12::text[], $13::text[], $14::text[]) AS u (advisory, rule, title, title_ja)),
o AS (INSERT INTO report_observables (report_id, received_at, category, kind, value, ip, reserved, count)
	SELECT r.id, r.received_at, $3, u.kind, u.value, u.ip, u.reserved, u.count
	FROM r, unnest($15::text[], $16::text[], $17::bytea[], $18::boolean[], $19::integer[]) AS u (kind, value, ip, reserved, count)),
-- In Delta's order, as the general path: the per-day rows are always locked in one order.
d AS (INSERT INTO activity_days (day, kind, key, shard, reports)
	SELECT floor(extract(epoch FROM r.received_at) / 86400)::bigint, u.kind, u.key, r.id % 8, u.by
	FROM r, unnest($20::text[], $21::text[], $22::bigint[]) WITH ORDINALITY AS u (kind, key, by, n) ORDER BY u.n
	ON CONFLICT (day, kind, key, shard) DO UPDATE SET reports = activity_days.reports + excluded.reports),
j AS (DELETE FROM jobs WHERE id = $23 AND EXISTS (SELECT 1 FROM r))
SELECT count(*) FROM r`

// completeFirst runs completeFirstAnalysis; false means the report needs the general path.
func (db *DB) completeFirst(ctx context.Context, job store.Job, a *report.Analysis, doc []byte, facts derive.Facts) (bool, error) {
	var protocols, paths, advisories, rules, titles, titlesJa, kinds, values, dayKinds, dayKeys []string
	var ports, icmp, counts []int
	var ips [][]byte
	var reserved []bool
	var by []int64
	for _, p := range facts.Ports {
		protocols, ports = append(protocols, p.Protocol), append(ports, p.Port)
	}
	icmp = append(icmp, facts.ICMPTypes...)
	paths = append(paths, facts.CGIPaths...)
	for _, c := range facts.Causes {
		advisories, rules = append(advisories, c.Advisory), append(rules, c.Rule)
		titles, titlesJa = append(titles, c.Title), append(titlesJa, c.TitleJa)
	}
	for _, o := range facts.Observables {
		ip := o.IP
		if len(ip) == 0 {
			ip = nil // NULL, as nullBytes stores it
		}
		kinds, values, ips = append(kinds, string(o.Kind)), append(values, o.Value), append(ips, ip)
		reserved, counts = append(reserved, o.Reserved), append(counts, o.Count)
	}
	// A report not yet analysed counts as other.
	before := []derive.Fact{{Kind: derive.KindCategory, Key: taxonomy.Other}}
	for _, c := range derive.Delta(before, facts.Counted(facts.Category)) {
		dayKinds, dayKeys, by = append(dayKinds, c.Kind), append(dayKeys, c.Key), append(by, c.By)
	}
	var n int
	err := db.pool.QueryRow(ctx, completeFirstAnalysis, job.ReportID, string(doc), facts.Category, facts.RSIT,
		nullTime(a.AnalysedAt), string(report.StateAnalysed), protocols, ports, icmp, paths,
		advisories, rules, titles, titlesJa, kinds, values, ips, reserved, counts,
		dayKinds, dayKeys, by, job.ID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("storing the analysis of report %d: %w", job.ReportID, err)
	}
	return n == 1, nil
}

// storedFacts reads the side rows a report is counted under now, before they are replaced.
func storedFacts(ctx context.Context, tx pgx.Tx, id int64) (derive.Facts, error) {
	var f derive.Facts
	var p derive.Port
	rows, _ := tx.Query(ctx, `SELECT protocol, port FROM report_ports WHERE report_id = $1`, id)
	if _, err := pgx.ForEachRow(rows, []any{&p.Protocol, &p.Port}, func() error {
		f.Ports = append(f.Ports, p)
		return nil
	}); err != nil {
		return f, err
	}
	var t int
	rows, _ = tx.Query(ctx, `SELECT icmp_type FROM report_icmp WHERE report_id = $1`, id)
	if _, err := pgx.ForEachRow(rows, []any{&t}, func() error {
		f.ICMPTypes = append(f.ICMPTypes, t)
		return nil
	}); err != nil {
		return f, err
	}
	var path string
	rows, _ = tx.Query(ctx, `SELECT path FROM report_cgi WHERE report_id = $1`, id)
	if _, err := pgx.ForEachRow(rows, []any{&path}, func() error {
		f.CGIPaths = append(f.CGIPaths, path)
		return nil
	}); err != nil {
		return f, err
	}
	var c derive.Cause
	rows, _ = tx.Query(ctx, `SELECT advisory, rule FROM report_causes WHERE report_id = $1`, id)
	_, err := pgx.ForEachRow(rows, []any{&c.Advisory, &c.Rule}, func() error {
		f.Causes = append(f.Causes, c)
		return nil
	})
	return f, err
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return derive.Time(t)
}

// Fail implements store.Queue.
func (db *DB) Fail(ctx context.Context, job store.Job, reason string, retryAt time.Time, give bool) error {
	reason = derive.Text(reason)
	if give {
		return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE reports SET state = $1, failure = $2 WHERE id = $3`,
				string(report.StateFailed), reason, job.ReportID); err != nil {
				return fmt.Errorf("marking report %d failed: %w", job.ReportID, err)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM jobs WHERE id = $1`, job.ID); err != nil {
				return fmt.Errorf("removing job %d: %w", job.ID, err)
			}
			return nil
		})
	}
	tag, err := db.pool.Exec(ctx, `UPDATE jobs SET not_before = $1, lease_until = NULL, worker = '', last_error = $2
		WHERE id = $3`, derive.Time(retryAt), reason, job.ID)
	if err != nil {
		return fmt.Errorf("recording the failure of job %d: %w", job.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("job %d: %w", job.ID, store.ErrNotFound)
	}
	return nil
}

// Enqueue implements store.Queue. A report that already waits (not leased) is not queued twice.
func (db *DB) Enqueue(ctx context.Context, reportID int64) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// Locking the report row makes concurrent Enqueues of one report take turns, so the
		// NOT EXISTS below sees the other's job.
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM reports WHERE id = $1 FOR UPDATE`, reportID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("queueing report %d: %w", reportID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("queueing report %d: %w", reportID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE reports SET state = $1 WHERE id = $2 AND state = $3`,
			string(report.StateReceived), reportID, string(report.StateFailed)); err != nil {
			return fmt.Errorf("queueing report %d: %w", reportID, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO jobs (report_id, not_before)
			SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE report_id = $1 AND lease_until IS NULL)`,
			reportID, derive.Time(time.Now())); err != nil {
			return fmt.Errorf("queueing report %d: %w", reportID, err)
		}
		return nil
	})
}

// Pending implements store.Queue: jobs waiting or leased.
func (db *DB) Pending(ctx context.Context) (int64, error) {
	var n int64
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM jobs`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting pending jobs: %w", err)
	}
	return n, nil
}
