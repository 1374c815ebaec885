//go:build unix

package sigma

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/safeopen"
)

const goodRule = `title: Good rule
id: 9a4b5c6d-0000-4000-8000-000000000001
logsource: {product: linux, service: syslog}
detection:
  keywords: ['attempt to create']
  condition: keywords
`

// Hostile entries in a rules directory: each is refused with an error naming it, quickly and with
// little memory, and the good rule beside them still loads.
func TestLoadDirHostileFiles(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside.yml")
	if err := os.WriteFile(outside, []byte(goodRule), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		make  func(path string) error
		want  error  // errors.Is target, or nil
		wantS string // substring of the error otherwise
	}{
		{"fifo.yml", func(p string) error { return syscall.Mkfifo(p, 0o644) }, safeopen.ErrNotRegular, ""},
		{"zero.yml", func(p string) error { return os.Symlink("/dev/zero", p) }, errLinkOut, ""},
		{"out.yml", func(p string) error { return os.Symlink(outside, p) }, errLinkOut, ""},
		{"up.yml", func(p string) error {
			rel, err := filepath.Rel(filepath.Dir(p), outside) // ../../...: relative, still out
			if err != nil {
				return err
			}
			return os.Symlink(rel, p)
		}, errLinkOut, ""},
		{"big.yml", func(p string) error {
			return os.WriteFile(p, []byte("# "+strings.Repeat("x", maxRuleFileSize)+"\n"), 0o644)
		}, nil, "rule files are limited to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "good.yml"), []byte(goodRule), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := tt.make(filepath.Join(dir, tt.name)); err != nil {
				t.Fatal(err)
			}
			type loaded struct {
				set *Set
				err error
			}
			done := make(chan loaded, 1)
			go func() {
				s, err := LoadDir(dir)
				done <- loaded{s, err}
			}()
			var got loaded
			select {
			case got = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("LoadDir blocked")
			}
			if got.err == nil {
				t.Fatal("LoadDir accepted the hostile file")
			}
			if tt.want != nil && !errors.Is(got.err, tt.want) || tt.wantS != "" && !strings.Contains(got.err.Error(), tt.wantS) {
				t.Errorf("err = %v, want %v %q", got.err, tt.want, tt.wantS)
			}
			if !strings.Contains(got.err.Error(), filepath.Join(dir, tt.name)) {
				t.Errorf("err = %v, does not name the file", got.err)
			}
			if len(got.set.Rules) != 1 {
				t.Errorf("%d rules loaded, want the good one", len(got.set.Rules))
			}
		})
	}
}

// A symlink to a rule file inside the directory is followed.
func TestLoadDirLinkInside(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "library"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "library", "good.txt"), []byte(goodRule), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("library/good.txt", filepath.Join(dir, "enabled.yml")); err != nil {
		t.Fatal(err)
	}
	s, err := LoadDir(dir)
	if err != nil || len(s.Rules) != 1 {
		t.Fatalf("LoadDir = %d rules, %v; want the linked rule", len(s.Rules), err)
	}
}
