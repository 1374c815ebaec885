package postgres

import (
	"context"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
	"os"
	"testing"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/storetest"
)

const crashDSNEnv = "KEIKAI_STORE_CRASH_DSN"

// TestCrashChild is the process that TestCrash kills; on its own it does nothing.
func TestCrashChild(t *testing.T) {
	if os.Getenv(storetest.CrashEnv) == "" {
		t.Skip("the child of TestCrash")
	}
	db, err := Open(context.Background(), os.Getenv(crashDSNEnv))
	if err != nil {
		t.Fatal(err)
	}
	storetest.CrashChild(db)
}

func TestCrash(t *testing.T) {
	if os.Getenv(storetest.CrashEnv) != "" {
		t.Skip("inside the child")
	}
	dsn := pgtest.DSN(t, "keikai_test_")
	storetest.Crash(t, "TestCrashChild", []string{crashDSNEnv + "=" + dsn}, func(t *testing.T) store.Store {
		db, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("reopening after the kill: %v", err)
		}
		return db
	})
}
