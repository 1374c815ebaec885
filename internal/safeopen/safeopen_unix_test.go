//go:build unix

package safeopen

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// fixture builds root/{file,fifo,dir,link-out,link-in,sub->/} and an outside file.
func fixture(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	outside = filepath.Join(base, "outside")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "dir"), 0o755))
	must(os.WriteFile(outside, []byte("OUTSIDE\n"), 0o644))
	must(os.WriteFile(filepath.Join(root, "file"), []byte("inside\n"), 0o644))
	must(syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644))
	must(os.Symlink(outside, filepath.Join(root, "link-out")))
	must(os.Symlink("file", filepath.Join(root, "link-in")))
	must(os.Symlink("/", filepath.Join(root, "sub")))
	must(os.Symlink("../../..", filepath.Join(root, "dir", "up")))
	return root, outside
}

func TestInRoot(t *testing.T) {
	root, outside := fixture(t)
	tests := []struct {
		target  string
		want    string // content, or "" for an expected error
		errIs   error
		anyFail bool
	}{
		{target: "/file", want: "inside\n"},
		{target: "file", want: "inside\n"},
		{target: "/../../file", want: "inside\n"},
		{target: "/fifo", errIs: ErrNotRegular},
		{target: "/dir", errIs: ErrNotRegular},
		{target: "/link-in", errIs: ErrNotRegular},
		{target: "/link-out", errIs: ErrNotRegular},
		// Re-rooted (openat2) or refused (walk): never the outside file.
		{target: "/sub" + outside, anyFail: true},
		{target: "/dir/up" + outside, anyFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				f, _, err := InRoot(root, tt.target)
				if err == nil {
					defer f.Close()
				}
				switch {
				case tt.want != "":
					if err != nil {
						t.Errorf("InRoot: %v", err)
						return
					}
					buf := make([]byte, 64)
					n, _ := f.Read(buf)
					if string(buf[:n]) != tt.want {
						t.Errorf("read %q, want %q", buf[:n], tt.want)
					}
				case tt.anyFail:
					if err == nil {
						t.Errorf("opened %s, which is outside the root", f.Name())
					}
				default:
					if !errors.Is(err, tt.errIs) {
						t.Errorf("err = %v, want %v", err, tt.errIs)
					}
				}
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Error("open blocked")
			}
		})
	}
}

func TestWalkOpenRefusesSymlinks(t *testing.T) {
	root, _ := fixture(t)
	dir, err := syscall.Open(root, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(dir)
	if f, err := walkOpen(dir, "file", false); err != nil {
		t.Errorf("file: %v", err)
	} else {
		f.Close()
	}
	for _, rel := range []string{"sub/etc/passwd", "link-in", "dir/up/etc/passwd"} {
		if f, err := walkOpen(dir, rel, false); err == nil {
			f.Close()
			t.Errorf("%s: opened through a symlink", rel)
		}
	}
}

func TestFile(t *testing.T) {
	root, _ := fixture(t)
	if _, _, err := File(filepath.Join(root, "fifo"), false); !errors.Is(err, ErrNotRegular) {
		t.Errorf("fifo: %v", err)
	}
	if _, _, err := File(filepath.Join(root, "link-in"), false); !errors.Is(err, ErrNotRegular) {
		t.Errorf("link without follow: %v", err)
	}
	f, fi, err := File(filepath.Join(root, "link-in"), true)
	if err != nil {
		t.Fatalf("link with follow: %v", err)
	}
	defer f.Close()
	if _, err := ReadAll(f, fi, 3); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadAll over the limit: %v", err)
	}
	if f, err := os.Open("/dev/zero"); err == nil {
		fi, _ := f.Stat()
		f.Close()
		if _, _, err := File("/dev/zero", true); !errors.Is(err, ErrNotRegular) {
			t.Errorf("/dev/zero (%v): %v", fi.Mode(), err)
		}
	}
}

func TestDirInRoot(t *testing.T) {
	root, _ := fixture(t)
	d, err := DirInRoot(root, "/dir")
	if err != nil {
		t.Fatalf("dir: %v", err)
	}
	d.Close()
	for _, target := range []string{"/sub", "/file", "/link-in"} {
		if d, err := DirInRoot(root, target); err == nil {
			d.Close()
			t.Errorf("%s: opened as a directory", target)
		}
	}
}
