// Package safeopen opens files that an attacker may be swapping while keikai looks at them: a log
// directory of a compromised host, a rules directory someone else can write. A file is opened once,
// without following a final symlink and without blocking on a FIFO; the open handle is then
// examined and read, so what was checked is what is read.
package safeopen

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

var (
	// ErrNotRegular is returned for a FIFO, device, socket or directory where a file was expected.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is returned by ReadFile when the file on the handle is larger than the limit.
	ErrTooLarge = errors.New("file too large to read")
)

// File opens path for reading if it is a regular file. A symlink as the last component is refused
// unless follow is set; either way the open does not block on a FIFO and the type is taken from
// the open handle, never from an earlier lstat.
func File(path string, follow bool) (*os.File, fs.FileInfo, error) {
	f, err := openFile(path, follow)
	if err != nil {
		return nil, nil, symlinkRefused(err, path)
	}
	return checkRegular(f, path)
}

// symlinkRefused turns the ELOOP that O_NOFOLLOW gives for a final symlink into ErrNotRegular,
// which is what it means to the caller.
func symlinkRefused(err error, name string) error {
	if errors.Is(err, errLoop) {
		return &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w: it is a symbolic link, which is not followed here", ErrNotRegular)}
	}
	return err
}

// checkRegular keeps f only if fstat says it is a regular file.
func checkRegular(f *os.File, name string) (*os.File, fs.FileInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close() // read-only: nothing to lose
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w: it is a %s, so it was not read", ErrNotRegular, Kind(fi.Mode()))}
	}
	if err := clearNonblock(f); err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// ReadAll reads f, which fi describes, refusing before the first read a file whose size on the
// handle exceeds limit, and stopping at limit+1 bytes should it grow meanwhile.
func ReadAll(f *os.File, fi fs.FileInfo, limit int64) ([]byte, error) {
	if fi.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: f.Name(), Err: fmt.Errorf("%w (%d bytes; the limit is %d)", ErrTooLarge, fi.Size(), limit)}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: f.Name(), Err: fmt.Errorf("%w (it grew past %d bytes while being read)", ErrTooLarge, limit)}
	}
	return data, nil
}

// Kind names the type of a file that is not a regular one, for error messages.
func Kind(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "directory"
	case mode&fs.ModeSymlink != 0:
		return "symbolic link"
	case mode&fs.ModeNamedPipe != 0:
		return "FIFO"
	case mode&fs.ModeSocket != 0:
		return "socket"
	case mode&fs.ModeCharDevice != 0:
		return "character device"
	case mode&fs.ModeDevice != 0:
		return "block device"
	case mode.IsRegular():
		return "regular file"
	}
	return "special file"
}
