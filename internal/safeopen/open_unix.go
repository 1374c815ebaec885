//go:build unix

package safeopen

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// errLoop is what opening a symlink with O_NOFOLLOW fails with.
var errLoop error = unix.ELOOP

const fileFlags = unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC

// lastFlags are the flags for the last component: a file for reading that is not a symlink and
// cannot block, or a directory that is not a symlink.
func lastFlags(dir bool) int {
	if dir {
		return unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_DIRECTORY
	}
	return fileFlags | unix.O_NOFOLLOW
}

func openFile(path string, follow bool) (*os.File, error) {
	flags := fileFlags | unix.O_NOFOLLOW
	if follow {
		flags = fileFlags
	}
	for {
		fd, err := unix.Open(path, flags, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

// clearNonblock puts a regular file back in blocking mode: O_NONBLOCK was only there so that a
// FIFO swapped in could not hang the open.
func clearNonblock(f *os.File) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	err = raw.Control(func(fd uintptr) {
		var flags int
		if flags, opErr = unix.FcntlInt(fd, unix.F_GETFL, 0); opErr == nil {
			_, opErr = unix.FcntlInt(fd, unix.F_SETFL, flags&^unix.O_NONBLOCK)
		}
	})
	if err != nil {
		return err
	}
	return opErr
}

// walkOpen opens rel under the directory dir one component at a time, each with O_NOFOLLOW, so a
// symlink anywhere on the way fails the open (ELOOP or ENOTDIR) instead of leading elsewhere.
// Callers pass paths whose symlinks they already resolved inside the root; a symlink found now was
// swapped in since.
func walkOpen(dir int, rel string, lastIsDir bool) (*os.File, error) {
	parts := strings.Split(rel, "/")
	cur := dir
	closeCur := func() {
		if cur != dir {
			unix.Close(cur)
		}
	}
	defer closeCur()
	for i, c := range parts {
		if c == "" || c == "." || c == ".." { // clean removed "..": this is defence in depth
			if c == ".." {
				return nil, &os.PathError{Op: "open", Path: rel, Err: unix.EXDEV}
			}
			continue
		}
		flags := lastFlags(true)
		if i == len(parts)-1 {
			flags = lastFlags(lastIsDir)
		}
		var fd int
		var err error
		for {
			fd, err = unix.Openat(cur, c, flags, 0)
			if err != unix.EINTR {
				break
			}
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: rel, Err: err}
		}
		closeCur()
		cur = fd
	}
	if cur == dir { // rel named the root itself
		fd, err := unix.Dup(dir)
		if err != nil {
			return nil, err
		}
		cur = fd
	}
	f := os.NewFile(uintptr(cur), rel)
	cur = dir // ownership passed to f
	return f, nil
}
