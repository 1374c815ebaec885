package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

var _ store.Messages = (*DB)(nil)

const messageColumns = `id, report_id, incident_id, direction, kind, message_id, in_reply_to, refs, subject,
	mail_from, mail_to, content_type, shared, actor_id, actor_name, created_at, raw`

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AddMessage implements store.Messages.
func (db *DB) AddMessage(ctx context.Context, m store.Message, actor audit.Actor) (store.Message, bool, error) {
	if m.ReportID == 0 && m.IncidentID == 0 {
		return store.Message{}, false, errors.New("adding a message: it belongs to no report and no incident")
	}
	m = derive.Message(m, actor, time.Now())
	created := false
	err := db.w.do(ctx, kindAck, func(tx *wtx) error {
		if m.MessageID != "" {
			stored, err := scanMessage(tx.QueryRowContext(bg, `SELECT `+messageColumns+` FROM messages WHERE message_id = ?`, m.MessageID))
			if err == nil {
				m = stored
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("adding a message: %w", err)
			}
		}
		err := tx.QueryRowContext(bg, `INSERT INTO messages (report_id, incident_id, direction, kind, message_id, in_reply_to,
			refs, subject, mail_from, mail_to, content_type, shared, actor_id, actor_name, created_at, raw)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			nullID(m.ReportID), nullID(m.IncidentID), string(m.Direction), string(m.Kind), m.MessageID, m.InReplyTo,
			strings.Join(m.References, " "), m.Subject, m.From, strings.Join(m.To, " "), m.ContentType, m.Shared,
			m.By.UserID, m.By.Name, micros(m.At), nonNil(m.Raw)).Scan(&m.ID)
		if err != nil {
			return fmt.Errorf("adding a message: %w", err)
		}
		created = true
		return appendAudit(tx, derive.MessageAudit(m))
	})
	if err != nil {
		return store.Message{}, false, err
	}
	return m, created, nil
}

func scanMessage(row interface{ Scan(...any) error }) (store.Message, error) {
	var m store.Message
	var report, incident sql.NullInt64
	var direction, kind, refs, to string
	var at int64
	err := row.Scan(&m.ID, &report, &incident, &direction, &kind, &m.MessageID, &m.InReplyTo, &refs, &m.Subject,
		&m.From, &to, &m.ContentType, &m.Shared, &m.By.UserID, &m.By.Name, &at, &m.Raw)
	if err != nil {
		return m, err
	}
	m.ReportID, m.IncidentID = report.Int64, incident.Int64
	m.Direction, m.Kind = store.Direction(direction), store.MessageKind(kind)
	m.References, m.To = strings.Fields(refs), strings.Fields(to)
	m.At = fromMicros(at)
	return m, nil
}

// Message implements store.Messages.
func (db *DB) Message(ctx context.Context, id int64) (store.Message, error) {
	m, err := scanMessage(db.read.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("message %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("reading message %d: %w", id, err)
	}
	return m, nil
}

func (db *DB) queryMessages(ctx context.Context, what, where string, args ...any) ([]store.Message, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", what, err)
	}
	defer rows.Close()
	var out []store.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", what, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing %s: %w", what, err)
	}
	return out, nil
}

// Messages implements store.Messages.
func (db *DB) Messages(ctx context.Context, f store.MessageFilter) ([]store.Message, error) {
	if f.ReportID == 0 && f.IncidentID == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	if f.ReportID != 0 {
		where, args = append(where, "report_id = ?"), append(args, f.ReportID)
	}
	if f.IncidentID != 0 {
		where, args = append(where, "incident_id = ?"), append(args, f.IncidentID)
	}
	cond := "(" + strings.Join(where, " OR ") + ")"
	if f.SharedOnly {
		cond += " AND shared"
	}
	return db.queryMessages(ctx, "messages", cond, args...)
}

// MessagesByMessageID implements store.Messages.
func (db *DB) MessagesByMessageID(ctx context.Context, ids []string) ([]store.Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = derive.Text(id)
	}
	found, err := db.queryMessages(ctx, "messages by Message-ID", `message_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	return derive.InIDOrder(found, ids), nil
}

// ShareMessage implements store.Messages.
func (db *DB) ShareMessage(ctx context.Context, id int64, shared bool, actor audit.Actor) error {
	return db.w.do(ctx, kindBulk, func(tx *wtx) error {
		var was bool
		err := tx.QueryRowContext(bg, `SELECT shared FROM messages WHERE id = ?`, id).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sharing message %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sharing message %d: %w", id, err)
		}
		if was == shared {
			return nil
		}
		if _, err := tx.ExecContext(bg, `UPDATE messages SET shared = ? WHERE id = ?`, shared, id); err != nil {
			return fmt.Errorf("sharing message %d: %w", id, err)
		}
		return appendAudit(tx, derive.ShareAudit(id, was, shared, actor, time.Now()))
	})
}
