package input

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRunSources(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, filepath.Join(dir, "a.log"), manyLines(50))
	empty := writeFile(t, filepath.Join(dir, "empty.log"), nil)
	gone := writeFile(t, filepath.Join(dir, "gone.log"), []byte("x\n"))
	becomesDir := writeFile(t, filepath.Join(dir, "becomes-dir.log"), []byte("x\n"))
	crlf := writeFile(t, filepath.Join(dir, "crlf.log"), []byte("one\r\ntwo\r\nthree"))
	stdinData := []byte("from stdin 1\nfrom stdin 2\n")

	r := NewReader(Options{ChunkSize: 64, MaxLine: 64, Buffers: 2, Stdin: bytes.NewReader(stdinData)})
	var planWarnings []Warning
	sources := r.Plan([]string{a, empty, gone, "-", becomesDir, crlf}, func(w Warning) { planWarnings = append(planWarnings, w) })
	if len(planWarnings) != 0 || len(sources) != 6 {
		t.Fatalf("plan: %d sources, warnings %v", len(sources), planWarnings)
	}
	// Between Plan and Run one file vanishes and another is replaced by a directory.
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(becomesDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(becomesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	res := runAll(t, r, sources)

	tests := []struct {
		name     string
		want     []byte
		warnings []string
	}{
		{a, manyLines(50), nil},
		{empty, nil, nil},
		{gone, nil, []string{gone + " | does not exist (removed or renamed?); skipped | err"}},
		{stdinName, stdinData, nil},
		{becomesDir, nil, []string{becomesDir + " | cannot be read (not a regular file: it is a directory, so it was not read); skipped | err"}},
		{crlf, []byte("one\r\ntwo\r\nthree"), nil},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.name), func(t *testing.T) {
			if d := diffLines(res.lines[tt.name], expectLines(tt.want, 64)); d != "" {
				t.Error(d)
			}
			if res.lasts[tt.name] != 1 {
				t.Errorf("%d Last chunks, want exactly 1", res.lasts[tt.name])
			}
			got := warningSummary(res.warningsFor(tt.name))
			if strings.Join(got, "\n") != strings.Join(tt.warnings, "\n") {
				t.Errorf("warnings %q, want %q", got, tt.warnings)
			}
		})
	}
}

func TestRunTenMegabyteLine(t *testing.T) {
	const maxLine = 64 << 10
	huge := bytes.Repeat([]byte("A"), 10<<20)
	var data []byte
	data = append(data, "before\n"...)
	data = append(data, huge...)
	data = append(data, "\nafter 1\nafter 2"...)
	path := writeFile(t, filepath.Join(t.TempDir(), "huge.log"), data)

	r := NewReader(Options{ChunkSize: 16 << 10, MaxLine: maxLine, Buffers: 2})
	res := runAll(t, r, r.Plan([]string{path}, nil))
	want := []line{
		{num: 1, text: "before"},
		{num: 2, text: string(huge[:maxLine]), long: 10 << 20},
		{num: 3, text: "after 1"},
		{num: 4, text: "after 2"},
	}
	if d := diffLines(res.lines[path], want); d != "" {
		t.Fatal(d)
	}
	wantWarning := fmt.Sprintf("%s:2: line 2 is %d bytes; only the first %d bytes were analysed", path, 10<<20, maxLine)
	if len(res.warnings) != 1 || res.warnings[0].String() != wantWarning {
		t.Errorf("warnings %v, want exactly %q", res.warnings, wantWarning)
	}
}

// TestRunMemoryBounded reads a 10 MB line and 10 MB of short lines with a consumer that keeps
// nothing, and checks that Run allocated about the pool and its read buffer, not the input.
func TestRunMemoryBounded(t *testing.T) {
	data := append(bytes.Repeat([]byte("B"), 10<<20), '\n')
	data = append(data, manyLines(200000)...)
	path := writeFile(t, filepath.Join(t.TempDir(), "big.log"), data)
	r := NewReader(Options{ChunkSize: 64 << 10, MaxLine: 64 << 10, Buffers: 4})
	sources := r.Plan([]string{path}, nil)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out := make(chan *Chunk, 4)
	go r.Run(context.Background(), sources, out, func(Warning) {}, nil)
	var lines int64
	for c := range out {
		lines += int64(bytes.Count(c.Data, []byte{'\n'}))
		r.Release(c)
	}
	runtime.ReadMemStats(&after)
	if lines != 200001 {
		t.Errorf("counted %d lines, want 200001", lines)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	limit := uint64(4*r.bufCap + r.readSize + 1<<20)
	t.Logf("allocated %d bytes reading %d bytes (limit %d)", allocated, len(data), limit)
	if allocated > limit {
		t.Errorf("Run allocated %d bytes for %d bytes of input; want at most %d", allocated, len(data), limit)
	}
}

func TestRunExplicitFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("mkfifo not available: %v", err)
	}
	data := manyLines(100)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return // the test fails on the missing lines
		}
		defer f.Close()
		_, _ = f.Write(data)
	}()
	r := NewReader(Options{ChunkSize: 128, MaxLine: 64})
	sources := r.Plan([]string{fifo}, nil)
	res := runAll(t, r, sources)
	if d := diffLines(res.lines[fifo], expectLines(data, 64)); d != "" {
		t.Error(d)
	}
	if sources[0].Size != -1 {
		t.Errorf("FIFO Size = %d, want -1", sources[0].Size)
	}
}

func TestRunProgress(t *testing.T) {
	dir := t.TempDir()
	text := manyLines(5000)
	plain := writeFile(t, filepath.Join(dir, "plain.log"), text)
	zipped := writeFile(t, filepath.Join(dir, "zipped.log.gz"), gzipBytes(t, text))
	r := NewReader(Options{ChunkSize: 1000, MaxLine: 100})
	for _, path := range []string{plain, zipped} {
		sources := r.Plan([]string{path}, nil)
		out := make(chan *Chunk)
		var total int64
		go r.Run(context.Background(), sources, out, nil, func(n int64) { total += n })
		for c := range out {
			r.Release(c)
		}
		if total != sources[0].Size {
			t.Errorf("%s: progress reported %d bytes, Size is %d", filepath.Base(path), total, sources[0].Size)
		}
	}
}

// blockingReader never returns, like a terminal nobody types into.
type blockingReader struct{ release chan struct{} }

func (b blockingReader) Read([]byte) (int, error) {
	<-b.release
	return 0, io.EOF
}

func TestRunCancel(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) (*Reader, []*Source)
	}{
		{"stdin blocked in Read", func(t *testing.T) (*Reader, []*Source) {
			block := blockingReader{make(chan struct{})}
			t.Cleanup(func() { close(block.release) })
			r := NewReader(Options{Stdin: block})
			return r, r.Plan([]string{"-"}, nil)
		}},
		{"FIFO without writer", func(t *testing.T) (*Reader, []*Source) {
			fifo := filepath.Join(t.TempDir(), "pipe")
			if err := mkfifo(fifo); err != nil {
				t.Skipf("mkfifo not available: %v", err)
			}
			t.Cleanup(func() {
				// Opening for writing lets the abandoned open in Run complete and close.
				if f, err := os.OpenFile(fifo, os.O_RDWR, 0); err == nil {
					time.Sleep(10 * time.Millisecond)
					_ = f.Close()
				}
			})
			r := NewReader(Options{})
			return r, r.Plan([]string{fifo}, nil)
		}},
		{"all buffers held by the consumer", func(t *testing.T) (*Reader, []*Source) {
			path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), manyLines(1000))
			r := NewReader(Options{ChunkSize: 64, MaxLine: 32, Buffers: 2})
			return r, r.Plan([]string{path}, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, sources := tt.setup(t)
			ctx, cancel := context.WithCancel(context.Background())
			out := make(chan *Chunk, 100)
			done := make(chan struct{})
			go func() {
				defer close(done)
				r.Run(ctx, sources, out, nil, nil)
			}()
			time.Sleep(50 * time.Millisecond) // let Run block
			cancel()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				t.Fatal("Run did not return within 2s of cancellation")
			}
			for range out { // out must be closed, or this never ends
			}
		})
	}
}

func TestRunBackPressure(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), manyLines(1000))
	r := NewReader(Options{ChunkSize: 64, MaxLine: 32, Buffers: 3})
	out := make(chan *Chunk, 100)
	go r.Run(context.Background(), r.Plan([]string{path}, nil), out, nil, nil)
	var held []*Chunk
	for range 3 {
		held = append(held, <-out)
	}
	select {
	case c := <-out:
		t.Fatalf("chunk %d delivered while all 3 buffers were held", c.Seq)
	case <-time.After(100 * time.Millisecond):
	}
	r.Release(held[0])
	r.Release(held[0]) // a second Release of the same chunk must not free another buffer
	select {
	case c := <-out:
		if c.Seq != 3 {
			t.Errorf("next chunk Seq = %d, want 3", c.Seq)
		}
		held = append(held, c)
	case <-time.After(5 * time.Second):
		t.Fatal("no chunk after a Release")
	}
	select {
	case c := <-out:
		t.Fatalf("chunk %d delivered after a double Release; the pool handed out a buffer twice", c.Seq)
	case <-time.After(100 * time.Millisecond):
	}
	for _, c := range held[1:] {
		r.Release(c)
	}
	for c := range out {
		r.Release(c)
	}
}

func TestRunBrokenReader(t *testing.T) {
	tests := []struct {
		name   string
		reader io.Reader
	}{
		{"negative count", readerFunc(func(p []byte) (int, error) { return -1, nil })},
		{"count beyond buffer", readerFunc(func(p []byte) (int, error) { return len(p) + 1, nil })},
		{"nothing forever", readerFunc(func(p []byte) (int, error) { return 0, nil })},
		{"error at once", readerFunc(func(p []byte) (int, error) { return 0, errors.New("device gone") })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(Options{Stdin: tt.reader})
			res := runAll(t, r, r.Plan([]string{"-"}, nil))
			if len(res.warnings) != 1 || res.warnings[0].Err == nil || res.lasts[stdinName] != 1 {
				t.Errorf("warnings %v, Last chunks %d; want one read warning and one Last chunk", res.warnings, res.lasts[stdinName])
			}
		})
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestRunReadErrorKeepsFirstBytes(t *testing.T) {
	sent := false
	r := NewReader(Options{Stdin: readerFunc(func(p []byte) (int, error) {
		if sent {
			return 0, errors.New("device gone")
		}
		sent = true
		return copy(p, "x"), nil // one byte, then the error: the gzip check has to stop early
	})})
	res := runAll(t, r, r.Plan([]string{"-"}, nil))
	if d := diffLines(res.lines[stdinName], []line{{num: 1, text: "x"}}); d != "" {
		t.Error(d)
	}
	if len(res.warnings) != 1 || res.warnings[0].Line != 1 || !strings.Contains(res.warnings[0].Msg, "read error (device gone)") {
		t.Errorf("warnings %v, want one read error at line 1", res.warnings)
	}
}
