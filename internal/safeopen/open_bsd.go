//go:build unix && !linux

package safeopen

import (
	"os"

	"golang.org/x/sys/unix"
)

// openInRoot walks the path one component at a time: these systems have no openat2.
func openInRoot(root, rel string, dir bool) (*os.File, error) {
	rootFD, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(rootFD)
	return walkOpen(rootFD, rel, dir)
}
