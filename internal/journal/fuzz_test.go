package journal

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFile reads arbitrary bytes as a journal file: no panic, no endless loop, and every error
// after a successful Open wraps ErrCorrupt.
func FuzzFile(f *testing.F) {
	w := &writer{incompatible: flagCompact | flagCompressedLZ4, compact: true}
	w.header()
	d := w.data(0, []byte("MESSAGE=x"))
	p, _ := lz4Block([]byte("MESSAGE=compressed"))
	c := w.data(objectCompressedLZ4, p)
	w.entry(1, d, c)
	f.Add(w.finish())
	w = &writer{}
	w.header()
	w.entry(1, w.data(0, []byte("_HOSTNAME=h")))
	f.Add(w.finish())
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 8 {
			copy(b, Magic)
		}
		r, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		var e Entry
		for i := 0; ; i++ {
			err := r.Next(&e)
			if err == io.EOF {
				return
			}
			if err != nil {
				return
			}
			_ = AppendLine(nil, &e)
			if i > len(b) {
				t.Fatal("more entries than bytes")
			}
		}
	})
}

// FuzzExport and FuzzJSON read arbitrary text as journalctl output: no panic, and the output is
// whole lines.
func FuzzExport(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "sample.export"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("__CURSOR=x\nMESSAGE\n\x03\x00\x00\x00\x00\x00\x00\x00a\nb\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) { checkLines(t, NewExportLines(bytes.NewReader(in))) })
}

func FuzzJSON(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "sample.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"__REALTIME_TIMESTAMP":"1","MESSAGE":[104,105],"_PID":["1","2"]}` + "\n"))
	f.Fuzz(func(t *testing.T, in []byte) { checkLines(t, NewJSONLines(bytes.NewReader(in))) })
}

func checkLines(t *testing.T, r io.Reader) {
	out, err := io.ReadAll(r)
	if err == nil && len(out) > 0 && out[len(out)-1] != '\n' {
		t.Fatalf("output does not end in a newline: %q", out)
	}
}
