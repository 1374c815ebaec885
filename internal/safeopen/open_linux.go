package safeopen

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// openInRoot prefers openat2, which resolves the whole path inside root in the kernel; a kernel
// without it (before 5.6) or a seccomp filter that refuses it falls back to the walk.
func openInRoot(root, rel string, dir bool) (*os.File, error) {
	rootFD, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(rootFD)
	if rel == "" {
		rel = "."
	}
	fd, err := openat2(rootFD, rel, lastFlags(dir))
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) && !openat2Works() {
		return walkOpen(rootFD, rel, dir)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: rel, Err: err}
	}
	return os.NewFile(uintptr(fd), rel), nil
}

func openat2(dir int, rel string, flags int) (int, error) {
	for {
		fd, err := unix.Openat2(dir, rel, &unix.OpenHow{
			Flags:   uint64(flags),
			Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
		})
		if err == unix.EINTR || err == unix.EAGAIN { // EAGAIN: a rename raced the lookup
			continue
		}
		return fd, err
	}
}

// openat2Works tells an EPERM from the file system apart from one from a seccomp filter.
func openat2Works() bool {
	fd, err := openat2(unix.AT_FDCWD, "/", lastFlags(true))
	if err == nil {
		unix.Close(fd)
	}
	return err == nil
}
