//go:build unix

package host

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/safeopen"
)

// A FIFO where a regular file is expected must neither be opened nor block the check.
func TestReadRegularRefusesFIFO(t *testing.T) {
	root := fakeRoot(t, map[string]string{"etc/": ""})
	fifo := filepath.Join(root, "etc/syslog.conf")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := rootFS{root: root}.readRegular(fifo, 1024)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, safeopen.ErrNotRegular) {
			t.Fatalf("readRegular(fifo) error = %v, want errNotRegular", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readRegular blocked on a FIFO")
	}
}
