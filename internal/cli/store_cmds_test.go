package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreCommandUsage: every store-reading subcommand answers help with 0, a usage error with
// 2, and a missing database with 2 and a message that says what to do.
func TestStoreCommandUsage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.db")
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"serve", "--help"}, exitClean, ""},
		{[]string{"token", "--help"}, exitClean, ""},
		{[]string{"report", "--help"}, exitClean, ""},
		{[]string{"report", "show", "--help"}, exitClean, ""},
		{[]string{"report", "list", "--help"}, exitClean, ""},
		{[]string{"report", "reanalyse", "--help"}, exitClean, ""},
		{[]string{"report"}, exitError, ""},
		{[]string{"report", "frobnicate"}, exitError, "unknown subcommand"},
		{[]string{"report", "show"}, exitError, "name one report"},
		{[]string{"report", "show", "1", "--format", "xml"}, exitError, "--format"},
		{[]string{"report", "list", "--from", "April"}, exitError, "--from"},
		{[]string{"report", "list", "--from", "2000-06-30", "--to", "2000-04-01"}, exitError, "before"},
		{[]string{"report", "list", "--category", "spam"}, exitError, "--category"},
		{[]string{"report", "list", "--source", "example.com"}, exitError, "--source"},
		{[]string{"report", "reanalyse"}, exitError, "--all"},
		{[]string{"report", "reanalyse", "1", "--all"}, exitError, "not both"},
		{[]string{"report", "reanalyse", "1", "--category", "probe"}, exitError, "with --all only"},
		{[]string{"report", "show", "1", "--db", missing}, exitError, "no database"},
		{[]string{"report", "list", "--db", missing}, exitError, "no database"},
		{[]string{"token"}, exitError, "add NAME"},
		{[]string{"token", "remove", "1"}, exitError, "unknown subcommand"},
		{[]string{"token", "revoke"}, exitError, "argument"},
		{[]string{"token", "list", "--db", missing}, exitError, "no database"},
		{[]string{"serve", "extra"}, exitError, "no arguments"},
		{[]string{"serve", "--workers", "0"}, exitError, "--workers"},
		{[]string{"serve", "--lease", "1s"}, exitError, "--lease"},
		{[]string{"serve", "--log-format", "xml"}, exitError, "--log-format"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := keikai(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", r.code, r.stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestTokenCommands adds, lists and revokes a token in a fresh SQLite file, in process.
func TestTokenCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "keikai.db")
	r := keikai(t, "", "token", "add", "CERT\x1b[31m partner", "--db", db)
	if r.code != exitClean || len(strings.TrimSpace(r.stdout)) != 43 || strings.Contains(r.stderr, "\x1b") {
		t.Fatalf("token add: %+v", r)
	}
	r = keikai(t, "", "token", "list", "--db", db)
	if r.code != exitClean || !strings.Contains(r.stdout, `CERT\x1b[31m partner`) || strings.Contains(r.stdout, "\x1b") {
		t.Fatalf("token list (the name must be escaped): %+v", r)
	}
	if r = keikai(t, "", "token", "revoke", "1", "--db", db); r.code != exitClean {
		t.Fatalf("token revoke: %+v", r)
	}
	if r = keikai(t, "", "token", "revoke", "99", "--db", db); r.code != exitFindings || !strings.Contains(r.stderr, "no token 99") {
		t.Fatalf("token revoke of a missing token: %+v", r)
	}
	r = keikai(t, "", "token", "list", "--db", db, "--format", "json")
	if r.code != exitClean || !strings.Contains(r.stdout, `"revoked_at"`) {
		t.Fatalf("token list --format json after revoke: %+v", r)
	}
}
