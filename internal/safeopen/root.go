package safeopen

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
)

// InRoot opens target, a path on the system mounted at root ("/var/log/messages"), as a regular
// file, resolving every component inside root: an absolute symlink or ".." cannot climb out of it,
// and a symlink as the last component is refused. On Linux this is openat2 with RESOLVE_IN_ROOT
// where the kernel has it; elsewhere each directory is opened with O_NOFOLLOW in turn, so that a
// symlink anywhere on the way is refused. name is used in errors.
func InRoot(root, target string) (*os.File, fs.FileInfo, error) {
	name := path.Join(root, target)
	f, err := openInRoot(root, clean(target), false)
	if err != nil {
		if errors.Is(err, errLoop) {
			return nil, nil, symlinkRefused(err, name)
		}
		if pe, ok := err.(*fs.PathError); ok {
			pe.Path = name
			return nil, nil, pe
		}
		return nil, nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return checkRegular(f, name)
}

// clean makes target relative to the root, with ".." that would climb above it dropped.
func clean(target string) string {
	return strings.TrimPrefix(path.Clean("/"+target), "/")
}

// DirInRoot opens the directory target of the system mounted at root for listing, resolved inside
// root like InRoot; a symlink as the last component is refused.
func DirInRoot(root, target string) (*os.File, error) {
	name := path.Join(root, target)
	f, err := openInRoot(root, clean(target), true)
	if err != nil {
		if pe, ok := err.(*fs.PathError); ok {
			pe.Path = name
			return nil, pe
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f, nil
}
