package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/store"
)

var auditSamples = []audit.Entry{
	{At: time.Date(2000, 6, 1, 9, 0, 0, 123456000, time.UTC), Actor: audit.Actor{UserID: 2, Name: "田中"}, Object: audit.KindReport, ObjectID: 7,
		Action: "report.decide", Before: json.RawMessage(`{"category":"probe"}`), After: json.RawMessage(`{"category": "intrusion"}`)},
	{At: time.Date(2000, 6, 1, 9, 1, 0, 0, time.UTC), Actor: audit.System, Object: audit.KindIncident, ObjectID: 1,
		Action: "incident.create", After: json.RawMessage(`{"status":"new"}`)},
	{At: time.Date(2000, 6, 1, 9, 2, 0, 0, time.UTC), Actor: audit.Actor{UserID: 1, Name: "admin"}, Object: audit.KindReport, ObjectID: 8,
		Action: "report.decide", Before: json.RawMessage(`{}`), After: json.RawMessage(`{"rsit":"intrusions:system-compromise"}`)},
}

func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The first alone, the other two in one transaction.
	if err := db.w.do(ctx, kindBulk, func(tx *wtx) error { return appendAudit(tx, auditSamples[0]) }); err != nil {
		t.Fatal(err)
	}
	if err := db.w.do(ctx, kindBulk, func(tx *wtx) error {
		for _, e := range auditSamples[1:] {
			if err := appendAudit(tx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	all, err := db.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(auditSamples) {
		t.Fatalf("AuditLog returned %d entries; want %d", len(all), len(auditSamples))
	}
	for i, e := range all {
		want := auditSamples[i]
		want.ID, want.Hash = e.ID, e.Hash
		if !reflect.DeepEqual(e, want) {
			t.Errorf("entry %d read back as\n %+v\nwant\n %+v", i, e, want)
		}
	}
	if bad, err := audit.Verify(all); err != nil {
		t.Fatalf("Verify = %d, %v on an untouched log", bad, err)
	}

	filters := []struct {
		name string
		f    store.AuditFilter
		want []int64
	}{
		{"reports", store.AuditFilter{Object: audit.KindReport}, []int64{all[0].ID, all[2].ID}},
		{"one report", store.AuditFilter{Object: audit.KindReport, ObjectID: 8}, []int64{all[2].ID}},
		{"after the first", store.AuditFilter{AfterID: all[0].ID}, []int64{all[1].ID, all[2].ID}},
		{"first page", store.AuditFilter{Limit: 2}, []int64{all[0].ID, all[1].ID}},
		{"none", store.AuditFilter{Object: audit.KindUser}, nil},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.AuditLog(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("AuditLog(%+v) = %v; want %v", tc.f, ids, tc.want)
			}
		})
	}

	for _, q := range []string{
		`UPDATE audit_log SET actor_name = 'someone else'`,
		`DELETE FROM audit_log WHERE id = 1`,
		`DELETE FROM audit_log`,
	} {
		err := db.w.do(ctx, kindBulk, func(tx *wtx) error { _, err := tx.ExecContext(ctx, q); return err })
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v; want the append-only refusal", q, err)
		}
	}
	if after, _ := db.AuditLog(ctx, store.AuditFilter{}); !reflect.DeepEqual(after, all) {
		t.Errorf("the log changed under refused statements")
	}

	// Someone with the database file drops the trigger and edits: the chain shows it.
	// (through the writer: it holds the one write connection)
	if err := db.w.do(ctx, kindBulk, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER audit_log_no_update`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE audit_log SET after = '{"category":"probe"}' WHERE id = ?`, all[0].ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	edited, _ := db.AuditLog(ctx, store.AuditFilter{})
	if bad, err := audit.Verify(edited); bad != all[0].ID || err == nil {
		t.Errorf("Verify after an edit behind the triggers = %d, %v; want entry %d", bad, err, all[0].ID)
	}
}

// TestAuditConcurrentAppends checks that appends from many goroutines, batched by the writer,
// still form one chain.
func TestAuditConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			e := audit.Entry{Actor: audit.System, Object: audit.KindIncident, ObjectID: int64(i), Action: "incident.note"}
			if err := db.w.do(ctx, kindAck, func(tx *wtx) error { return appendAudit(tx, e) }); err != nil {
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
