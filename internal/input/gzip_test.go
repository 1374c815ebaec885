package input

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunGzip(t *testing.T) {
	dir := t.TempDir()
	text := manyLines(2000)
	whole := gzipBytes(t, text)
	half1, half2 := text[:len(text)/3], text[len(text)/3:]
	corrupt := bytes.Clone(whole)
	for i := len(corrupt) / 2; i < len(corrupt)/2+16; i++ {
		corrupt[i] ^= 0x55
	}
	badCRC := bytes.Clone(whole)
	badCRC[len(badCRC)-8] ^= 0xff

	tests := []struct {
		name       string
		file       []byte
		compressed bool
		want       []byte // complete expected text; with a problem, the delivered lines are a prefix of it
		problem    string // substring of the one expected warning, "" for none
	}{
		{"plain text named .gz", []byte("not\ncompressed\n"), false, []byte("not\ncompressed\n"), ""},
		{"gzip without suffix", whole, true, text, ""},
		{"concatenated members", append(gzipBytes(t, half1), gzipBytes(t, half2)...), true, text, ""},
		{"empty gzip", gzipBytes(t, nil), true, nil, ""},
		{"truncated in the middle", whole[:len(whole)/2], true, text, "gzip data ends early"},
		{"truncated in the trailer", whole[:len(whole)-3], true, text, "gzip data ends early"},
		{"only the magic", whole[:2], true, nil, "gzip data ends early"},
		{"corrupt deflate data", corrupt, true, text, "corrupt gzip data"},
		{"bad checksum", badCRC, true, text, "corrupt gzip data"},
		{"garbage after member", append(bytes.Clone(whole), "trailing junk"...), true, text, "corrupt gzip data"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "log"
			if i == 0 {
				name = "log.gz"
			}
			path := writeFile(t, filepath.Join(dir, tt.name, name), tt.file)
			r := NewReader(Options{ChunkSize: 256, MaxLine: 128, Buffers: 2})
			sources := r.Plan([]string{path}, nil)
			res := runAll(t, r, sources)
			if sources[0].Compressed != tt.compressed {
				t.Errorf("Compressed = %v, want %v", sources[0].Compressed, tt.compressed)
			}
			got, want := res.lines[path], expectLines(tt.want, 128)
			if tt.problem == "" {
				if d := diffLines(got, want); d != "" {
					t.Fatal(d)
				}
				if len(res.warnings) != 0 {
					t.Fatalf("unexpected warnings %v", res.warnings)
				}
				return
			}
			if len(res.warnings) != 1 {
				t.Fatalf("got warnings %v, want exactly one about %q", res.warnings, tt.problem)
			}
			w := res.warnings[0]
			if !strings.Contains(w.Msg, tt.problem) || w.Err == nil || w.File != path {
				t.Errorf("warning %+v, want one about %q with Err", w, tt.problem)
			}
			if len(got) > 0 && w.Line != got[len(got)-1].num {
				t.Errorf("warning at line %d, last delivered line is %d", w.Line, got[len(got)-1].num)
			}
			checkPrefix(t, got, want)
		})
	}
}

// checkPrefix wants the lines delivered before an error to be the input's first lines; the last one
// may be cut off where the data ended.
func checkPrefix(t *testing.T, got, want []line) {
	t.Helper()
	if len(got) > len(want) {
		t.Fatalf("delivered %d lines, the input has only %d", len(got), len(want))
	}
	for i, l := range got {
		w := want[i]
		if l.num != w.num || !strings.HasPrefix(w.text, l.text) || (i < len(got)-1 && l != w) {
			t.Fatalf("line %d: got {%d %q}, want {%d %q}", i, l.num, clip(l.text), w.num, clip(w.text))
		}
	}
}

func TestRunGzipTruncatedKeepsDecompressedLines(t *testing.T) {
	text := manyLines(20000)
	whole := gzipBytes(t, text)
	cut := whole[:len(whole)*9/10]
	path := writeFile(t, filepath.Join(t.TempDir(), "auth.log.1"), cut)
	// What a decompressor can get out of the cut stream is the most the lines may hold.
	possible, err := io.ReadAll(mustGzipReader(t, cut))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("test setup: cut stream gave %v, want unexpected EOF", err)
	}
	r := NewReader(Options{ChunkSize: 4096, MaxLine: 1024})
	res := runAll(t, r, r.Plan([]string{path}, nil))
	got := res.lines[path]
	if d := diffLines(got, expectLines(possible, 1024)); d != "" {
		t.Fatalf("lines decompressed before the cut were not all delivered: %s", d)
	}
	if len(got) < 10000 {
		t.Errorf("only %d lines delivered from 90%% of the stream", len(got))
	}
}

func mustGzipReader(t *testing.T, data []byte) io.Reader {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}
