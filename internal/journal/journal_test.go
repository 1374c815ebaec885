package journal

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// The lines every fixture of testdata/sample.export yields. The files remote-*.journal.gz were
// written by systemd 252's systemd-journal-remote from sample.export (plain: regular mode, zstd
// flag set; zstd-compact: compact mode and keyed hash, large fields zstd-compressed), and
// sample.json by "journalctl -o json --file" on the latter.
var sampleLines = []string{
	"2024-12-01T11:20:01.000123Z web1 sshd[4242]: Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2",
	"2024-12-01T11:20:02.000246Z web1 sshd[4242]: Failed password for root from 198.51.100.7 port 53226 ssh2",
	"2024-12-01T11:20:03.000369Z web1 kernel-helper[77]: no identifier, comm used",
	"2024-12-01T11:20:04.000492Z web1 app[9]: line one#012line two#033[31m",
	"2024-12-01T11:20:05.000615Z web1 big[10]: long message " + strings.Repeat("abcdefgh", 200) + " from 198.51.100.9",
}

func readAll(t testing.TB, ra io.ReaderAt, size int64) ([]string, error) {
	t.Helper()
	r, err := Open(ra, size)
	if err != nil {
		return nil, err
	}
	var lines []string
	var e Entry
	for {
		err := r.Next(&e)
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
		lines = append(lines, string(AppendLine(nil, &e)))
	}
}

func gunzipFile(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func diff(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
}

func TestSystemdWrittenFiles(t *testing.T) {
	for _, name := range []string{"remote-plain.journal.gz", "remote-zstd-compact.journal.gz"} {
		t.Run(name, func(t *testing.T) {
			b := gunzipFile(t, name)
			got, err := readAll(t, bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			diff(t, got, sampleLines)
		})
	}
}

func TestExportAndJSON(t *testing.T) {
	for _, tt := range []struct {
		file string
		wrap func(io.Reader) io.Reader
	}{
		{"sample.export", NewExportLines},
		{"sample.json", NewJSONLines},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			head := make([]byte, 32)
			if _, err := io.ReadFull(f, head); err != nil {
				t.Fatal(err)
			}
			if IsExport(head) != (tt.file == "sample.export") || LooksJSON(head) != (tt.file == "sample.json") {
				t.Errorf("detection: IsExport %v, LooksJSON %v", IsExport(head), LooksJSON(head))
			}
			out, err := io.ReadAll(tt.wrap(io.MultiReader(bytes.NewReader(head), f)))
			if err != nil {
				t.Fatal(err)
			}
			diff(t, strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"), sampleLines)
		})
	}
}

func TestJSONPassesOtherLinesThrough(t *testing.T) {
	in := "{\"level\":\"info\",\"msg\":\"not a journal entry\"}\nplain text\n"
	out, err := io.ReadAll(NewJSONLines(strings.NewReader(in)))
	if err != nil || string(out) != in {
		t.Fatalf("got %q, %v; want the input unchanged", out, err)
	}
}

func TestExportErrors(t *testing.T) {
	for _, in := range []string{
		"__CURSOR=x\nMESSAGE\n\x05\x00\x00",                     // binary field cut short
		"__CURSOR=x\nMESSAGE\n\xff\xff\xff\xff\xff\xff\xff\x7f", // absurd length
	} {
		if _, err := io.ReadAll(NewExportLines(strings.NewReader(in))); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// writer builds journal files the way the format description lays them out, for the variants
// that systemd on this machine does not write (XZ, LZ4) and for damaged files.
type writer struct {
	buf          []byte
	incompatible uint32
	compact      bool
}

func (w *writer) header() {
	w.buf = make([]byte, 272)
	copy(w.buf, Magic)
	binary.LittleEndian.PutUint32(w.buf[12:], w.incompatible)
	binary.LittleEndian.PutUint64(w.buf[88:], 272)
}

func (w *writer) object(typ, flags byte, body []byte) int64 {
	off := int64(len(w.buf))
	h := make([]byte, 16)
	h[0], h[1] = typ, flags
	binary.LittleEndian.PutUint64(h[8:], uint64(16+len(body)))
	w.buf = append(append(w.buf, h...), body...)
	for len(w.buf)%8 != 0 {
		w.buf = append(w.buf, 0)
	}
	return off
}

func (w *writer) data(flags byte, payload []byte) int64 {
	pre := 48
	if w.compact {
		pre = 56
	}
	return w.object(objectData, flags, append(make([]byte, pre), payload...))
}

func (w *writer) entry(realtime uint64, items ...int64) {
	body := make([]byte, 48)
	binary.LittleEndian.PutUint64(body[8:], realtime)
	for _, it := range items {
		if w.compact {
			body = binary.LittleEndian.AppendUint32(body, uint32(it))
		} else {
			body = binary.LittleEndian.AppendUint64(body, uint64(it))
			body = binary.LittleEndian.AppendUint64(body, 0)
		}
	}
	w.object(objectEntry, 0, body)
}

func (w *writer) finish() []byte {
	binary.LittleEndian.PutUint64(w.buf[96:], uint64(len(w.buf)-272))
	return w.buf
}

// lz4Literals encodes p as one LZ4 block of literals followed by a match that repeats the last
// byte 20 times (an overlapping match), with systemd's size prefix.
func lz4Block(p []byte) ([]byte, []byte) {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(p)+20+5))
	lit := len(p)
	tok := byte(15 << 4)
	if lit < 15 {
		tok = byte(lit << 4)
	}
	tok |= 15 // match length 4+15+1 = 20
	out = append(out, tok)
	if lit >= 15 {
		n := lit - 15
		for n >= 255 {
			out = append(out, 255)
			n -= 255
		}
		out = append(out, byte(n))
	}
	out = append(out, p...)
	out = append(out, 1, 0, 1) // offset 1, extra match length 1
	out = append(out, 5<<4)
	out = append(out, "!tail"...)
	want := append(append(append([]byte(nil), p...), bytes.Repeat(p[len(p)-1:], 20)...), "!tail"...)
	return out, want
}

func TestCompressedAndCompact(t *testing.T) {
	msg := []byte("MESSAGE=Invalid user test from 203.0.113.9 port 4242")
	var xzBuf bytes.Buffer
	xw, err := xz.NewWriter(&xzBuf)
	if err != nil {
		t.Fatal(err)
	}
	xw.Write(msg)
	xw.Close()
	zw, _ := zstd.NewWriter(nil)
	zstdPayload := zw.EncodeAll(msg, nil)
	lz4Payload, lz4Want := lz4Block(msg)

	for _, tt := range []struct {
		name    string
		flags   uint32
		compact bool
		obj     byte
		payload []byte
		want    string
	}{
		{"xz", flagCompressedXZ, false, objectCompressedXZ, xzBuf.Bytes(), string(msg[8:])},
		{"lz4", flagCompressedLZ4, false, objectCompressedLZ4, lz4Payload, string(lz4Want[8:])},
		{"zstd compact keyed", flagCompressedZstd | flagCompact | flagKeyedHash, true, objectCompressedZstd, zstdPayload, string(msg[8:])},
		{"plain compact", flagCompact, true, 0, msg, string(msg[8:])},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &writer{incompatible: tt.flags, compact: tt.compact}
			w.header()
			host := w.data(0, []byte("_HOSTNAME=gw"))
			ident := w.data(0, []byte("SYSLOG_IDENTIFIER=sshd"))
			other := w.data(0, []byte("_TRANSPORT=syslog"))
			m := w.data(tt.obj, tt.payload)
			w.object(objectTag, 0, make([]byte, 40)) // a seal between entries is skipped
			w.entry(1_000_000_000_000_000, host, ident, other, m)
			b := w.finish()
			got, err := readAll(t, bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			diff(t, got, []string{"2001-09-09T01:46:40.000000Z gw sshd: " + tt.want})
		})
	}
}

func TestBadFiles(t *testing.T) {
	good := func() *writer {
		w := &writer{}
		w.header()
		d := w.data(0, []byte("MESSAGE=one"))
		w.entry(1, d)
		return w
	}
	for _, tt := range []struct {
		name  string
		edit  func([]byte) []byte
		want  string // substring of the error; "" for a clean read
		lines int
	}{
		{"unknown incompatible flag", func(b []byte) []byte { b[12] |= 1 << 7; return b }, "incompatible flags 0x80", 0},
		{"short", func(b []byte) []byte { return b[:100] }, "shorter than a journal header", 0},
		{"truncated entry", func(b []byte) []byte { return b[:len(b)-8] }, "has size 80", 0},
		{"item points nowhere", func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[len(b)-16:], 1<<40)
			return b
		}, "entry refers to data", 0},
		{"zero size object", func(b []byte) []byte {
			return append(b, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
		}, "has size 1", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.edit(good().finish())
			if tt.name == "zero size object" {
				binary.LittleEndian.PutUint64(b[96:], uint64(len(b)-272))
			}
			lines, err := readAll(t, bytes.NewReader(b), int64(len(b)))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if len(lines) != tt.lines {
				t.Errorf("%d lines, want %d", len(lines), tt.lines)
			}
			if err != nil && !strings.Contains(tt.name, "flag") && !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %v does not wrap ErrCorrupt", err)
			}
		})
	}
}

// TestThisMachine reads the journal files of the machine running the test, when it has any:
// every entry must decode, and their number must agree with journalctl when that is installed.
func TestThisMachine(t *testing.T) {
	paths := DefaultPaths("/")
	if len(paths) == 0 {
		t.Skip("no journal files under /var/log/journal or /run/log/journal on this machine")
	}
	for _, p := range paths[:min(len(paths), 3)] {
		f, err := os.Open(p)
		if err != nil {
			t.Logf("%s: %v", p, err)
			continue
		}
		fi, _ := f.Stat()
		lines, err := readAll(t, f, fi.Size())
		f.Close()
		if err != nil {
			t.Errorf("%s: %v after %d entries", p, err, len(lines))
		}
		t.Logf("%s: %d entries", p, len(lines))
	}
}

func TestDefaultPaths(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{
		"var/log/journal/0123/system.journal",
		"var/log/journal/0123/system@0005-0006.journal~",
		"var/log/journal/0123/user-1000.journal",
		"var/log/journal/0123/notes.txt",
		"run/log/journal/0123/system.journal",
	} {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(Magic), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := DefaultPaths(root)
	var rel []string
	for _, p := range got {
		r, _ := filepath.Rel(root, p)
		rel = append(rel, r)
	}
	want := []string{
		"run/log/journal/0123/system.journal",
		"var/log/journal/0123/system.journal",
		"var/log/journal/0123/system@0005-0006.journal~",
		"var/log/journal/0123/user-1000.journal",
	}
	if strings.Join(rel, "\n") != strings.Join(want, "\n") {
		t.Errorf("DefaultPaths = %q, want %q", rel, want)
	}
}
