package bundle

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFetch(t *testing.T) {
	f := newFixture(t)
	served := t.TempDir()
	f.write(t, served, "JPCERT-AT-2002-0006", nil)
	f.write(t, served, "JPCERT-E-INF-98-0001", nil)
	index := FileName("JPCERT-AT-2002-0006", 2) + "\n" + FileName("JPCERT-E-INF-98-0001", 1) + "\n"
	os.WriteFile(filepath.Join(served, IndexName), []byte(index), 0o644)
	srv := httptest.NewTLSServer(http.FileServer(http.Dir(served)))
	defer srv.Close()
	ctx := context.Background()

	dst := t.TempDir()
	if err := Fetch(ctx, srv.Client(), srv.URL+"/", dst); err != nil {
		t.Fatal(err)
	}
	res, err := LoadDir(dst, Options{Keyring: f.keyring, Now: now})
	if err != nil || len(res.Bundles) != 2 {
		t.Fatalf("fetched bundles: %v", err)
	}

	// A changed byte on the server is caught after the download, as in a local folder.
	p := filepath.Join(served, FileName("JPCERT-AT-2002-0006", 2))
	data, _ := os.ReadFile(p)
	data[200] ^= 1
	os.WriteFile(p, data, 0o644)
	dst = t.TempDir()
	if err := Fetch(ctx, srv.Client(), srv.URL, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dst, Options{Keyring: f.keyring, Now: now}); !errors.Is(err, ErrTampered) {
		t.Errorf("tampered download: %v", err)
	}

	tests := []struct {
		name, index, base, says string
	}{
		{"plain http", index, strings.Replace(srv.URL, "https", "http", 1), "https://"},
		{"path in the index", "../../etc/passwd.rules.json\n", srv.URL, "not a bundle file name"},
		{"listed but absent", "X.e01.rules.json\n", srv.URL, "does not have"},
		{"empty index", "\n", srv.URL, "lists no bundle"},
	}
	for _, tt := range tests {
		os.WriteFile(filepath.Join(served, IndexName), []byte(tt.index), 0o644)
		err := Fetch(ctx, srv.Client(), tt.base, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.says)
		}
	}
}
