//go:build unix

package host

import (
	"io/fs"
	"syscall"
)

// fileOwner returns the numeric owner of a file; a worm's files belong to the web server's user.
func fileOwner(fi fs.FileInfo) (uint32, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Uid, true
}
