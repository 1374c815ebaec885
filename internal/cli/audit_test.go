package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestAuditCommands records account changes through keikai user, lists them, verifies the chain,
// then edits an entry the way someone with the database file could (dropping the trigger first)
// and checks that verify names that entry.
func TestAuditCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "keikai.db")
	for _, args := range [][]string{
		{"user", "add", "taro", "--role", "analyst", "--db", db},
		{"user", "add", "hanako", "--role", "read-only", "--db", db},
		{"user", "disable", "taro", "--db", db},
	} {
		if r := keikai(t, "", args...); r.code != exitClean {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	r := keikai(t, "", "audit", "list", "--format", "json", "--db", db)
	var entries []auditJSON
	if r.code != exitClean || json.Unmarshal([]byte(r.stdout), &entries) != nil {
		t.Fatalf("audit list: %+v", r)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Object != "user" || !strings.HasPrefix(e.Actor, "keikai user") {
			t.Errorf("entry %+v: want a user entry made by the command line", e)
		}
	}
	if got := strings.Join(actions, " "); got != "user.add user.add user.disable" {
		t.Fatalf("actions %q; want user.add user.add user.disable", got)
	}
	if r := keikai(t, "", "audit", "list", "--object", "user", "--id", "1", "--db", db); r.code != exitClean ||
		strings.Count(r.stdout, "\n") != 3 || !strings.Contains(r.stdout, "user.disable") {
		t.Fatalf("audit list --object user --id 1: %+v", r)
	}
	if r := keikai(t, "", "audit", "verify", "--db", db); r.code != exitClean || !strings.Contains(r.stdout, "intact: 3 entries") {
		t.Fatalf("audit verify: %+v", r)
	}

	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	if _, err := raw.ExecContext(ctx, `UPDATE audit_log SET actor_name = 'someone' WHERE id = 2`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("UPDATE of the audit log: %v; want the append-only refusal", err)
	}
	if _, err := raw.ExecContext(ctx, `DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `UPDATE audit_log SET actor_name = 'someone' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	r = keikai(t, "", "audit", "verify", "--db", db)
	if r.code != exitFindings || !strings.Contains(r.stdout, "before entry 2") || !strings.Contains(r.stderr, "changed outside keikai") {
		t.Fatalf("audit verify of an edited log: %+v", r)
	}
}

func TestAuditUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "keikai.db")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"audit"}, "say list or verify"},
		{[]string{"audit", "list", "--object", "thing", "--db", db}, "--object must be"},
		{[]string{"audit", "list", "--id", "3", "--db", db}, "--id goes with --object"},
		{[]string{"audit", "verify", "--object", "user", "--db", db}, "verify checks the whole log"},
		{[]string{"audit", "list", "--format", "xml", "--db", db}, "--format must be"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if r := keikai(t, "", tt.args...); r.code != exitError || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", r.code, r.stderr, exitError, tt.want)
			}
		})
	}
}
