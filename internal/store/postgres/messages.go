package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

var _ store.Messages = (*DB)(nil)

const messageColumns = `id, report_id, incident_id, direction, kind, message_id, in_reply_to, refs, subject,
	mail_from, mail_to, content_type, shared, actor_id, actor_name, created_at, raw`

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// AddMessage implements store.Messages.
func (db *DB) AddMessage(ctx context.Context, m store.Message, actor audit.Actor) (store.Message, bool, error) {
	if m.ReportID == 0 && m.IncidentID == 0 {
		return store.Message{}, false, errors.New("adding a message: it belongs to no report and no incident")
	}
	m = derive.Message(m, actor, time.Now())
	for attempt := 0; ; attempt++ {
		created := false
		stored := m
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if m.MessageID != "" {
				s, err := scanMessage(tx.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE message_id = $1`, m.MessageID))
				if err == nil {
					stored = s
					return nil
				}
				if !errors.Is(err, pgx.ErrNoRows) {
					return err
				}
			}
			err := tx.QueryRow(ctx, `INSERT INTO messages (report_id, incident_id, direction, kind, message_id, in_reply_to,
				refs, subject, mail_from, mail_to, content_type, shared, actor_id, actor_name, created_at, raw)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
				nullID(m.ReportID), nullID(m.IncidentID), string(m.Direction), string(m.Kind), m.MessageID, m.InReplyTo,
				strings.Join(m.References, " "), m.Subject, m.From, strings.Join(m.To, " "), m.ContentType, m.Shared,
				m.By.UserID, m.By.Name, m.At, m.Raw).Scan(&stored.ID)
			if err != nil {
				return err
			}
			created = true
			return appendAudit(ctx, tx, derive.MessageAudit(stored))
		})
		// Two processes storing the same reply at once: the loser finds the winner's row.
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == uniqueViolation && attempt == 0 {
			continue
		}
		if err != nil {
			return store.Message{}, false, fmt.Errorf("adding a message: %w", err)
		}
		return stored, created, nil
	}
}

func scanMessage(row pgx.Row) (store.Message, error) {
	var m store.Message
	var report, incident *int64
	var direction, kind, refs, to string
	err := row.Scan(&m.ID, &report, &incident, &direction, &kind, &m.MessageID, &m.InReplyTo, &refs, &m.Subject,
		&m.From, &to, &m.ContentType, &m.Shared, &m.By.UserID, &m.By.Name, &m.At, &m.Raw)
	if err != nil {
		return m, err
	}
	if report != nil {
		m.ReportID = *report
	}
	if incident != nil {
		m.IncidentID = *incident
	}
	m.Direction, m.Kind = store.Direction(direction), store.MessageKind(kind)
	m.References, m.To = strings.Fields(refs), strings.Fields(to)
	m.At = m.At.UTC()
	return m, nil
}

// Message implements store.Messages.
func (db *DB) Message(ctx context.Context, id int64) (store.Message, error) {
	m, err := scanMessage(db.pool.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("message %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("reading message %d: %w", id, err)
	}
	return m, nil
}

func (db *DB) queryMessages(ctx context.Context, what, where string, args ...any) ([]store.Message, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+messageColumns+` FROM messages WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", what, err)
	}
	return out, nil
}

// Messages implements store.Messages.
func (db *DB) Messages(ctx context.Context, f store.MessageFilter) ([]store.Message, error) {
	if f.ReportID == 0 && f.IncidentID == 0 {
		return nil, nil
	}
	cond := `(report_id = $1 OR incident_id = $2)`
	if f.SharedOnly {
		cond += ` AND shared`
	}
	return db.queryMessages(ctx, "messages", cond, nullID(f.ReportID), nullID(f.IncidentID))
}

// MessagesByMessageID implements store.Messages.
func (db *DB) MessagesByMessageID(ctx context.Context, ids []string) ([]store.Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	clean := make([]string, len(ids))
	for i, id := range ids {
		clean[i] = derive.Text(id)
	}
	found, err := db.queryMessages(ctx, "messages by Message-ID", `message_id = ANY($1)`, clean)
	if err != nil {
		return nil, err
	}
	return derive.InIDOrder(found, ids), nil
}

// ShareMessage implements store.Messages.
func (db *DB) ShareMessage(ctx context.Context, id int64, shared bool, actor audit.Actor) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var was bool
		err := tx.QueryRow(ctx, `SELECT shared FROM messages WHERE id = $1 FOR UPDATE`, id).Scan(&was)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("sharing message %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sharing message %d: %w", id, err)
		}
		if was == shared {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE messages SET shared = $1 WHERE id = $2`, shared, id); err != nil {
			return fmt.Errorf("sharing message %d: %w", id, err)
		}
		return appendAudit(ctx, tx, derive.ShareAudit(id, was, shared, actor, time.Now()))
	})
}
