package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/migrate"
	"github.com/keikai-project/keikai/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	paths := map[*testing.T]string{}
	storetest.Run(t, func(t *testing.T) store.Store {
		mu.Lock()
		path, ok := paths[t]
		if !ok {
			path = filepath.Join(t.TempDir(), "keikai.db")
			paths[t] = path
		}
		mu.Unlock()
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

func TestIncidentsConformance(t *testing.T) {
	var mu sync.Mutex
	paths := map[*testing.T]string{}
	storetest.RunIncidents(t, func(t *testing.T) store.Store {
		mu.Lock()
		path, ok := paths[t]
		if !ok {
			path = filepath.Join(t.TempDir(), "keikai.db")
			paths[t] = path
		}
		mu.Unlock()
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keikai.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	err = db.w.do(ctx, kindBulk, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "schema version 999") || !strings.Contains(err.Error(), "newer keikai") {
		t.Fatalf("Open of a newer database: %v; want a refusal that names the versions", err)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keikai.db")
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
			t.Fatalf("schema_migrations rows = %d, %v; want %d", n, err, len(ms))
		}
		db.Close()
	}
}

// TestBatchIsolatesFailures runs failing writes in the same group commits as good ones: the
// failures are undone alone, and every good write is stored.
func TestBatchIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	insertErrs := make([]error, 40)
	failErrs := make([]error, 40)
	for i := range 40 {
		wg.Go(func() {
			_, insertErrs[i] = db.Insert(ctx, &report.Submission{Channel: report.ChannelAPI, ReceivedAt: storetest.Day(4, 1),
				Raw: []byte{byte(i)}, MessageID: fmt.Sprint("isolated-", i)}, nil)
		})
		wg.Go(func() {
			failErrs[i] = db.Complete(ctx, store.Job{ID: int64(1000 + i), ReportID: int64(1000 + i)}, &report.Analysis{})
		})
	}
	wg.Wait()
	for i := range 40 {
		if insertErrs[i] != nil {
			t.Errorf("insert %d: %v", i, insertErrs[i])
		}
		if !errors.Is(failErrs[i], store.ErrNotFound) {
			t.Errorf("complete of a missing report %d: %v, want ErrNotFound", i, failErrs[i])
		}
	}
	if got, err := db.List(ctx, store.Filter{Limit: 1000}); err != nil || len(got) != 40 {
		t.Errorf("List = %d reports, %v; want 40", len(got), err)
	}
}

func TestInMemoryRefused(t *testing.T) {
	for _, path := range []string{":memory:", "file::memory:?cache=shared", ""} {
		if _, err := Open(context.Background(), path); err == nil {
			t.Errorf("Open(%q): no error", path)
		}
	}
}

// TestDurabilitySettings checks what the durability promise rests on: WAL, a full fsync at
// every commit, foreign keys and a busy timeout on the writer.
func TestDurabilitySettings(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ pragma, want string }{
		{"journal_mode", "wal"}, {"synchronous", "2"}, {"foreign_keys", "1"}, {"busy_timeout", "10000"}, {"temp_store", "2"},
		{"wal_autocheckpoint", fmt.Sprint(walFallback)},
	} {
		var got string
		err := db.w.do(ctx, kindBulk, func(tx *wtx) error { return tx.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got) })
		if err != nil || got != c.want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", c.pragma, got, err, c.want)
		}
	}
	var readOnly string
	if err := db.read.QueryRowContext(ctx, "PRAGMA query_only").Scan(&readOnly); err != nil || readOnly != "1" {
		t.Errorf("read pool query_only = %q, %v; want 1", readOnly, err)
	}
}
