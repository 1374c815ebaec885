package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/postgres"
	"github.com/keikai-project/keikai/internal/store/sqlite"
)

// defaultDB is the embedded database every store-reading command uses unless told otherwise.
const defaultDB = "keikai.db"

// dbFlag registers the --db flag shared by every command that reads or writes the store.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", defaultDB, "the database: a SQLite `file`, or a postgres:// DSN for PostgreSQL")
}

// openStore opens the store that --db names: a postgres:// or postgresql:// URL selects
// PostgreSQL, anything else is a SQLite file (created if missing).
func openStore(ctx context.Context, dsn string) (store.Store, error) {
	if isPostgres(dsn) {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("--db %s: %w", redactDSN(dsn), err)
		}
		return db, nil
	}
	db, err := sqlite.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// isPostgres reports whether --db names a PostgreSQL database rather than a SQLite file.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// redactDSN hides a password in a DSN before it is printed.
func redactDSN(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return dsn
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return dsn
}
