package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func nullTokenID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// insertReport stores the report, its tracking number, its job and its count in one statement (so one
// transaction and one round trip). A conflict on a unique index stores nothing and returns no
// row; PostgreSQL first waits for the transaction that holds the conflicting row to end.
const insertReport = `WITH n AS (SELECT nextval('reports_id_seq') AS id),
r AS (
	INSERT INTO reports (id, tracking, channel, received_at, message_id, token_id, idempotency_key,
		remote_addr, lang, content_type, size, status_hash, raw)
	SELECT n.id, 'KK-' || $1::text || '-' || CASE WHEN n.id < 1000000 THEN lpad(n.id::text, 6, '0') ELSE n.id::text END,
		$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM n
	ON CONFLICT DO NOTHING
	RETURNING id, tracking, received_at
),
j AS (INSERT INTO jobs (report_id, not_before) SELECT id, received_at FROM r),
-- Until analysed, a report counts as other.
d AS (INSERT INTO activity_days (day, kind, key, shard, reports) SELECT $13, 'category', 'other', id % 8, 1 FROM r
	ON CONFLICT (day, kind, key, shard) DO UPDATE SET reports = activity_days.reports + 1)
SELECT id, tracking FROM r`

// Insert implements store.Reports.
func (db *DB) Insert(ctx context.Context, sub *report.Submission, statusHash []byte) (report.Receipt, error) {
	s := derive.Submission(sub)
	rc := report.Receipt{ReceivedAt: s.ReceivedAt}
	err := db.pool.QueryRow(ctx, insertReport, fmt.Sprintf("%04d", s.ReceivedAt.Year()),
		string(s.Channel), s.ReceivedAt, s.MessageID, nullTokenID(s.TokenID), s.IdempotencyKey,
		s.RemoteAddr, s.Lang, s.ContentType, len(s.Raw), nullBytes(statusHash), s.Raw, derive.Day(s.ReceivedAt)).Scan(&rc.ID, &rc.Tracking)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.duplicate(ctx, &s)
	}
	if err != nil {
		return report.Receipt{}, fmt.Errorf("storing the report: %w", err)
	}
	return rc, nil
}

func (db *DB) duplicate(ctx context.Context, s *report.Submission) (report.Receipt, error) {
	rc := report.Receipt{Duplicate: true}
	lookups := []struct {
		ok   bool
		q    string
		args []any
	}{
		{s.MessageID != "", `SELECT id, tracking, received_at FROM reports WHERE message_id = $1`, []any{s.MessageID}},
		{s.IdempotencyKey != "" && s.TokenID != 0, `SELECT id, tracking, received_at FROM reports WHERE token_id = $1 AND idempotency_key = $2`,
			[]any{s.TokenID, s.IdempotencyKey}},
	}
	for _, l := range lookups {
		if !l.ok {
			continue
		}
		err := db.pool.QueryRow(ctx, l.q, l.args...).Scan(&rc.ID, &rc.Tracking, &rc.ReceivedAt)
		if err == nil {
			rc.ReceivedAt = rc.ReceivedAt.UTC()
			return rc, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return report.Receipt{}, fmt.Errorf("looking up the earlier report: %w", err)
		}
	}
	return report.Receipt{}, fmt.Errorf("storing the report: %w (the status link hash is already in use)", store.ErrConflict)
}

const reportColumns = `id, COALESCE(tracking, ''), channel, received_at, state, message_id, size, analysis`

func scanReport(row pgx.Row) (*report.Report, error) {
	var r report.Report
	var channel, state string
	var analysis []byte
	if err := row.Scan(&r.ID, &r.Tracking, &channel, &r.ReceivedAt, &state, &r.MessageID, &r.Size, &analysis); err != nil {
		return nil, err
	}
	r.Channel, r.State, r.ReceivedAt = report.Channel(channel), report.State(state), r.ReceivedAt.UTC()
	if analysis != nil {
		r.Analysis = new(report.Analysis)
		if err := json.Unmarshal(analysis, r.Analysis); err != nil {
			return nil, fmt.Errorf("reading the analysis of report %d: %w", r.ID, err)
		}
	}
	return &r, nil
}

func (db *DB) getBy(ctx context.Context, what, where string, arg any) (*report.Report, error) {
	r, err := scanReport(db.pool.QueryRow(ctx, `SELECT `+reportColumns+` FROM reports WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("report %s: %w", what, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading report %s: %w", what, err)
	}
	return r, nil
}

// Get implements store.Reports.
func (db *DB) Get(ctx context.Context, id int64) (*report.Report, error) {
	return db.getBy(ctx, strconv.FormatInt(id, 10), `id = $1`, id)
}

// ByTracking implements store.Reports.
func (db *DB) ByTracking(ctx context.Context, tracking string) (*report.Report, error) {
	return db.getBy(ctx, tracking, `tracking = $1`, derive.Text(tracking))
}

// ByStatusHash implements store.Reports.
func (db *DB) ByStatusHash(ctx context.Context, hash []byte) (*report.Report, error) {
	if len(hash) == 0 {
		return nil, fmt.Errorf("report by status link: %w", store.ErrNotFound)
	}
	return db.getBy(ctx, "by status link", `status_hash = $1`, hash)
}

// Submission implements store.Reports.
func (db *DB) Submission(ctx context.Context, id int64) (*report.Submission, error) {
	var s report.Submission
	var channel string
	var token *int64
	err := db.pool.QueryRow(ctx, `SELECT channel, received_at, raw, content_type, message_id,
		idempotency_key, token_id, remote_addr, lang FROM reports WHERE id = $1`, id).
		Scan(&channel, &s.ReceivedAt, &s.Raw, &s.ContentType, &s.MessageID, &s.IdempotencyKey, &token, &s.RemoteAddr, &s.Lang)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("submission of report %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the submission of report %d: %w", id, err)
	}
	if s.Raw == nil {
		s.Raw = []byte{}
	}
	if token != nil {
		s.TokenID = *token
	}
	s.Channel, s.ReceivedAt = report.Channel(channel), s.ReceivedAt.UTC()
	return &s, nil
}

// List implements store.Reports: reports in ID order, the filters combined.
func (db *DB) List(ctx context.Context, f store.Filter) ([]report.Report, error) {
	var where []string
	var args []any
	add := func(cond string, vals ...any) {
		for _, v := range vals {
			args = append(args, v)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		where = append(where, cond)
	}
	if !f.From.IsZero() {
		add(`received_at >= ?`, derive.Time(f.From))
	}
	if !f.To.IsZero() {
		add(`received_at < ?`, derive.Time(f.To))
	}
	if f.Category != "" {
		add(`category = ?`, derive.Text(f.Category))
	}
	if f.Channel != "" {
		add(`channel = ?`, derive.Text(string(f.Channel)))
	}
	if f.TokenID != 0 {
		add(`token_id = ?`, f.TokenID)
	}
	if f.Source != "" {
		lo, hi, err := derive.SourceRange(f.Source)
		if err != nil {
			return nil, err
		}
		add(`id IN (SELECT report_id FROM report_observables WHERE ip BETWEEN ? AND ?)`, lo, hi)
	}
	if f.AfterID != 0 {
		add(`id > ?`, f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + reportColumns + ` FROM reports`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, limit)
	q += ` ORDER BY id LIMIT $` + strconv.Itoa(len(args))
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing reports: %w", err)
	}
	defer rows.Close()
	var out []report.Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("listing reports: %w", err)
		}
		out = append(out, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing reports: %w", err)
	}
	return out, nil
}
