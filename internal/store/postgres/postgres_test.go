package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/migrate"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
	"github.com/keikai-project/keikai/internal/store/storetest"
	"github.com/keikai-project/keikai/internal/testenv"
)

func TestConformance(t *testing.T) {
	testenv.PostgresDSN(t)
	var mu sync.Mutex
	dsns := map[*testing.T]string{}
	storetest.Run(t, func(t *testing.T) store.Store {
		mu.Lock()
		dsn, ok := dsns[t]
		if !ok {
			dsn = pgtest.DSN(t, "keikai_test_")
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

func TestIncidentsConformance(t *testing.T) {
	testenv.PostgresDSN(t)
	var mu sync.Mutex
	dsns := map[*testing.T]string{}
	storetest.RunIncidents(t, func(t *testing.T) store.Store {
		mu.Lock()
		dsn, ok := dsns[t]
		if !ok {
			dsn = pgtest.DSN(t, "keikai_test_")
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
	dsn := pgtest.DSN(t, "keikai_test_")
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
	dsn := pgtest.DSN(t, "keikai_test_")
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
