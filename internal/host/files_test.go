package host

import (
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

func TestCollectFiles(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"tmp/.uubugtraq":      "begin 655 .bugtraq.c",
		"tmp/.bugtraq.c":      "/* source */",
		"tmp/.bugtraq":        "\x7fELF",
		"tmp/.font-unix/":     "",
		"tmp/.font-unix/.cin": "x",
		"tmp/hidden/.kit/":    "",
		"tmp/hidden/.kit/x":   "x", // depth 3: not listed with depth 2
		"var/tmp/":            "",
		"tmp/a":               "->b", // a loop, examined with lstat only
		"tmp/b":               "->a",
	})
	targets := Targets{
		Paths: []string{"/tmp/.uubugtraq", "/tmp/.bugtraq.c", "/tmp/.bugtraq", "/tmp/.cinik", "/tmp/a/inside"},
		Dirs:  []string{"/tmp", "/var/tmp", "/dev/shm", "/tmp/.font-unix"},
		Depth: 2,
	}
	c := collect(t, root, targets)

	tests := []struct {
		name, path, fileType string
		rawContains          string
	}{
		{"worm source archive", "/tmp/.uubugtraq", "file", "regular file, 20 bytes, mode 0644"},
		{"worm source", "/tmp/.bugtraq.c", "file", "/tmp/.bugtraq.c (regular file"},
		{"worm binary", "/tmp/.bugtraq", "file", "file /tmp/.bugtraq (regular file, 4 bytes"},
		{"listed dir itself", "/tmp/.font-unix", "dir", "directory"},
		{"entry of a listed dir", "/tmp/.font-unix/.cin", "file", "regular file"},
		{"second level", "/tmp/hidden/.kit", "dir", "directory"},
		{"symlink in a loop is just a symlink", "/tmp/a", "symlink", "symlink -> b, not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := c.find(event.FormatHostFile, "TargetFilename", tt.path)
			if !ok {
				t.Fatalf("no event for %s; events: %v", tt.path, c.ofFormat(event.FormatHostFile))
			}
			if m["FileType"] != tt.fileType {
				t.Errorf("FileType = %q, want %q", m["FileType"], tt.fileType)
			}
			if !strings.Contains(m["Raw"], tt.rawContains) {
				t.Errorf("Raw = %q, want it to contain %q", m["Raw"], tt.rawContains)
			}
		})
	}
	for _, absent := range []string{"/tmp/.cinik", "/tmp/hidden/.kit/x", "/dev/shm"} {
		if _, ok := c.find(event.FormatHostFile, "TargetFilename", absent); ok {
			t.Errorf("unexpected event for %s", absent)
		}
	}
	if !hasProblem(c.problemsIn(AreaFiles), errSymlinkLoop) {
		t.Errorf("a path through a link loop should be a Problem; problems: %v", c.problems)
	}
	// Each path is reported once although it is both a target path and a listed entry.
	count := 0
	for _, m := range c.ofFormat(event.FormatHostFile) {
		if m["TargetFilename"] == "/tmp/.bugtraq" {
			count++
		}
	}
	if count != 1 {
		t.Errorf("/tmp/.bugtraq reported %d times, want 1", count)
	}
}

// A symlink planted at a worm's path is reported as a symlink with its target and never followed:
// the live /etc/shadow must not show up as a regular file.
func TestCollectFilesSymlinkNotFollowed(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"tmp/.bugtraq": "->/etc/shadow",
		"tmp/update":   "->../../../../../../etc/passwd",
	})
	c := collect(t, root, Targets{Paths: []string{"/tmp/.bugtraq", "/tmp/update"}})
	for _, tt := range []struct{ path, link string }{
		{"/tmp/.bugtraq", "/etc/shadow"},
		{"/tmp/update", "../../../../../../etc/passwd"},
	} {
		m, ok := c.find(event.FormatHostFile, "TargetFilename", tt.path)
		if !ok {
			t.Fatalf("no event for %s", tt.path)
		}
		if m["FileType"] != "symlink" || m["LinkTarget"] != tt.link {
			t.Errorf("%s: FileType %q LinkTarget %q, want symlink %q", tt.path, m["FileType"], m["LinkTarget"], tt.link)
		}
		if strings.Contains(m["Raw"], "bytes") {
			t.Errorf("%s: Raw %q describes the link's target, which must not be examined", tt.path, m["Raw"])
		}
	}
}

// A clean system yields no event for any of the Slapper files.
func TestCollectCleanRoot(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"tmp/.X11-unix/":   "",
		"tmp/.ICE-unix/":   "",
		"tmp/systemd-priv": "x",
		"var/tmp/":         "",
	})
	c := collect(t, root, DefaultTargets())
	want := make(map[string]bool)
	for _, p := range DefaultTargets().Paths {
		want[p] = true
	}
	for _, m := range c.ofFormat(event.FormatHostFile) {
		if want[m["TargetFilename"]] {
			t.Errorf("clean root reported %s", m["TargetFilename"])
		}
	}
	if len(c.ofFormat(event.FormatHostFile)) == 0 {
		t.Error("the ordinary entries of /tmp should still be reported")
	}
}

func TestFormatMode(t *testing.T) {
	root := fakeRoot(t, map[string]string{"tmp/": ""})
	c := collect(t, root, Targets{Paths: []string{"/tmp"}})
	m, ok := c.find(event.FormatHostFile, "TargetFilename", "/tmp")
	if !ok || !strings.Contains(m["Raw"], "directory, mode 0755") {
		t.Errorf("Raw = %q, want a directory of mode 0755", m["Raw"])
	}
}
