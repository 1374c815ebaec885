package postgres

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
)

func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.DSN(t, "keikai_test_"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	samples := []audit.Entry{
		{At: time.Date(2000, 6, 1, 9, 0, 0, 123456000, time.UTC), Actor: audit.Actor{UserID: 2, Name: "田中"}, Object: audit.KindReport, ObjectID: 7,
			Action: "report.decide", Before: json.RawMessage(`{"category":"probe"}`), After: json.RawMessage(`{"category": "intrusion"}`)},
		{At: time.Date(2000, 6, 1, 9, 1, 0, 0, time.UTC), Actor: audit.System, Object: audit.KindIncident, ObjectID: 1,
			Action: "incident.create", After: json.RawMessage(`{"status":"new"}`)},
		{At: time.Date(2000, 6, 1, 9, 2, 0, 0, time.UTC), Actor: audit.Actor{UserID: 1, Name: "admin"}, Object: audit.KindReport, ObjectID: 8,
			Action: "report.decide", Before: json.RawMessage(`{}`), After: json.RawMessage(`{"rsit":"intrusions:system-compromise"}`)},
	}
	for _, e := range samples {
		if err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return appendAudit(ctx, tx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(samples) {
		t.Fatalf("AuditLog returned %d entries; want %d", len(all), len(samples))
	}
	for i, e := range all {
		want := samples[i]
		want.ID, want.Hash = e.ID, e.Hash
		if !reflect.DeepEqual(e, want) {
			t.Errorf("entry %d read back as\n %+v\nwant\n %+v", i, e, want)
		}
	}
	if bad, err := audit.Verify(all); err != nil {
		t.Fatalf("Verify = %d, %v on an untouched log", bad, err)
	}
	if got, _ := db.AuditLog(ctx, store.AuditFilter{Object: audit.KindReport, ObjectID: 8}); len(got) != 1 || got[0].ID != all[2].ID {
		t.Errorf("AuditLog(report 8) = %+v", got)
	}
	if got, _ := db.AuditLog(ctx, store.AuditFilter{AfterID: all[0].ID, Limit: 1}); len(got) != 1 || got[0].ID != all[1].ID {
		t.Errorf("AuditLog(after the first, one) = %+v", got)
	}

	for _, q := range []string{
		`UPDATE audit_log SET actor_name = 'someone else'`,
		`DELETE FROM audit_log WHERE id = 1`,
		`TRUNCATE audit_log`,
	} {
		_, err := db.pool.Exec(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v; want the append-only refusal", q, err)
		}
	}
	if after, _ := db.AuditLog(ctx, store.AuditFilter{}); !reflect.DeepEqual(after, all) {
		t.Errorf("the log changed under refused statements")
	}

	// A superuser switches the triggers off and edits: the chain shows it.
	if _, err := db.pool.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `UPDATE audit_log SET after = '{"category":"probe"}' WHERE id = $1`, all[0].ID); err != nil {
		t.Fatal(err)
	}
	edited, _ := db.AuditLog(ctx, store.AuditFilter{})
	if bad, err := audit.Verify(edited); bad != all[0].ID || err == nil {
		t.Errorf("Verify after an edit behind the triggers = %d, %v; want entry %d", bad, err, all[0].ID)
	}
}

// TestAuditConcurrentAppends checks that appends from concurrent transactions (as from several
// keikai serve processes) still form one chain in ID order.
func TestAuditConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.DSN(t, "keikai_test_"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			e := audit.Entry{Actor: audit.System, Object: audit.KindIncident, ObjectID: int64(i), Action: "incident.note"}
			if err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return appendAudit(ctx, tx, e) }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	all, err := db.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 40 {
		t.Fatalf("%d entries; want 40", len(all))
	}
	if bad, err := audit.Verify(all); err != nil {
		t.Errorf("Verify = %d, %v", bad, err)
	}
}
