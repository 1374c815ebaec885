//go:build unix && !zos

package input

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMappedFileShrinks truncates a file while it is mapped, as logrotate's copytruncate does:
// reading a chunk whose bytes are gone, and reading on, must end in a ShrankError, not a crash.
func TestMappedFileShrinks(t *testing.T) {
	data := manyLines(20000)
	path := writeFile(t, filepath.Join(t.TempDir(), "rotated.log"), data)
	r := NewReader(Options{ChunkSize: 4096, MaxLine: 1024, Buffers: 1})
	out := make(chan *Chunk)
	go r.Run(context.Background(), r.Plan([]string{path}, nil), out, nil, nil)
	first := <-out
	if first.mapped == nil {
		t.Skip("the file was not mapped")
	}
	// With one buffer the reader waits for first's Release before it reads on.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	var sum int
	err := first.Guard(func() {
		for _, b := range first.Data {
			sum += int(b)
		}
	})
	r.Release(first)
	var shrank *ShrankError
	if !errors.As(err, &shrank) || shrank.File != path {
		t.Fatalf("reading a truncated chunk: %v, want a ShrankError for %s", err, path)
	}
	want := path + " shrank while being read (rotated with copytruncate?): analyze a copy of it"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	for c := range out {
		r.Release(c)
	}
	if err := r.Err(); !errors.As(err, &shrank) {
		t.Errorf("Run ended with %v, want a ShrankError", err)
	}
}

// TestMappedFileGrows appends to a file while it is read: what was there when it was opened is
// read, whole lines and the final one as it was.
func TestMappedFileGrows(t *testing.T) {
	data := append(manyLines(2000), "unfinished"...)
	path := writeFile(t, filepath.Join(t.TempDir(), "growing.log"), data)
	r := NewReader(Options{ChunkSize: 4096, MaxLine: 1024, Buffers: 1})
	out := make(chan *Chunk)
	go r.Run(context.Background(), r.Plan([]string{path}, nil), out, nil, nil)
	var got bytes.Buffer
	mapped := true
	for c := range out {
		if c.Seq == 0 {
			mapped = c.mapped != nil
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(" line\n" + strings.Repeat("later line\n", 1000)); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
		got.Write(c.Data)
		r.Release(c)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if !mapped {
		t.Skip("the file was not mapped")
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Errorf("read %d bytes, want the %d there when the file was opened", got.Len(), len(data))
	}
}
