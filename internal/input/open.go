package input

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/keikai-project/keikai/internal/safeopen"
)

var (
	errBecameDirectory = errors.New("is now a directory, not a file")
	errBadRead         = errors.New("reader returned an impossible byte count")
	errSwapped         = errors.New("was replaced by another file after it was listed (a race?), so it was not read")
	errOutsideRoot     = errors.New("is not under the root being checked")
)

// open returns the source's bytes. Stdin, FIFOs and devices may block forever, so their opens and
// reads are made interruptible by ctx; regular files are read directly.
func (r *Reader) open(ctx context.Context, src *Source) (io.Reader, func(), error) {
	if src.stdin {
		return &ctxReader{ctx: ctx, r: r.stdin}, func() {}, nil
	}
	if src.regular {
		f, err := r.openRegular(src)
		if err != nil {
			return nil, nil, err
		}
		return f, func() { _ = f.Close() }, nil // read-only: a close error loses nothing
	}
	f, err := openInterruptible(ctx, src.path)
	if err != nil {
		return nil, nil, err
	}
	closeFile := func() { _ = f.Close() } // read-only: a close error loses nothing
	fi, err := f.Stat()
	if err != nil {
		closeFile()
		return nil, nil, err
	}
	switch {
	case fi.IsDir():
		closeFile()
		return nil, nil, &fs.PathError{Op: "read", Path: src.path, Err: errBecameDirectory}
	case fi.Mode().IsRegular():
		return f, closeFile, nil
	default:
		return &ctxReader{ctx: ctx, r: f}, closeFile, nil
	}
}

// openRegular opens a source planned as a regular file, by handle and only if it is still the
// file planned: it never blocks (the open is non-blocking and a FIFO is refused) and never reads
// a file swapped in since planning, such as a symlink out of a checked root.
func (r *Reader) openRegular(src *Source) (*os.File, error) {
	var f *os.File
	var fi fs.FileInfo
	var err error
	if r.root != "" {
		f, fi, err = r.openInRoot(src.path)
	} else {
		f, fi, err = safeopen.File(src.path, src.follow)
	}
	if err != nil {
		return nil, err
	}
	if id, ok := identity(src.path, fi); ok && src.id != "" && id != src.id {
		_ = f.Close()
		return nil, &fs.PathError{Op: "open", Path: src.path, Err: errSwapped}
	}
	return f, nil
}

// openInRoot opens a path under the Reader's root as the checked system's file.
func (r *Reader) openInRoot(path string) (*os.File, fs.FileInfo, error) {
	rel, err := filepath.Rel(r.root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, nil, &fs.PathError{Op: "open", Path: path, Err: errOutsideRoot}
	}
	return safeopen.InRoot(r.root, filepath.ToSlash(rel))
}

// openInterruptible opens path without letting a FIFO that has no writer block past ctx.
func openInterruptible(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		return o.f, o.err
	case <-ctx.Done():
		go func() { // the open may still succeed later; do not leak the descriptor
			if o := <-done; o.f != nil {
				_ = o.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// ctxReader makes a blocking Read return when ctx is cancelled. The abandoned Read finishes in the
// background; its buffer is not looked at again because the caller stops on the error.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := c.r.Read(p)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		return res.n, res.err
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
}

// maxEmptyReads is how many reads in a row may return nothing before the source counts as broken.
const maxEmptyReads = 100

// countingReader reports consumed bytes so a progress bar can compare them with Source.Size. It
// also stands between us and a broken io.Reader: impossible counts and endless empty reads become
// errors instead of a panic or a hang.
type countingReader struct {
	r        io.Reader
	progress func(int64)
	empty    int
	total    int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n < 0 || n > len(p) {
		return 0, errBadRead
	}
	if n > 0 {
		c.empty = 0
		c.total += int64(n)
		c.progress(int64(n))
	} else if c.empty++; c.empty > maxEmptyReads && err == nil && len(p) > 0 {
		return 0, io.ErrNoProgress
	}
	return n, err
}
