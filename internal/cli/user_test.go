package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/sqlite"
)

func TestUserCommandUsage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.db")
	tests := []struct {
		args   []string
		stdin  string
		code   int
		stderr string
	}{
		{[]string{"user", "--help"}, "", exitClean, ""},
		{[]string{"user"}, "", exitError, "add NAME"},
		{[]string{"user", "remove", "taro"}, "", exitError, "unknown subcommand"},
		{[]string{"user", "add", "taro"}, "", exitError, "--role"},
		{[]string{"user", "add", "taro", "--role", "root"}, "", exitError, "admin, analyst or read-only"},
		{[]string{"user", "add", "Taro", "--role", "analyst"}, "", exitError, "lower-case"},
		{[]string{"user", "add", "taro\x1b[31m", "--role", "analyst"}, "", exitError, "lower-case"},
		{[]string{"user", "add", "taro", "--role", "analyst", "--password-stdin", "--db", missing}, "short\n", exitError, "at least 12"},
		{[]string{"user", "disable"}, "", exitError, "argument"},
		{[]string{"user", "disable", "taro", "--role", "admin"}, "", exitError, "with add only"},
		{[]string{"user", "list", "--password-stdin"}, "", exitError, "add and passwd only"},
		{[]string{"user", "list", "--format", "xml"}, "", exitError, "--format"},
		{[]string{"user", "list", "--db", missing}, "", exitError, "no database"},
		{[]string{"user", "passwd", "taro", "--db", missing}, "", exitError, "no database"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := keikai(t, tt.stdin, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) || strings.Contains(r.stderr, "\x1b") {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", r.code, r.stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestUserCommands adds, lists, resets and disables accounts in a fresh SQLite file, in process,
// and checks the store: one-time passwords are held to a change, passwords from standard input
// are not, a disabled account's sessions end.
func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "keikai.db")
	r := keikai(t, "", "user", "add", "taro", "--role", "analyst", "--db", db)
	oneTime := strings.TrimSpace(r.stdout)
	if r.code != exitClean || len(oneTime) != 20 || !strings.Contains(r.stderr, "one-time password") {
		t.Fatalf("user add: %+v", r)
	}
	r = keikai(t, "a long password from a script\r\n", "user", "add", "hanako", "--role", "read-only", "--password-stdin", "--db", db)
	if r.code != exitClean || r.stdout != "" {
		t.Fatalf("user add --password-stdin: %+v", r)
	}
	if r = keikai(t, "", "user", "add", "taro", "--role", "admin", "--db", db); r.code != exitError || !strings.Contains(r.stderr, "already") {
		t.Fatalf("adding taro twice: %+v", r)
	}
	if r = keikai(t, "", "user", "passwd", "nobody", "--db", db); r.code != exitFindings || !strings.Contains(r.stderr, "no account named nobody") {
		t.Fatalf("passwd of nobody: %+v", r)
	}
	if r = keikai(t, "", "user", "disable", "nobody", "--db", db); r.code != exitFindings {
		t.Fatalf("disable of nobody: %+v", r)
	}

	check := func(name, password string, mustChange, disabled bool) {
		t.Helper()
		st, err := sqlite.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		c, err := st.UserByName(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := staff.VerifyPassword(c.PasswordHash, password); !ok || err != nil || c.MustChangePassword != mustChange || c.User.Disabled != disabled {
			t.Fatalf("%s: password ok %v (%v), must change %v, disabled %v; want true, %v, %v", name, ok, err, c.MustChangePassword, c.User.Disabled, mustChange, disabled)
		}
	}
	check("taro", oneTime, true, false)
	check("hanako", "a long password from a script", false, false)

	r = keikai(t, "", "user", "passwd", "hanako", "--db", db)
	reset := strings.TrimSpace(r.stdout)
	if r.code != exitClean || len(reset) != 20 {
		t.Fatalf("user passwd: %+v", r)
	}
	check("hanako", reset, true, false)
	if r = keikai(t, "", "user", "disable", "taro", "--db", db); r.code != exitClean {
		t.Fatalf("user disable: %+v", r)
	}
	check("taro", oneTime, true, true)

	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := st.AuditLog(context.Background(), store.AuditFilter{Object: audit.KindUser})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Actor.UserID != 0 || !strings.HasPrefix(e.Actor.Name, "keikai user (") {
			t.Errorf("entry %s by %+v: want the command line as the actor", e.Action, e.Actor)
		}
		got = append(got, fmt.Sprintf("%s %d", e.Action, e.ObjectID))
	}
	if want := []string{"user.add 1", "user.add 2", "user.passwd 2", "user.disable 1"}; !slices.Equal(got, want) {
		t.Errorf("audit entries %q, want %q", got, want)
	}

	r = keikai(t, "", "user", "list", "--db", db)
	if r.code != exitClean || !regexpMatch(`(?m)^1\s+taro\s+analyst\s+disabled\s+no\s+\d{4}-`, r.stdout) || !regexpMatch(`(?m)^2\s+hanako\s+read-only\s+enabled\s+no`, r.stdout) {
		t.Fatalf("user list:\n%s", r.stdout)
	}
	r = keikai(t, "", "user", "list", "--format", "json", "--db", db)
	var users []userJSON
	if err := json.Unmarshal([]byte(r.stdout), &users); err != nil || len(users) != 2 || users[0].Name != "hanako" || !users[1].Disabled || users[1].Role != "analyst" {
		t.Fatalf("user list --format json: %v\n%s", err, r.stdout)
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
