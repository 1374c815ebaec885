package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/keikai-project/keikai/internal/reason"
	"github.com/keikai-project/keikai/internal/safeopen"
)

// maxSymlinks bounds the links followed while resolving one path, as the kernel's own limit does.
const maxSymlinks = 40

var (
	errSymlinkLoop = reason.New("too many levels of symbolic links (a link loop?)", "シンボリックリンクの段数が多すぎます (リンクのループ?)")
)

// rootFS maps paths of the target system ("/etc/syslog.conf") to paths on this machine, inside
// root, resolving symlinks itself so that none leads out of the root.
type rootFS struct {
	root string // absolute and clean; "/" for the live system
}

func newRootFS(root string) (rootFS, error) {
	if root == "" || root == "/" {
		return rootFS{root: "/"}, nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return rootFS{}, fmt.Errorf("root %q: %w", root, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return rootFS{}, fmt.Errorf("root %q cannot be examined (check the path and that the image is mounted): %w", root, err)
	}
	if !fi.IsDir() {
		return rootFS{}, fmt.Errorf("root %q is not a directory: give the directory where the system or image is mounted", root)
	}
	return rootFS{root: abs}, nil
}

// join returns the host path of target path components, without resolving anything.
func (r rootFS) join(components []string) string {
	if r.root == "/" {
		return "/" + strings.Join(components, "/")
	}
	if len(components) == 0 {
		return r.root
	}
	return r.root + "/" + strings.Join(components, "/")
}

// targetPath returns the path as seen on the target system for a host path inside the root.
func (r rootFS) targetPath(hostPath string) string {
	if r.root == "/" {
		return hostPath
	}
	rest := strings.TrimPrefix(hostPath, r.root)
	if rest == "" {
		return "/"
	}
	return rest
}

func splitPath(p string) []string {
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, c := range parts {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// resolve returns the host path of target with every symlink among its directory components
// resolved inside the root; the last component is resolved too when followLast is set. Absolute
// link targets are re-rooted under the root and ".." never climbs above it. A missing component
// yields an error satisfying errors.Is(err, fs.ErrNotExist), except that a missing last component
// is not an error when followLast is false (the caller's lstat will say).
func (r rootFS) resolve(target string, followLast bool) (string, error) {
	pending := splitPath(target)
	var done []string
	links := 0
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		if c == ".." {
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		last := len(pending) == 0
		candidate := append(done[:len(done):len(done)], c)
		if last && !followLast {
			done = candidate
			break
		}
		hp := r.join(candidate)
		fi, err := os.Lstat(hp)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			links++
			if links > maxSymlinks {
				return "", &fs.PathError{Op: "resolve", Path: target, Err: errSymlinkLoop}
			}
			dest, err := os.Readlink(hp)
			if err != nil {
				return "", err
			}
			if strings.HasPrefix(dest, "/") {
				done = done[:0]
			}
			pending = append(splitPath(dest), pending...)
			continue
		}
		if !last && !fi.IsDir() {
			return "", &fs.PathError{Op: "resolve", Path: r.targetPath(hp), Err: syscall.ENOTDIR}
		}
		done = candidate
	}
	return r.join(done), nil
}

// isAbsent reports whether err means the path simply is not there.
func isAbsent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// openRegular opens a host path that resolve returned, only if it is a regular file. The path is
// resolved again by the kernel inside the root and the type taken from the open handle, so a
// symlink or FIFO swapped in after resolve (a compromised host racing the check) is refused
// instead of followed or blocked on.
func (r rootFS) openRegular(hostPath string) (*os.File, error) {
	f, _, err := safeopen.InRoot(r.root, r.targetPath(hostPath))
	return f, err
}

// readRegular reads at most limit bytes of a regular file (proc files report size 0, so the size
// from stat is no guide, but a larger size is refused before reading).
func (r rootFS) readRegular(hostPath string, limit int64) ([]byte, error) {
	f, fi, err := safeopen.InRoot(r.root, r.targetPath(hostPath))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return safeopen.ReadAll(f, fi, limit)
}

// openDir opens a resolved directory for listing, inside the root, refusing a symlink swapped in
// meanwhile.
func (r rootFS) openDir(hostPath string) (*os.File, error) {
	return safeopen.DirInRoot(r.root, r.targetPath(hostPath))
}

// readTargetFile resolves a target path inside the root and reads the regular file there.
func (r rootFS) readTargetFile(target string, limit int64) ([]byte, error) {
	hp, err := r.resolve(target, true)
	if err != nil {
		return nil, err
	}
	return r.readRegular(hp, limit)
}
