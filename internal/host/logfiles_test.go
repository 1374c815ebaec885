package host

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/testenv"
)

func TestLogFiles(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"etc/syslog.conf": "*.info;mail.none /var/log/messages\nauthpriv.* /var/log/secure\nmail.* -/var/log/maillog\n" +
			"*.err @loghost\ndaemon.* |/dev/xconsole\n*.emerg :omusrmsg:*\nlocal0.* /var/log/missing.log\n",
		"etc/rsyslog.conf":            "$IncludeConfig /etc/rsyslog.d/*.conf\ninclude(file=\"/etc/rsyslog.conf\")\n", // includes itself: read once
		"etc/rsyslog.d/50-app.conf":   "local3.* /var/log/app/app.log\n",
		"etc/rsyslog.d/README":        "local4.* /var/log/not-a-conf.log\n",
		"var/log/messages":            "x",
		"var/log/messages.1":          "x",
		"var/log/messages.2.gz":       "x",
		"var/log/messages-20240101":   "x",
		"var/log/messages.bak.txt":    "x", // not a rotation
		"var/log/secure":              "x",
		"var/log/maillog":             "x",
		"var/log/auth.log":            "x",
		"var/log/not-a-conf.log":      "x",
		"var/log/app/app.log":         "x",
		"var/log/httpd/access_log":    "x",
		"var/log/httpd/ssl_error_log": "x",
		"var/log/httpd/old.bz2":       "x",
		"var/log/nginx/":              "",
		"var/adm/messages":            "x",
		"var/log/kern.log":            "->/etc/shadow", // re-rooted: ROOT/etc/shadow does not exist
		"var/log/syslog":              "->../../../../../../../../etc/passwd",
		"etc/passwd":                  "root:x:0:0::/root:/bin/sh",
	})
	var problems []Problem
	got := LogFiles(Options{Root: root}, func(p Problem) { problems = append(problems, p) })
	var rel []string
	for _, p := range got {
		if !strings.HasPrefix(p, root+"/") {
			t.Errorf("%q is outside the root", p)
			continue
		}
		rel = append(rel, strings.TrimPrefix(p, root+"/"))
	}
	want := []string{
		"etc/passwd", // var/log/syslog links there, inside the root
		"var/adm/messages",
		"var/log/app/app.log",
		"var/log/auth.log",
		"var/log/httpd/access_log",
		"var/log/httpd/ssl_error_log",
		"var/log/maillog",
		"var/log/messages",
		"var/log/messages-20240101",
		"var/log/messages.1",
		"var/log/messages.2.gz",
		"var/log/secure",
	}
	if !slices.Equal(rel, want) {
		t.Errorf("LogFiles =\n%q\nwant\n%q", rel, want)
	}
	// The configuration names /var/log/missing.log: a log the host should have and does not is
	// something not examined, never silence.
	if len(problems) != 1 || problems[0].Path != "/var/log/missing.log" || !strings.Contains(problems[0].Err.Error(), "/etc/syslog.conf") {
		t.Errorf("problems = %v, want one for /var/log/missing.log named in /etc/syslog.conf", problems)
	}
}

// A log directory that is a symlink to an absolute path resolves inside the root, never to the
// live system's directory of the same name.
func TestLogFilesDirectorySymlinkOutOfRoot(t *testing.T) {
	tests := []struct {
		name         string
		tree         map[string]string
		want         []string
		wantProblems bool
	}{
		{
			name: "var/log to /srv/log",
			tree: map[string]string{"var/log": "->/srv/log", "srv/log/messages": "x"},
			want: []string{"srv/log/messages"},
		},
		{
			// ROOT/var/log -> /var/log is ROOT/var/log again: a loop, never the live /var/log.
			name:         "var/log to /var/log",
			tree:         map[string]string{"var/log": "->/var/log", "etc/syslog.conf": "*.* /var/log/messages\n"},
			wantProblems: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeRoot(t, tt.tree)
			var problems []Problem
			got := LogFiles(Options{Root: root}, func(p Problem) { problems = append(problems, p) })
			var rel []string
			for _, p := range got {
				if !strings.HasPrefix(p, root+"/") {
					t.Fatalf("%q is outside the root", p)
				}
				rel = append(rel, strings.TrimPrefix(p, root+"/"))
			}
			if !slices.Equal(rel, tt.want) {
				t.Errorf("LogFiles = %q, want %q", rel, tt.want)
			}
			if tt.wantProblems != (len(problems) > 0) || (tt.wantProblems && !hasProblem(problems, errSymlinkLoop)) {
				t.Errorf("problems = %v, want problems: %v (a link loop)", problems, tt.wantProblems)
			}
		})
	}
}

func TestLogFilesUnreadableConfig(t *testing.T) {
	testenv.NonRoot(t)
	root := fakeRoot(t, map[string]string{"etc/syslog.conf": "*.* /var/log/messages\n"})
	if err := os.Chmod(filepath.Join(root, "etc/syslog.conf"), 0); err != nil {
		t.Fatal(err)
	}
	var problems []Problem
	LogFiles(Options{Root: root}, func(p Problem) { problems = append(problems, p) })
	if len(problems) != 1 || problems[0].Area != AreaLogs || problems[0].Path != "/etc/syslog.conf" {
		t.Errorf("problems = %v, want one about /etc/syslog.conf", problems)
	}
}

func TestLogFilesBadRoot(t *testing.T) {
	var problems []Problem
	got := LogFiles(Options{Root: filepath.Join(t.TempDir(), "missing")}, func(p Problem) { problems = append(problems, p) })
	if got != nil || len(problems) != 1 {
		t.Errorf("LogFiles = %q, problems %v; want nothing and one problem", got, problems)
	}
}
