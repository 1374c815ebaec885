package input

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzChunking checks that for any bytes and any small chunk and line sizes, the chunks' lines (long
// ones cut) reproduce the input's lines and line numbers exactly, whatever the read boundaries.
func FuzzChunking(f *testing.F) {
	seeds := [][]byte{
		nil, []byte("a"), []byte("\n"), []byte("a\r\nb\r\n"), []byte("\x00\xff\x1b\n\n"),
		bytes.Repeat([]byte("x"), 100), append(bytes.Repeat([]byte("y"), 40), "\nz"...),
		manyLines(20), randomLines(7, 30),
	}
	for i, s := range seeds {
		f.Add(s, uint8(i*7), uint8(i*3), uint8(i), i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, data []byte, chunkSize, maxLine, readSize uint8, oneByte bool) {
		cfg := splitConfig{
			chunkSize: int(chunkSize%128) + 1,
			maxLine:   int(maxLine%64) + 1,
			readSize:  int(readSize%100) + 2, // the gzip check reads at least two bytes
			oneByte:   oneByte,
		}
		if len(data) > 0 && bytes.IndexByte([]byte{0x1f, 'B', 0xfd, 0x28, 'L', '_', '{'}, data[0]) >= 0 {
			// Compressed, journal and JSON input are decoded and have their own tests; here only
			// the chunking counts.
			data = append([]byte{'.'}, data...)
		}
		res := runStdin(t, cfg, 2, data)
		want := expectLines(data, cfg.maxLine)
		if d := diffLines(res.lines[stdinName], want); d != "" {
			t.Fatalf("%+v: %s", cfg, d)
		}
		if res.lasts[stdinName] != 1 {
			t.Fatalf("%d Last chunks, want 1", res.lasts[stdinName])
		}
	})
}

// FuzzGzip feeds arbitrary bytes behind the gzip magic: nothing may panic or hang, and every
// source still ends with its Last chunk.
func FuzzGzip(f *testing.F) {
	f.Add(gzipBytes(f, manyLines(30)))
	f.Add(gzipBytes(f, nil)[:10])
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		data = append([]byte{0x1f, 0x8b}, data...)
		res := runStdin(t, splitConfig{chunkSize: 64, maxLine: 32, readSize: 16}, 2, data)
		if res.lasts[stdinName] != 1 {
			t.Fatalf("%d Last chunks, want 1", res.lasts[stdinName])
		}
		if len(res.warningsFor(stdinName)) > maxLongLineWarnings+3 {
			t.Fatalf("too many warnings: %v", res.warnings)
		}
	})
}

// FuzzDecoders feeds arbitrary bytes behind the xz, zstd and journal export heads: nothing may
// panic or hang, and the source still ends with its Last chunk.
func FuzzDecoders(f *testing.F) {
	for _, name := range []string{"lines.xz", "lines.zst", "corrupt.zst"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(0), b[min(len(b), 6):])
	}
	f.Add(uint8(2), []byte("CURSOR=x\nMESSAGE=hi\n\nMESSAGE\n\x02\x00\x00\x00\x00\x00\x00\x00ab\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		heads := [][]byte{xzMagic, zstdMagic, []byte("__"), []byte(`{"`)}
		data = append(bytes.Clone(heads[int(which)%len(heads)]), data...)
		res := runStdin(t, splitConfig{chunkSize: 64, maxLine: 32, readSize: 16}, 2, data)
		if res.lasts[stdinName] != 1 {
			t.Fatalf("%d Last chunks, want 1", res.lasts[stdinName])
		}
	})
}
