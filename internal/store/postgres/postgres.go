// Package postgres is the store of keikai serve when one machine is outgrown: PostgreSQL through
// pgx, on the schema of store/sqlite in PostgreSQL's dialect, so that any number of keikai serve
// processes share one database. Migrations run at start under an advisory lock (several
// processes may start at once); analysis workers take jobs with FOR UPDATE SKIP LOCKED.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a keikai store in a PostgreSQL database. It implements store.Store.
type DB struct {
	pool *pgxpool.Pool
	// bulk bounds the connections that analysis results and claims hold at once to half the
	// pool, so that a submission, whose sender waits for the answer, never queues for a
	// connection behind them.
	bulk chan struct{}
}

var _ store.Store = (*DB)(nil)

// migrationLock is the advisory lock key that serialises migrations ("keikai" in ASCII).
const migrationLock = 0x6b65696b6169

// Open connects to the database at dsn (postgres://...; pgx's pool parameters such as
// pool_max_conns apply) and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: reading the DSN: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// Enough connections for the writes of concurrent submissions to share WAL flushes.
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connecting: %w", err)
	}
	if err := applyMigrations(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{pool: pool, bulk: make(chan struct{}, max(1, cfg.MaxConns/2))}, nil
}

// bulkSlot waits for one of the connections that bulk writes may hold; release gives it back.
func (db *DB) bulkSlot(ctx context.Context) (release func(), err error) {
	select {
	case db.bulk <- struct{}{}:
		return func() { <-db.bulk }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func applyMigrations(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Held to the end of the transaction: a second process starting at the same moment
		// waits here, then finds the schema current.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("postgres: migrating (is the server reachable and the DSN right?): %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("postgres: migrating: %w", err)
		}
		var applied int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
			return fmt.Errorf("postgres: migrating: %w", err)
		}
		pending, err := migrate.Pending(ms, applied)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		for _, m := range pending {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("postgres: migration %04d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("postgres: migration %04d_%s: %w", m.Version, m.Name, err)
			}
		}
		return nil
	})
}

// Close waits for the statements in flight and closes the connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}
