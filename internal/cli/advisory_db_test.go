package cli

import (
	"context"
	"crypto/sha256"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/advisories"
)

// copyAdvisories writes the built-in advisories' sources to a directory, for a test to edit.
func copyAdvisories(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "advisories")
	err := fs.WalkDir(advisories.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(advisories.FS, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// publish --db records each advisory's latest edition once, with its sources and the SHA-256 of
// its signed files; publishing changed sources under the same edition is refused before anything
// is written; list shows the record. Against SQLite and PostgreSQL alike.
func TestAdvisoryPublishRecordsEditions(t *testing.T) {
	tests := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "keikai.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t, "keikai_serve_") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.db(t)
			tmp := t.TempDir()
			pass := filepath.Join(tmp, "pass")
			os.WriteFile(pass, []byte("a passphrase\n"), 0o600)
			key := filepath.Join(tmp, "key.asc")
			if r := keikai(t, "", "key", "generate", "--name", "Test CSIRT", "--email", "csirt@example.org", "--key", key, "--passphrase-file", pass); r.code != exitClean {
				t.Fatalf("key generate: %d %s", r.code, r.stderr)
			}
			src := copyAdvisories(t)
			publishTo := func(out string) run {
				return keikai(t, "", "advisory", "publish", "--dir", src, "--db", db, "--out", out, "--base-url", "https://csirt.example.org",
					"--contact", "mailto:csirt@example.org", "--key", key, "--passphrase-file", pass)
			}

			if r := keikai(t, "", "advisory", "list", "--db", db); r.code != exitError && tt.name == "sqlite" {
				t.Errorf("list before any database exists: %d %s", r.code, r.stderr)
			}
			first := filepath.Join(tmp, "first")
			r := publishTo(first)
			if r.code != exitClean || !strings.Contains(r.stdout, "JPCERT-AT-2002-0006 edition 2 recorded (") || strings.Count(r.stdout, " recorded (") != 3 {
				t.Fatalf("first publish: %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			r = keikai(t, "", "advisory", "list", "--db", db)
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if r.code != exitClean || len(lines) != 3 || !strings.HasPrefix(lines[0], "JPCERT-AT-2002-0006\tedition 2\tpublished ") {
				t.Fatalf("list: %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			// The record holds the sources byte for byte and the hashes of the files published.
			st, err := openStore(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			e, err := st.AdvisoryEdition(context.Background(), "JPCERT-AT-2002-0006", 2)
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			ja, _ := os.ReadFile(filepath.Join(src, "JPCERT-AT-2002-0006", "ja.md"))
			if string(e.Source.Ja) != string(ja) {
				t.Error("the recorded ja.md differs from the source")
			}
			csafDoc := ".well-known/csaf/white/2002/jpcert-at-2002-0006.json"
			data, err := os.ReadFile(filepath.Join(first, filepath.FromSlash(csafDoc)))
			if err != nil {
				t.Fatal(err)
			}
			if e.Outputs[csafDoc] != sha256.Sum256(data) || len(e.Outputs) < 7 {
				t.Errorf("recorded outputs %d, CSAF hash matches: %v", len(e.Outputs), e.Outputs[csafDoc] == sha256.Sum256(data))
			}

			// The same sources again: published, and the record kept as it was.
			r = publishTo(filepath.Join(tmp, "again"))
			if r.code != exitClean || strings.Count(r.stdout, "unchanged since its publication") != 3 {
				t.Errorf("publishing the same editions again: %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			// A change without a new edition: refused, and nothing written.
			en := filepath.Join(src, "JPCERT-AT-2002-0006", "en.md")
			text, _ := os.ReadFile(en)
			os.WriteFile(en, append(text, "\nA sentence added after publication.\n"...), 0o644)
			changed := filepath.Join(tmp, "changed")
			r = publishTo(changed)
			if r.code != exitError || !strings.Contains(r.stderr, "JPCERT-AT-2002-0006 edition 2 was published on") ||
				!strings.Contains(r.stderr, "immutable once published") || !strings.Contains(r.stderr, "add edition 3") {
				t.Errorf("publishing a changed edition: %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if entries, _ := os.ReadDir(changed); len(entries) > 0 {
				t.Errorf("a refused publication wrote %d entries", len(entries))
			}
			if r := keikai(t, "", "advisory", "list", "--db", db); strings.Count(r.stdout, "\n") != 3 {
				t.Errorf("a refused publication changed the record:\n%s", r.stdout)
			}
		})
	}
}
