package mail

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func addTestdata(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecode: any input decodes without panic within the limits, and only blank input fails.
func FuzzDecode(f *testing.F) {
	addTestdata(f)
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\n--x--"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := Decoder{MaxDecompressed: 1 << 20}.Decode(raw)
		if err != nil {
			if len(bytes.TrimSpace(raw)) != 0 {
				t.Fatalf("Decode failed on non-blank input: %v", err)
			}
			return
		}
		if c.Lang != "ja" && c.Lang != "en" {
			t.Fatalf("Lang = %q", c.Lang)
		}
		if len(c.Warnings) > maxWarnings+1 {
			t.Fatalf("%d warnings", len(c.Warnings))
		}
		total := 0
		for _, p := range c.Parts {
			total += len(p.Text)
		}
		// Nothing but gzip expands: decoded text is at most about twice the input (charset
		// conversion) plus the decompression budget.
		if total > 3*len(raw)+1<<20+64 {
			t.Fatalf("decoded %d bytes from %d", total, len(raw))
		}
	})
}

func FuzzUudecode(f *testing.F) {
	f.Add([]byte("text\nbegin 644 a.log\n#86)C\n`\nend\nmore\n"))
	f.Add([]byte("begin-base64 644 b\naGVsbG8=\n====\n"))
	f.Add([]byte("begin 644 x\nM\xff\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		blocks, rest := findUUBlocks(text)
		if len(rest) > len(text) {
			t.Fatalf("rest longer than input")
		}
		for _, b := range blocks {
			if len(b.data) > len(text) {
				t.Fatalf("block %q decoded to %d bytes from %d", b.name, len(b.data), len(text))
			}
		}
	})
}
