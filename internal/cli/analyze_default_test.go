package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keikaiOn runs keikai with the system root (what `analyze` reads without a path) at root.
func keikaiOn(t *testing.T, root string, args ...string) run {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{
		Stdin:      strings.NewReader(""),
		Stdout:     &out,
		Stderr:     &errOut,
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
		SystemRoot: root,
	}
	code := Run(args, env)
	return run{out.String(), errOut.String(), code}
}

// unpackJournal writes the systemd-written journal fixture of internal/journal to path.
func unpackJournal(t *testing.T, path string) {
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
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Without a path, analyze reads the host's logs: the text logs when there are any (without the
// journal, which holds the same messages), otherwise the journal; one line on stderr says which.
func TestAnalyzeWithoutPath(t *testing.T) {
	const journalDir = "var/log/journal/0123456789abcdef0123456789abcdef"
	const sshd = "Dec  1 11:20:01 web1 sshd[4242]: Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2\n"
	for _, tt := range []struct {
		name   string
		build  func(t *testing.T, root string)
		lang   string
		code   int
		lines  int64
		stderr string
	}{
		{
			name: "journal only",
			build: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "var/log/dpkg.log"), "")
				unpackJournal(t, filepath.Join(root, journalDir, "system.journal"))
			},
			code: exitClean, lines: 5,
			stderr: "no text syslog file in ROOT/var/log: analysing the systemd journal (1 files)",
		},
		{
			name: "journal only, in Japanese",
			build: func(t *testing.T, root string) {
				unpackJournal(t, filepath.Join(root, journalDir, "system@0005-0001.journal~"))
			},
			lang: "ja", code: exitClean, lines: 5,
			stderr: "systemd の journal (1 ファイル) を解析します",
		},
		{
			name: "text logs beside a journal",
			build: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "var/log/auth.log"), sshd+sshd)
				unpackJournal(t, filepath.Join(root, journalDir, "system.journal"))
			},
			code: exitClean, lines: 2,
			stderr: "analysing the text logs in ROOT/var/log (the systemd journal",
		},
		{
			name: "text logs, no journal",
			build: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, "var/log/messages"), sshd)
			},
			code: exitClean, lines: 1,
			stderr: "no path given: analysing the text logs in ROOT/var/log",
		},
		{
			name:   "no logs at all",
			build:  func(t *testing.T, root string) {},
			code:   exitError, // /var/log does not exist under this root: an input error
			stderr: "neither a text syslog file nor a systemd journal was found: analysing ROOT/var/log",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			tt.build(t, root)
			args := []string{"analyze", "--format", "json", "--tz", "UTC", "--year", "2024"}
			if tt.lang != "" {
				args = append(args, "--lang", tt.lang)
			}
			r := keikaiOn(t, root, args...)
			if r.code != tt.code {
				t.Fatalf("exit code %d, want %d\nstderr:\n%s", r.code, tt.code, r.stderr)
			}
			first, _, _ := strings.Cut(r.stderr, "\n")
			if want := strings.ReplaceAll(tt.stderr, "ROOT", root); !strings.Contains(first, want) {
				t.Errorf("first line of stderr %q does not say %q", first, want)
			}
			if tt.lines == 0 {
				return
			}
			var got struct {
				Summary struct{ Lines int64 } `json:"summary"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			if got.Summary.Lines != tt.lines {
				t.Errorf("%d lines analysed, want %d", got.Summary.Lines, tt.lines)
			}
		})
	}
}

// Input warnings follow --lang, variable parts included.
func TestWarningsFollowLang(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "long.log"), strings.Repeat("x", 2<<20)+"\n")
	for _, tt := range []struct {
		lang, want string
	}{
		{"en", "line 1 is 2097152 bytes; only the first 1048576 bytes were analysed"},
		{"ja", "警告: " + filepath.Join(dir, "long.log") + ":1: 1 行目が 2097152 バイトあります。先頭の 1048576 バイトだけを解析しました"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			r := keikai(t, "", "analyze", "--lang", tt.lang, dir, filepath.Join(dir, "missing.log"))
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, r.stderr)
			}
			if tt.lang == "ja" && !strings.Contains(r.stderr, "missing.log: 存在しません") {
				t.Errorf("the missing file is not reported in Japanese:\n%s", r.stderr)
			}
		})
	}
}
