package input

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// chunkCopy is what a consumer sees of a chunk, kept past its Release.
type chunkCopy struct {
	Seq, FirstLine int64
	Data           string
	Long           []LongLine
	Last           bool
	Ends           []uint32
}

// collect runs r over sources and returns copies of the chunks, and how many had no line cut for
// length and yet were not slices of a mapped file (those with one are copies).
func collect(t testing.TB, r *Reader, sources []*Source) (chunks []chunkCopy, copied int) {
	t.Helper()
	out := make(chan *Chunk)
	go r.Run(context.Background(), sources, out, nil, nil)
	for c := range out {
		chunks = append(chunks, chunkCopy{c.Seq, c.FirstLine, string(c.Data), slices.Clone(c.Long), c.Last, slices.Clone(c.Ends)})
		if c.mapped == nil && len(c.Data) > 0 && len(c.Long) == 0 {
			copied++
		}
		r.Release(c)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Run stopped early: %v", err)
	}
	return chunks, copied
}

// mappedAndRead reads data once as a file, mapped where the OS allows, and once through read()
// from a reader of the same bytes (the reference), and returns both chunk streams, collect's count
// of the file's chunks that were copied, and the file's Tail.
func mappedAndRead(t testing.TB, c splitConfig, data []byte) (got, want []chunkCopy, copied int, tail []byte) {
	t.Helper()
	path := writeFile(t, filepath.Join(t.TempDir(), "f.log"), data)
	r := newTestReader(c, 3)
	sources := r.Plan([]string{path}, nil)
	got, copied = collect(t, r, sources)
	ref := newTestReader(c, 3)
	ref.stdin = bytes.NewReader(data)
	want, _ = collect(t, ref, ref.Plan([]string{"-"}, nil))
	return got, want, copied, sources[0].Tail
}

func diffChunks(got, want []chunkCopy) string {
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Sprintf("missing chunk %+v", want[i])
		case i >= len(want):
			return fmt.Sprintf("extra chunk %+v", got[i])
		case fmt.Sprint(got[i]) != fmt.Sprint(want[i]):
			return fmt.Sprintf("chunk %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
	return ""
}

// canMap reports whether this system reads files through a mapping.
func canMap(t testing.TB) bool {
	f, err := os.Open(writeFile(t, filepath.Join(t.TempDir(), "probe"), []byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data := mapFile(f)
	if data == nil {
		return false
	}
	unmap(data)
	return true
}

// TestMappedSameAsRead checks that a mapped file gives the chunks that read() gives, in the cases
// where the bytes of a chunk are not simply the next chunkSize of the file.
func TestMappedSameAsRead(t *testing.T) {
	page := os.Getpagesize()
	long := func(n int) []byte { return append(bytes.Repeat([]byte("L"), n), '\n') }
	inputs := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte("a")},
		{"one newline", []byte("\n")},
		{"no final newline", []byte("first\nsecond\nthird")},
		{"shorter than the sniffed head", []byte("short\n")},
		{"many lines", manyLines(500)},
		{"many lines without the last newline", bytes.TrimSuffix(manyLines(500), []byte("\n"))},
		{"a page exactly", append(bytes.Repeat([]byte("0123456789abcde\n"), page/16-1), "0123456789abcdef"...)},
		{"two pages of lines", bytes.Repeat([]byte("0123456789abcde\n"), 2*page/16)},
		{"line longer than a chunk", slices.Concat(manyLines(10), long(100), manyLines(10))},
		{"lines longer than maxLine", slices.Concat(manyLines(10), long(300), long(40), manyLines(5), long(1000))},
		{"long last line without newline", slices.Concat(manyLines(10), bytes.Repeat([]byte("z"), 500))},
		{"long line first", slices.Concat(long(5000), manyLines(20))},
		{"CRLF and NUL", []byte("one\r\ntwo\x00\r\n\x00three\r\n")},
	}
	mapping := canMap(t)
	for _, cfg := range splitConfigs {
		if cfg.oneByte {
			continue // a file is never read a byte at a time
		}
		for _, in := range inputs {
			t.Run(cfg.name+"/"+in.name, func(t *testing.T) {
				got, want, copied, tail := mappedAndRead(t, cfg, in.data)
				if d := diffChunks(got, want); d != "" {
					t.Fatal(d)
				}
				if mapping && copied > 0 {
					t.Errorf("%d chunks without a cut line were copied, not slices of the mapping", copied)
				}
				if wantTail := in.data[len(in.data)-min(len(in.data), tailBytes):]; !bytes.Equal(tail, wantTail) {
					t.Errorf("Tail = %q, want %q", clip(string(tail)), clip(string(wantTail)))
				}
			})
		}
	}
}

// FuzzMappedSameAsRead checks that for any bytes and sizes a mapped file is cut into the chunks
// that read() gives.
func FuzzMappedSameAsRead(f *testing.F) {
	f.Add([]byte("a\nbb\nccc"), uint8(3), uint8(2), uint8(5))
	f.Add(manyLines(40), uint8(64), uint8(32), uint8(7))
	f.Add(append(bytes.Repeat([]byte("y"), 90), "\nz\n"...), uint8(16), uint8(32), uint8(50))
	f.Fuzz(func(t *testing.T, data []byte, chunkSize, maxLine, readSize uint8) {
		cfg := splitConfig{chunkSize: int(chunkSize%128) + 1, maxLine: int(maxLine%64) + 1, readSize: int(readSize%100) + 2}
		if len(data) > 0 && bytes.IndexByte([]byte{0x1f, 'B', 0xfd, 0x28, 'L', '_', '{'}, data[0]) >= 0 {
			// Compressed and journal input are not mapped, and a journal file is not read from
			// a stream at all; here only plain text counts.
			data = append([]byte{'.'}, data...)
		}
		got, want, _, _ := mappedAndRead(t, cfg, data)
		if d := diffChunks(got, want); d != "" {
			t.Fatalf("%+v: %s", cfg, d)
		}
	})
}
