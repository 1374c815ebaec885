//go:build unix && !zos

package input

import (
	"math"
	"os"

	"golang.org/x/sys/unix"
)

var pageSize = os.Getpagesize()

// mapFile maps the regular file f whole and read-only, at the size it has now: lines written
// after that are not read, as they would not be by a read() that reached the end first. It returns
// nil when the file cannot be mapped (empty, larger than the address space, a file system that
// does not map files); f is then read with read().
func mapFile(f *os.File) []byte {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 || fi.Size() > math.MaxInt {
		return nil
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	var data []byte
	// Control rather than Fd, which would switch the descriptor to blocking mode.
	ctlErr := conn.Control(func(fd uintptr) {
		data, err = unix.Mmap(int(fd), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	})
	if ctlErr != nil || err != nil {
		return nil
	}
	return data
}

// unmap removes a mapping made by mapFile; data must not be used afterwards.
func unmap(data []byte) {
	_ = unix.Munmap(data) // fails only for a range that is not mapped, which is not ours
}

// dropPages gives back the pages of data, which must start on a page. The file stays in the page
// cache; only this process's share of it, counted in its resident set, goes.
func dropPages(data []byte) {
	_ = unix.Madvise(data, unix.MADV_DONTNEED) // a hint: if it fails the pages stay until unmap
}
