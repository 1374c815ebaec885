package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// AddToken implements store.Tokens; a hash already stored is store.ErrConflict.
func (db *DB) AddToken(ctx context.Context, name string, hash []byte) (store.Token, error) {
	if len(hash) == 0 {
		return store.Token{}, errors.New("adding token: empty hash")
	}
	t := store.Token{Name: derive.Text(name), CreatedAt: derive.Time(time.Now())}
	err := db.w.do(ctx, kindBulk, func(tx *wtx) error {
		err := tx.QueryRowContext(bg, `INSERT INTO tokens (name, hash, created_at) VALUES (?, ?, ?) RETURNING id`,
			t.Name, hash, t.CreatedAt.UnixMicro()).Scan(&t.ID)
		if se := (*sqlite.Error)(nil); errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			return fmt.Errorf("adding token %q: %w", name, store.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("adding token %q: %w", name, err)
		}
		return nil
	})
	return t, err
}

func scanToken(row interface{ Scan(...any) error }) (store.Token, error) {
	var t store.Token
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &created, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt = fromMicros(created)
	if revoked.Valid {
		t.RevokedAt = fromMicros(revoked.Int64)
	}
	return t, nil
}

// ListTokens implements store.Tokens: every token, revoked ones included, oldest first.
func (db *DB) ListTokens(ctx context.Context) ([]store.Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, created_at, revoked_at FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("listing tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	return out, nil
}

// RevokeToken implements store.Tokens. Revoking twice keeps the first time.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	return db.w.do(ctx, kindBulk, func(tx *wtx) error {
		res, err := tx.ExecContext(bg, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`,
			micros(time.Now()), id)
		if err != nil {
			return fmt.Errorf("revoking token %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("revoking token %d: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// TokenByHash implements store.Tokens.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	t, err := scanToken(db.reads.QueryRowContext(ctx, `SELECT id, name, created_at, revoked_at FROM tokens
		WHERE hash = ? AND revoked_at IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Token{}, fmt.Errorf("token: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Token{}, fmt.Errorf("looking up a token: %w", err)
	}
	return t, nil
}
