//go:build unix

package input

import (
	"io/fs"
	"strconv"
	"syscall"
)

// identity names the file behind fi by device and inode, which is what makes two paths (symlinks,
// bind mounts, hard links) the same file.
func identity(_ string, fi fs.FileInfo) (string, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return strconv.FormatUint(uint64(st.Dev), 10) + ":" + strconv.FormatUint(uint64(st.Ino), 10), true
}
