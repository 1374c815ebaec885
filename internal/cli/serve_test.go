package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCSRFKeyKept: the web form's CSRF key is made once and read back on the next start (and by
// every server given the same file), so that a form opened before a restart is still accepted.
func TestCSRFKeyKept(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "keikai.db")
	first, err := loadCSRFKey("", db)
	if err != nil {
		t.Fatal(err)
	}
	again, err := loadCSRFKey("", db)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 32 || !bytes.Equal(first, again) {
		t.Fatalf("key %x, then %x; want the same 32 bytes", first, again)
	}
	info, err := os.Stat(db + ".csrf-key")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, info.Mode())
	}
	shared := filepath.Join(dir, "shared.key")
	a, err := loadCSRFKey(shared, "postgres://db.example/keikai")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := loadCSRFKey(shared, "postgres://db.example/keikai")
	if !bytes.Equal(a, b) || bytes.Equal(a, first) {
		t.Errorf("shared key file: %x then %x", a, b)
	}
	if k, err := loadCSRFKey("", "postgres://db.example/keikai"); k != nil || err != nil {
		t.Errorf("PostgreSQL without a key file: %x, %v; want a random key per start (nil)", k, err)
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not a key\n"), 0o600)
	if _, err := loadCSRFKey(bad, db); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("a broken key file: %v; want an error that says what to do", err)
	}
}

// serve loads the rules with their samples, import and demo without: both must name the rule set
// alike in the analyses they store, or reports of one would look analysed by other rules.
func TestRulesVersionSameHoweverLoaded(t *testing.T) {
	withSamples, err := loadEngine(nil, &Env{}, true)
	if err != nil {
		t.Fatal(err)
	}
	forMatching, err := loadEngine(nil, &Env{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := rulesVersion(withSamples), rulesVersion(forMatching); a != b {
		t.Errorf("rulesVersion with samples %q, for matching %q", a, b)
	}
}
