//go:build unix

package host

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// A FIFO in /var/log (some setups feed a program through one) is never named as an input:
// opening it would block the analysis.
func TestFindSystemLogsSkipsFIFO(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "var", "log")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "auth.log"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "xconsole"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := FindSystemLogs(root)
	if want := []string{filepath.Join(dir, "auth.log")}; got.Kind != TextLogs || !slices.Equal(got.Paths, want) {
		t.Errorf("got %+v, want text logs %q", got, want)
	}
}
