package input

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// journalFixture returns a journal file written by systemd-journal-remote (see internal/journal's
// testdata), unpacked into a temporary directory.
func journalFixture(t *testing.T) (path string, raw []byte) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "journal", "testdata", "remote-zstd-compact.journal.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err = io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "system.journal")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, raw
}

func TestJournalInputs(t *testing.T) {
	path, raw := journalFixture(t)
	export, err := os.ReadFile(filepath.Join("..", "journal", "testdata", "sample.export"))
	if err != nil {
		t.Fatal(err)
	}
	jsonText, err := os.ReadFile(filepath.Join("..", "journal", "testdata", "sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	const first = "2024-12-01T11:20:01.000123Z web1 sshd[4242]: Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2"
	for _, tt := range []struct {
		name    string
		file    string // read from this path, or stdin when empty
		stdin   []byte
		lines   int
		warning string
	}{
		{name: "journal file", file: path, lines: 5},
		{name: "journal file on stdin", stdin: raw, warning: "cannot be read from a pipe"},
		{name: "export on stdin", stdin: export, lines: 5},
		{name: "json on stdin", stdin: jsonText, lines: 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(Options{Stdin: bytes.NewReader(tt.stdin)})
			arg := tt.file
			if arg == "" {
				arg = "-"
			}
			sources := r.Plan([]string{arg}, func(w Warning) { t.Errorf("plan: %v", w) })
			res := runAll(t, r, sources)
			got := res.lines[sources[0].Name]
			if len(got) != tt.lines {
				t.Fatalf("%d lines, want %d: %+v", len(got), tt.lines, got)
			}
			if tt.lines > 0 && got[0].text != first {
				t.Errorf("first line %q, want %q", got[0].text, first)
			}
			ws := res.warningsFor(sources[0].Name)
			switch {
			case tt.warning == "" && len(ws) > 0:
				t.Errorf("unexpected warnings %v", ws)
			case tt.warning != "" && (len(ws) != 1 || !strings.Contains(ws[0].Msg, tt.warning)):
				t.Errorf("warnings %v, want one containing %q", ws, tt.warning)
			}
		})
	}
}

// TestJournalTruncated: a journal file cut in the middle of an object yields the entries before
// the cut and one warning.
func TestJournalTruncated(t *testing.T) {
	path, raw := journalFixture(t)
	// The fifth entry object starts at offset 3736688 and is 84 bytes long; cut inside it.
	if err := os.WriteFile(path, raw[:3736720], 0o600); err != nil {
		t.Fatal(err)
	}
	r := NewReader(Options{})
	sources := r.Plan([]string{path}, nil)
	res := runAll(t, r, sources)
	if n := len(res.lines[sources[0].Name]); n != 4 {
		t.Errorf("%d lines, want the 4 before the cut", n)
	}
	ws := res.warningsFor(sources[0].Name)
	if len(ws) != 1 || !strings.Contains(ws[0].Msg, "entries before it were analysed") {
		t.Errorf("warnings %v", ws)
	}
}

// TestJournalInVarLog: the README's `keikai analyze /var/log` walks into journald's directory
// (var/log/journal/<machine-id>/) and reads its journal files, the *.journal~ ones an unclean
// shutdown leaves included, as journals rather than as binary text.
func TestJournalInVarLog(t *testing.T) {
	path, raw := journalFixture(t)
	varLog := filepath.Join(t.TempDir(), "var", "log")
	machine := filepath.Join(varLog, "journal", "0123456789abcdef0123456789abcdef")
	if err := os.MkdirAll(machine, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, filepath.Join(machine, "system.journal")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(machine, "system@0005a1b2c3d4e5f6-0123456789abcdef.journal~"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(varLog, "dpkg.log"), []byte("2024-12-01 10:00:00 status installed bash:amd64 5.2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := NewReader(Options{})
	sources := r.Plan([]string{varLog}, func(w Warning) { t.Errorf("plan: %v", w) })
	if len(sources) != 3 {
		t.Fatalf("%d sources, want dpkg.log and the two journal files", len(sources))
	}
	res := runAll(t, r, sources)
	const first = "2024-12-01T11:20:01.000123Z web1 sshd[4242]: Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2"
	for _, src := range sources[1:] {
		got := res.lines[src.Name]
		if len(got) != 5 || got[0].text != first {
			t.Errorf("%s: %d lines, first %+v; want 5 journal entries as syslog lines", src.Name, len(got), got)
		}
		if ws := res.warningsFor(src.Name); len(ws) > 0 {
			t.Errorf("%s: warnings %v", src.Name, ws)
		}
	}
}
