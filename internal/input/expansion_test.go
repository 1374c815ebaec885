package input

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gzipBomb writes members gzip members of 16 MiB of empty lines each, about 16 KB apiece: the
// most deflate can expand.
func gzipBomb(t *testing.T, path string, members int) {
	t.Helper()
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(bytes.Repeat([]byte("\n"), 16<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Repeat(member.Bytes(), members), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExpansionWarning(t *testing.T) {
	if testing.Short() {
		t.Skip("decompresses 400 MB")
	}
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.gz")
	gzipBomb(t, bomb, 25)
	if fi, err := os.Stat(bomb); err == nil {
		t.Logf("bomb: %d bytes", fi.Size())
	}
	plain := filepath.Join(dir, "plain.gz")
	var logs bytes.Buffer
	zw := gzip.NewWriter(&logs)
	for i := range 20000 {
		_, _ = zw.Write([]byte("Jan  1 00:00:00 host sshd[" + strings.Repeat("1", i%7+1) + "]: Failed password for root\n"))
	}
	_ = zw.Close()
	if err := os.WriteFile(plain, logs.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want int
	}{{bomb, 1}, {plain, 0}} {
		r := NewReader(Options{})
		var warnings []Warning
		warn := func(w Warning) { warnings = append(warnings, w) }
		out := make(chan *Chunk, 4)
		go r.Run(context.Background(), r.Plan([]string{tt.path}, warn), out, warn, nil)
		for c := range out {
			r.Release(c)
		}
		n := 0
		for _, w := range warnings {
			if strings.Contains(w.Msg, "decompression bomb") {
				n++
				t.Log(w.String())
			}
		}
		if n != tt.want {
			t.Errorf("%s: %d expansion warnings, want %d (all: %v)", filepath.Base(tt.path), n, tt.want, warnings)
		}
	}
}
