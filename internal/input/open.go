package input

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
)

var (
	errBecameDirectory = errors.New("is now a directory, not a file")
	errBadRead         = errors.New("reader returned an impossible byte count")
)

// open returns the source's bytes. Stdin, FIFOs and devices may block forever, so their opens and
// reads are made interruptible by ctx; regular files are read directly.
func (r *Reader) open(ctx context.Context, src *Source) (io.Reader, func(), error) {
	if src.stdin {
		return &ctxReader{ctx: ctx, r: r.stdin}, func() {}, nil
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
	total    int64 // bytes consumed so far, for the decompression ratio
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
