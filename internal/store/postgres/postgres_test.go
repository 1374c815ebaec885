package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/migrate"
	"github.com/keikai-project/keikai/internal/store/storetest"
	"github.com/keikai-project/keikai/internal/testenv"
)

// testDSN returns a DSN whose tables live in a schema of their own, dropped when the test ends,
// so that runs are repeatable and tests do not see each other's rows.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := testenv.PostgresDSN(t)
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "keikai_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestConformance(t *testing.T) {
	testenv.PostgresDSN(t)
	var mu sync.Mutex
	dsns := map[*testing.T]string{}
	storetest.Run(t, func(t *testing.T) store.Store {
		mu.Lock()
		dsn, ok := dsns[t]
		if !ok {
			dsn = testDSN(t)
			dsns[t] = dsn
		}
		mu.Unlock()
		db, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

func TestConcurrentStartMigratesOnce(t *testing.T) {
	dsn := testDSN(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := Open(ctx, dsn)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("Open at once: %v", err)
		}
	}
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
		t.Errorf("schema_migrations rows = %d, %v; want %d", n, err, len(ms))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := testDSN(t)
	ctx := context.Background()
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, dsn)
	if err == nil || !strings.Contains(err.Error(), "schema version 999") || !strings.Contains(err.Error(), "newer keikai") {
		t.Fatalf("Open of a newer database: %v; want a refusal that names the versions", err)
	}
}
