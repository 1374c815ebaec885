package input

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/testenv"
)

func names(sources []*Source) []string {
	var ns []string
	for _, s := range sources {
		ns = append(ns, s.Name)
	}
	return ns
}

// warningSummary keeps what a test can pin down: file, whether Err is set, a telling part of Msg.
func warningSummary(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		s := w.File + " | " + w.Msg
		if w.Err != nil {
			s += " | err"
		}
		out = append(out, s)
	}
	return out
}

func TestPlan(t *testing.T) {
	root := t.TempDir()
	j := func(parts ...string) string { return filepath.Join(append([]string{root}, parts...)...) }
	symlink := func(target, link string) {
		t.Helper()
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("symlinks not available here: %v", err)
		}
	}
	// A tree whose on-disk creation order differs from name order.
	for _, p := range []string{"logs/z.log", "logs/a.log", "logs/m/2.log", "logs/m/10.log", "logs/B.log", "other/x.log"} {
		writeFile(t, j(p), []byte(p+"\n"))
	}
	writeFile(t, j("empty.log"), nil)
	symlink(j("logs"), j("logs", "m", "loop"))      // loop back up the tree
	symlink(j("other"), j("logs", "m", "zz-other")) // symlink to another directory: followed
	symlink(j("other", "x.log"), j("logs", "link.log"))
	symlink("missing-target", j("logs", "broken"))
	symlink("self", j("logs", "self")) // a symlink to itself
	if err := mkfifo(j("logs", "fifo")); err != nil {
		t.Skipf("mkfifo not available: %v", err)
	}
	if l, err := net.Listen("unix", j("logs", "sock")); err == nil {
		defer l.Close()
	}

	tests := []struct {
		name         string
		paths        []string
		wantSources  []string
		wantWarnings []string
	}{
		{
			name:  "nested directory in name order with links",
			paths: []string{j("logs")},
			wantSources: []string{
				j("logs", "B.log"), j("logs", "a.log"), j("logs", "link.log"), j("logs", "m", "10.log"),
				j("logs", "m", "2.log"), j("logs", "z.log"), // zz-other/x.log is link.log again
			},
			wantWarnings: []string{
				j("logs", "broken") + " | does not exist (removed or renamed?); skipped | err",
				j("logs", "fifo") + " | is a FIFO; skipped (inside a directory only regular files are read; name it explicitly to read it)",
				j("logs", "m", "loop") + " | directory already included as " + j("logs") + " (symlink loop or bind mount); skipped | err",
				j("logs", "m", "zz-other", "x.log") + " | same file as " + j("logs", "link.log") + "; skipped so that its lines are not counted twice",
				j("logs", "self") + " | cannot be read (too many levels of symbolic links); skipped | err",
				j("logs", "sock") + " | is a socket; skipped (inside a directory only regular files are read; name it explicitly to read it)",
			},
		},
		{
			name:        "paths keep the order given; stdin once; missing reported",
			paths:       []string{j("other", "x.log"), "-", j("nope.log"), j("empty.log"), "-", ""},
			wantSources: []string{j("other", "x.log"), stdinName, j("empty.log")},
			wantWarnings: []string{
				j("nope.log") + " | does not exist (removed or renamed?); skipped | err",
				stdinName + ` | "-" was given more than once; stdin is read once`,
				`"" | empty path; skipped`,
			},
		},
		{
			name:        "explicit FIFO is read, explicit socket is not",
			paths:       []string{j("logs", "fifo"), j("logs", "sock")},
			wantSources: []string{j("logs", "fifo")},
			wantWarnings: []string{
				j("logs", "sock") + " | is a socket; skipped (only files, directories, FIFOs and character devices are read)",
			},
		},
		{
			name:        "same directory twice",
			paths:       []string{j("other"), j("other") + "/"},
			wantSources: []string{j("other", "x.log")},
			wantWarnings: []string{
				j("other") + "/ | directory already included as " + j("other") + " (symlink loop or bind mount); skipped | err",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ws []Warning
			got := NewReader(Options{}).Plan(tt.paths, func(w Warning) { ws = append(ws, w) })
			if strings.Join(names(got), "\n") != strings.Join(tt.wantSources, "\n") {
				t.Errorf("sources:\n%s\nwant:\n%s", strings.Join(names(got), "\n"), strings.Join(tt.wantSources, "\n"))
			}
			gotW := warningSummary(ws)
			if strings.Join(gotW, "\n") != strings.Join(tt.wantWarnings, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(gotW, "\n"), strings.Join(tt.wantWarnings, "\n"))
			}
		})
	}
}

func TestPlanSourceFields(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "a.log"), []byte("12345\n"))
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	got := NewReader(Options{}).Plan([]string{path, "-"}, nil)
	if len(got) != 2 {
		t.Fatalf("got %d sources, want 2", len(got))
	}
	if f := got[0]; f.Size != 6 || !f.ModTime.Equal(fi.ModTime()) || f.Compressed {
		t.Errorf("file source %+v, want size 6 and the file's mtime", f)
	}
	if s := got[1]; s.Name != stdinName || s.Size != -1 || !s.ModTime.IsZero() {
		t.Errorf("stdin source %+v, want name %q, size -1, zero time", s, stdinName)
	}
}

func TestPlanUnreadable(t *testing.T) {
	testenv.NonRoot(t)
	root := t.TempDir()
	file := writeFile(t, filepath.Join(root, "secret.log"), []byte("x\n"))
	dir := filepath.Join(root, "closed")
	writeFile(t, filepath.Join(dir, "inside.log"), []byte("y\n"))
	for _, p := range []string{file, dir} {
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	var ws []Warning
	got := NewReader(Options{}).Plan([]string{root}, func(w Warning) { ws = append(ws, w) })
	if len(got) != 0 {
		t.Errorf("unreadable inputs planned: %v", names(got))
	}
	if len(ws) != 2 {
		t.Fatalf("warnings %v, want one for the file and one for the directory", warningSummary(ws))
	}
	for _, w := range ws {
		if !errors.Is(w.Err, fs.ErrPermission) || !strings.Contains(w.Msg, "permission denied") || !strings.Contains(w.Msg, "skipped") {
			t.Errorf("warning %+v, want permission denied with Err", w)
		}
	}
}

func TestRunUnreadable(t *testing.T) {
	testenv.NonRoot(t)
	path := writeFile(t, filepath.Join(t.TempDir(), "rotated.log"), []byte("x\n"))
	r := NewReader(Options{})
	sources := r.Plan([]string{path}, nil)
	if err := os.Chmod(path, 0); err != nil { // taken away between Plan and Run
		t.Fatal(err)
	}
	res := runAll(t, r, sources)
	if len(res.warnings) != 1 || !errors.Is(res.warnings[0].Err, fs.ErrPermission) || res.lasts[path] != 1 {
		t.Errorf("warnings %v, Last chunks %d; want one permission warning and one empty Last chunk", warningSummary(res.warnings), res.lasts[path])
	}
}
