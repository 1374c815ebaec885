package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/derive"
)

// uniqueViolation is SQLSTATE 23505.
const uniqueViolation = "23505"

// AddToken implements store.Tokens; a hash already stored is store.ErrConflict.
func (db *DB) AddToken(ctx context.Context, name string, hash []byte) (store.Token, error) {
	if len(hash) == 0 {
		return store.Token{}, errors.New("adding token: empty hash")
	}
	t := store.Token{Name: derive.Text(name), CreatedAt: derive.Time(time.Now())}
	err := db.pool.QueryRow(ctx, `INSERT INTO tokens (name, hash, created_at) VALUES ($1, $2, $3) RETURNING id`,
		t.Name, hash, t.CreatedAt).Scan(&t.ID)
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == uniqueViolation {
		return store.Token{}, fmt.Errorf("adding token %q: %w", name, store.ErrConflict)
	}
	if err != nil {
		return store.Token{}, fmt.Errorf("adding token %q: %w", name, err)
	}
	return t, nil
}

func scanToken(row pgx.Row) (store.Token, error) {
	var t store.Token
	var revoked *time.Time
	if err := row.Scan(&t.ID, &t.Name, &t.CreatedAt, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	if revoked != nil {
		t.RevokedAt = revoked.UTC()
	}
	return t, nil
}

// ListTokens implements store.Tokens: every token, revoked ones included, oldest first.
func (db *DB) ListTokens(ctx context.Context) ([]store.Token, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, name, created_at, revoked_at FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Token, error) { return scanToken(r) })
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	return out, nil
}

// RevokeToken implements store.Tokens. Revoking twice keeps the first time.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`,
		derive.Time(time.Now()), id)
	if err != nil {
		return fmt.Errorf("revoking token %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("revoking token %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// TokenByHash implements store.Tokens.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, `SELECT id, name, created_at, revoked_at FROM tokens
		WHERE hash = $1 AND revoked_at IS NULL`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Token{}, fmt.Errorf("token: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Token{}, fmt.Errorf("looking up a token: %w", err)
	}
	return t, nil
}
