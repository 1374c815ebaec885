//go:build unix

package host

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/testenv"
)

// The worm's path is a symlink to a FIFO that nothing writes: opening it (or its target) would
// block for ever, so a Collect that returns shows the link was not followed nor opened.
func TestCollectNeverOpensArtifacts(t *testing.T) {
	root := fakeRoot(t, map[string]string{"etc/": "", "tmp/.bugtraq": "->/etc/shadow"})
	if err := syscall.Mkfifo(filepath.Join(root, "etc/shadow"), 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "tmp/.bugtraq.c"), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan collected, 1)
	go func() { done <- collect(t, root, DefaultTargets()) }()
	select {
	case c := <-done:
		m, ok := c.find(event.FormatHostFile, "TargetFilename", "/tmp/.bugtraq")
		if !ok || m["FileType"] != "symlink" || m["LinkTarget"] != "/etc/shadow" {
			t.Errorf("/tmp/.bugtraq event = %v, want a symlink to /etc/shadow", m)
		}
		m, ok = c.find(event.FormatHostFile, "TargetFilename", "/tmp/.bugtraq.c")
		if !ok || m["FileType"] != "fifo" {
			t.Errorf("/tmp/.bugtraq.c event = %v, want a fifo", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Collect blocked: it opened a FIFO it should only have lstat-ed")
	}
}

func TestCollectFilesPermissionDenied(t *testing.T) {
	testenv.NonRoot(t)
	root := fakeRoot(t, map[string]string{"tmp/secret/.bugtraq": "x"})
	secret := filepath.Join(root, "tmp/secret")
	if err := os.Chmod(secret, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(secret, 0o755) })
	c := collect(t, root, Targets{Paths: []string{"/tmp/secret/.bugtraq"}, Dirs: []string{"/tmp/secret"}})
	ps := c.problemsIn(AreaFiles)
	if len(ps) == 0 || !strings.Contains(ps[0].Err.Error(), "permission denied") {
		t.Errorf("problems = %v, want permission denied", ps)
	}
}
