package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// bg is the context of statements inside the writer's transactions: see writer.try.
var bg = context.Background()

func micros(t time.Time) int64 { return derive.Time(t).UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullBytes stores an absent hash as NULL, which unique indexes let repeat.
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

// Insert implements store.Reports. The report, its tracking number and its analysis job are one
// transaction of a group commit; a duplicate is recognised by the unique indexes, so two
// concurrent submissions of one message cannot both be stored.
func (db *DB) Insert(ctx context.Context, s *report.Submission, statusHash []byte) (report.Receipt, error) {
	clean := derive.Submission(s)
	s = &clean
	var rc report.Receipt
	err := db.w.do(ctx, kindAck, func(tx *wtx) error {
		rc = report.Receipt{}
		received := s.ReceivedAt
		var id int64
		err := tx.QueryRowContext(bg, `INSERT INTO reports (channel, received_at, message_id, token_id,
			idempotency_key, remote_addr, lang, content_type, size, status_hash, raw)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			string(s.Channel), received.UnixMicro(), s.MessageID, nullTokenID(s.TokenID), s.IdempotencyKey,
			s.RemoteAddr, s.Lang, s.ContentType, len(s.Raw), nullBytes(statusHash), s.Raw).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return db.duplicate(tx, s, &rc)
		}
		if err != nil {
			return fmt.Errorf("storing the report: %w", err)
		}
		rc = report.Receipt{ID: id, Tracking: derive.Tracking(received, id), ReceivedAt: received}
		if _, err := tx.ExecContext(bg, `UPDATE reports SET tracking = ? WHERE id = ?`, rc.Tracking, id); err != nil {
			return fmt.Errorf("storing the report's tracking number: %w", err)
		}
		if _, err := tx.ExecContext(bg, `INSERT INTO jobs (report_id, not_before) VALUES (?, ?)`, id, received.UnixMicro()); err != nil {
			return fmt.Errorf("queueing the report for analysis: %w", err)
		}
		// Until analysed, a report counts as other.
		if err := applyDelta(tx, received, []derive.Change{{Fact: derive.Fact{Kind: derive.KindCategory, Key: taxonomy.Other}, By: 1}}); err != nil {
			return fmt.Errorf("counting the report: %w", err)
		}
		return nil
	})
	return rc, err
}

// duplicate finds the report that a conflicting insert collided with.
func (db *DB) duplicate(tx *wtx, s *report.Submission, rc *report.Receipt) error {
	var q string
	var args []any
	switch {
	case s.MessageID != "":
		q, args = `SELECT id, tracking, received_at FROM reports WHERE message_id = ?`, []any{s.MessageID}
	case s.IdempotencyKey != "" && s.TokenID != 0:
		q, args = `SELECT id, tracking, received_at FROM reports WHERE token_id = ? AND idempotency_key = ?`, []any{s.TokenID, s.IdempotencyKey}
	}
	if q != "" {
		var us int64
		err := tx.QueryRowContext(bg, q, args...).Scan(&rc.ID, &rc.Tracking, &us)
		if err == nil {
			rc.ReceivedAt, rc.Duplicate = fromMicros(us), true
			return nil
		}
		// A Message-ID that is new but an idempotency key that is not: look that one up.
		if errors.Is(err, sql.ErrNoRows) && s.MessageID != "" && s.IdempotencyKey != "" && s.TokenID != 0 {
			c := *s
			c.MessageID = ""
			return db.duplicate(tx, &c, rc)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("looking up the earlier report: %w", err)
		}
	}
	return fmt.Errorf("storing the report: %w (the status link hash is already in use)", store.ErrConflict)
}

const reportColumns = `id, COALESCE(tracking, ''), channel, received_at, state, message_id, size, analysis`

func scanReport(row interface{ Scan(...any) error }) (*report.Report, error) {
	var r report.Report
	var channel, state string
	var us int64
	var analysis sql.NullString
	if err := row.Scan(&r.ID, &r.Tracking, &channel, &us, &state, &r.MessageID, &r.Size, &analysis); err != nil {
		return nil, err
	}
	r.Channel, r.State, r.ReceivedAt = report.Channel(channel), report.State(state), fromMicros(us)
	if analysis.Valid {
		r.Analysis = new(report.Analysis)
		if err := json.Unmarshal([]byte(analysis.String), r.Analysis); err != nil {
			return nil, fmt.Errorf("reading the analysis of report %d: %w", r.ID, err)
		}
	}
	return &r, nil
}

func (db *DB) getBy(ctx context.Context, what, where string, arg any) (*report.Report, error) {
	r, err := scanReport(db.reads.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report %s: %w", what, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading report %s: %w", what, err)
	}
	return r, nil
}

// Get implements store.Reports.
func (db *DB) Get(ctx context.Context, id int64) (*report.Report, error) {
	return db.getBy(ctx, fmt.Sprint(id), `id = ?`, id)
}

// ByTracking implements store.Reports.
func (db *DB) ByTracking(ctx context.Context, tracking string) (*report.Report, error) {
	return db.getBy(ctx, tracking, `tracking = ?`, tracking)
}

// ByStatusHash implements store.Reports.
func (db *DB) ByStatusHash(ctx context.Context, hash []byte) (*report.Report, error) {
	if len(hash) == 0 {
		return nil, fmt.Errorf("report by status link: %w", store.ErrNotFound)
	}
	return db.getBy(ctx, "by status link", `status_hash = ?`, hash)
}

// Submission implements store.Reports.
func (db *DB) Submission(ctx context.Context, id int64) (*report.Submission, error) {
	var s report.Submission
	var channel string
	var us int64
	var token sql.NullInt64
	err := db.reads.QueryRowContext(ctx, `SELECT channel, received_at, raw, content_type, message_id,
		idempotency_key, token_id, remote_addr, lang FROM reports WHERE id = ?`, id).
		Scan(&channel, &us, &s.Raw, &s.ContentType, &s.MessageID, &s.IdempotencyKey, &token, &s.RemoteAddr, &s.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("submission of report %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the submission of report %d: %w", id, err)
	}
	if s.Raw == nil {
		s.Raw = []byte{}
	}
	s.Channel, s.ReceivedAt, s.TokenID = report.Channel(channel), fromMicros(us), token.Int64
	return &s, nil
}

// List implements store.Reports: reports in ID order, the filters combined.
func (db *DB) List(ctx context.Context, f store.Filter) ([]report.Report, error) {
	var where []string
	var args []any
	if !f.From.IsZero() {
		where, args = append(where, `received_at >= ?`), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `received_at < ?`), append(args, micros(f.To))
	}
	if f.Category != "" {
		where, args = append(where, `category = ?`), append(args, f.Category)
	}
	if f.Channel != "" {
		where, args = append(where, `channel = ?`), append(args, string(f.Channel))
	}
	if f.TokenID != 0 {
		where, args = append(where, `token_id = ?`), append(args, f.TokenID)
	}
	if f.Source != "" {
		lo, hi, err := derive.SourceRange(f.Source)
		if err != nil {
			return nil, err
		}
		where = append(where, `id IN (SELECT report_id FROM report_observables WHERE ip BETWEEN ? AND ?)`)
		args = append(args, lo, hi)
	}
	if f.AfterID != 0 {
		where, args = append(where, `id > ?`), append(args, f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + reportColumns + ` FROM reports`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id LIMIT ?`
	rows, err := db.read.QueryContext(ctx, q, append(args, limit)...)
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
