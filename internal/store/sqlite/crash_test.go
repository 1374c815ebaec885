package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/storetest"
)

const crashDBEnv = "KEIKAI_STORE_CRASH_DB"

// TestCrashChild is the process that TestCrash kills; on its own it does nothing.
func TestCrashChild(t *testing.T) {
	if os.Getenv(storetest.CrashEnv) == "" {
		t.Skip("the child of TestCrash")
	}
	db, err := Open(context.Background(), os.Getenv(crashDBEnv))
	if err != nil {
		t.Fatal(err)
	}
	storetest.CrashChild(db)
}

func TestCrash(t *testing.T) {
	if os.Getenv(storetest.CrashEnv) != "" {
		t.Skip("inside the child")
	}
	path := filepath.Join(t.TempDir(), "keikai.db")
	storetest.Crash(t, "TestCrashChild", []string{crashDBEnv + "=" + path}, func(t *testing.T) store.Store {
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("reopening after the kill: %v", err)
		}
		var result string
		if err := db.read.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
			t.Errorf("integrity_check after the kill: %q, %v", result, err)
		}
		return db
	})
}
