//go:build !unix

package input

import (
	"io/fs"
	"path/filepath"
)

// identity falls back to the absolute path with symlinks resolved where no inode numbers exist;
// that still stops symlink loops, though not bind mounts.
func identity(path string, _ fs.FileInfo) (string, bool) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", false
	}
	abs, err := filepath.Abs(resolved)
	if err != nil {
		return "", false
	}
	return abs, true
}
