package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// auditLock serialises appends to the audit log across every process sharing the database, so
// the hash chain has one order, the order of the IDs. It is held to the end of the change's
// transaction.
const auditLock = 0x6b65696b61690002

// appendAudit appends e to the audit log inside tx, the transaction of the change it records,
// chained to the last entry.
func appendAudit(ctx context.Context, tx pgx.Tx, e audit.Entry) error {
	if e.Object == "" || e.Action == "" {
		return fmt.Errorf("audit entry without object or action: %+v", e)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(auditLock)); err != nil {
		return fmt.Errorf("audit log: taking the append lock: %w", err)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = derive.Time(e.At)
	e.Actor.Name = derive.Text(e.Actor.Name)
	var prev []byte
	err := tx.QueryRow(ctx, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&prev)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("audit log: reading the last entry: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, object, object_id, action, before, after, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.At, e.Actor.UserID, e.Actor.Name, string(e.Object), e.ObjectID, e.Action,
		nullJSON(e.Before), nullJSON(e.After), e.Chain(prev)); err != nil {
		return fmt.Errorf("audit log: appending %s: %w", e.Action, err)
	}
	return nil
}

// nullJSON stores an absent document as NULL and any other as the exact bytes that were hashed.
func nullJSON(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// AuditLog implements store.Audit.
func (db *DB) AuditLog(ctx context.Context, f store.AuditFilter) ([]audit.Entry, error) {
	var where []string
	var args []any
	if f.Object != "" {
		args = append(args, string(f.Object))
		where = append(where, fmt.Sprintf("object = $%d", len(args)))
		if f.ObjectID != 0 {
			args = append(args, f.ObjectID)
			where = append(where, fmt.Sprintf("object_id = $%d", len(args)))
		}
	}
	if f.AfterID > 0 {
		args = append(args, f.AfterID)
		where = append(where, fmt.Sprintf("id > $%d", len(args)))
	}
	q := `SELECT id, at, actor_id, actor_name, object, object_id, action, before, after, hash FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (audit.Entry, error) {
		var e audit.Entry
		var object string
		var before, after *string
		if err := r.Scan(&e.ID, &e.At, &e.Actor.UserID, &e.Actor.Name, &object, &e.ObjectID, &e.Action, &before, &after, &e.Hash); err != nil {
			return e, err
		}
		e.At, e.Object = e.At.UTC(), audit.Kind(object)
		if before != nil {
			e.Before = []byte(*before)
		}
		if after != nil {
			e.After = []byte(*after)
		}
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	return out, nil
}
