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

// appendAudit appends e to the audit log inside tx, the transaction of the change it records,
// chained to the last entry. The single writer serialises every append, so the chain has one
// order: the order of the IDs.
func appendAudit(tx *wtx, e audit.Entry) error {
	if e.Object == "" || e.Action == "" {
		return fmt.Errorf("audit entry without object or action: %+v", e)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = derive.Time(e.At)
	e.Actor.Name = derive.Text(e.Actor.Name)
	var prev []byte
	err := tx.QueryRowContext(bg, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit log: reading the last entry: %w", err)
	}
	if _, err := tx.ExecContext(bg, `INSERT INTO audit_log (at, actor_id, actor_name, object, object_id, action, before, after, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, micros(e.At), e.Actor.UserID, e.Actor.Name, string(e.Object), e.ObjectID, e.Action,
		nullJSON(e.Before), nullJSON(e.After), e.Chain(prev)); err != nil {
		return fmt.Errorf("audit log: appending %s: %w", e.Action, err)
	}
	return nil
}

// nullJSON stores an absent document as NULL and any other as the exact bytes that were hashed.
func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// AuditLog implements store.Audit.
func (db *DB) AuditLog(ctx context.Context, f store.AuditFilter) ([]audit.Entry, error) {
	var where []string
	var args []any
	if f.Object != "" {
		where = append(where, "object = ?")
		args = append(args, string(f.Object))
		if f.ObjectID != 0 {
			where = append(where, "object_id = ?")
			args = append(args, f.ObjectID)
		}
	}
	if f.AfterID > 0 {
		where = append(where, "id > ?")
		args = append(args, f.AfterID)
	}
	q := `SELECT id, at, actor_id, actor_name, object, object_id, action, before, after, hash FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at int64
		var object string
		var before, after sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.Actor.UserID, &e.Actor.Name, &object, &e.ObjectID, &e.Action, &before, &after, &e.Hash); err != nil {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		e.At, e.Object = fromMicros(at), audit.Kind(object)
		if before.Valid {
			e.Before = []byte(before.String)
		}
		if after.Valid {
			e.After = []byte(after.String)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	return out, nil
}
