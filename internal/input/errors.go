package input

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"io/fs"
)

// errDirectoryLoop is the Err of a warning about a directory reached a second time.
var errDirectoryLoop = errors.New("directory reached twice (symlink loop or bind mount)")

// reason is the part of err that a person needs; the file name is already in the warning.
func reason(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}

func isCorruptGzip(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &corrupt)
}

// openFailure describes why a path cannot be read and what to do about it.
func openFailure(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist (removed or renamed?); skipped"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied; skipped (run as a user who may read it, or copy it somewhere readable)"
	default:
		return "cannot be read (" + reason(err) + "); skipped"
	}
}
