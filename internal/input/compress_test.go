package input

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures hold the same two lines; lines.bz2, lines.xz and lines.zst were made with the
// bzip2, xz and zstd tools, truncated.* are their first bytes (60, 60, 30) and corrupt.zst has the last
// byte of lines.zst (its checksum) flipped.
func TestOtherCompressors(t *testing.T) {
	tests := []struct {
		file       string
		lines      int
		compressed bool
		warning    string // substring of the one expected warning, "" for none
	}{
		{"lines.bz2", 2, true, ""},
		{"truncated.bz2", 0, true, "bzip2 data ends early"},
		{"lines.xz", 2, true, ""},
		{"truncated.xz", 0, true, "xz data ends early"},
		{"lines.zst", 2, true, ""},
		{"truncated.zst", 0, true, "zstd data ends early"},
		{"corrupt.zst", 0, true, "corrupt zstd data"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := NewReader(Options{})
			sources := r.Plan([]string{filepath.Join("testdata", tt.file)}, func(w Warning) { t.Errorf("plan: %v", w) })
			res := runAll(t, r, sources)
			name := sources[0].Name
			got := res.lines[name]
			if len(got) != tt.lines {
				t.Errorf("%d lines, want %d: %+v", len(got), tt.lines, got)
			}
			if tt.lines > 0 && !strings.Contains(got[0].text, "Relaying denied") {
				t.Errorf("first line %q was not decoded", got[0].text)
			}
			if sources[0].Compressed != tt.compressed {
				t.Errorf("Compressed = %v, want %v", sources[0].Compressed, tt.compressed)
			}
			ws := res.warningsFor(name)
			switch {
			case tt.warning == "" && len(ws) > 0:
				t.Errorf("unexpected warnings %v", ws)
			case tt.warning != "" && (len(ws) != 1 || !strings.Contains(ws[0].Msg, tt.warning) || ws[0].Err == nil):
				t.Errorf("warnings %v, want one I/O warning containing %q", ws, tt.warning)
			}
		})
	}
}

func TestXZDictSize(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "lines.xz"))
	if err != nil {
		t.Fatal(err)
	}
	if size, ok := xzDictSize(b[:sniffHead]); !ok || size != 8<<20 {
		t.Errorf("lines.xz (xz -6): dictionary %d, %v; want 8 MiB", size, ok)
	}
	// The same header claiming the largest dictionary the format allows (code 40).
	big := bytes.Clone(b[:sniffHead])
	p := bytes.Index(big[12:], []byte{0x21, 0x01}) + 12 + 2
	big[p] = 40
	if size, ok := xzDictSize(big); !ok || size != 1<<32-1 {
		t.Fatalf("code 40: %d, %v", size, ok)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "bomb.xz")
	if err := os.WriteFile(path, append(big, b[sniffHead:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	r := NewReader(Options{})
	sources := r.Plan([]string{path}, nil)
	res := runAll(t, r, sources)
	ws := res.warningsFor(sources[0].Name)
	if len(ws) != 1 || !strings.Contains(ws[0].Msg, "more than keikai allocates") {
		t.Errorf("warnings %v", ws)
	}
}
