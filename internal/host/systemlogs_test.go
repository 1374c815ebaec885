package host

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFindSystemLogs(t *testing.T) {
	const machine = "var/log/journal/0123456789abcdef0123456789abcdef/"
	for _, tt := range []struct {
		name  string
		files []string // created under the root; a trailing / makes a directory
		kind  SystemLogKind
		paths []string // relative to the root
		// journal: the journal was left out
		journal bool
	}{
		{
			name:    "text syslog beside a journal: the journal is left out",
			files:   []string{"var/log/syslog", "var/log/dpkg.log", "var/log/apache2/", machine + "system.journal"},
			kind:    TextLogs,
			paths:   []string{"var/log/apache2", "var/log/dpkg.log", "var/log/syslog"},
			journal: true,
		},
		{
			name:  "only a rotated copy",
			files: []string{"var/log/messages-20240101.gz", "var/log/wtmp"},
			kind:  TextLogs,
			paths: []string{"var/log/messages-20240101.gz", "var/log/wtmp"},
		},
		{
			name:  "journal only",
			files: []string{"var/log/dpkg.log", "var/log/syslogd.conf.bak", machine + "system.journal", machine + "user-1000@x.journal~", "run/log/journal/abc/system.journal"},
			kind:  JournalOnly,
			paths: []string{"run/log/journal/abc/system.journal", machine + "system.journal", machine + "user-1000@x.journal~"},
		},
		{
			name:  "a directory named like a log is not a log",
			files: []string{"var/log/messages/", machine},
			kind:  NoLogs,
			paths: []string{"var/log"},
		},
		{
			name:  "nothing at all",
			kind:  NoLogs,
			paths: []string{"var/log"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(root, f)
				if f[len(f)-1] == '/' {
					if err := os.MkdirAll(p, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := FindSystemLogs(root)
			if got.Kind != tt.kind {
				t.Errorf("kind %d, want %d", got.Kind, tt.kind)
			}
			if got.JournalLeftOut != tt.journal {
				t.Errorf("journal left out: %v, want %v", got.JournalLeftOut, tt.journal)
			}
			if got.Dir != filepath.Join(root, "var/log") {
				t.Errorf("dir %s", got.Dir)
			}
			var want []string
			for _, p := range tt.paths {
				want = append(want, filepath.Join(root, p))
			}
			if !slices.Equal(got.Paths, want) {
				t.Errorf("paths\n%q\nwant\n%q", got.Paths, want)
			}
		})
	}
}
