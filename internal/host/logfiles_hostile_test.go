package host

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A syslog.conf of 180,000 lines naming logs in a var/log of 20,000 entries took about 30 minutes
// when each line listed and sorted the directory again; it must take seconds.
func TestLogFilesLargeConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 20,000 files")
	}
	root := t.TempDir()
	logDir := filepath.Join(root, "var/log")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 20_000 {
		if err := os.WriteFile(filepath.Join(logDir, fmt.Sprintf("a%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var conf strings.Builder
	for i := range 180_000 {
		if i%2 == 0 {
			conf.WriteString("*.* /var/log/messages\n") // the same log, over and over
		} else {
			fmt.Fprintf(&conf, "*.* /var/log/a%05d\n", (i/2)%20_000) // many distinct logs
		}
	}
	writeTree(t, root, "etc/syslog.conf", conf.String())
	start := time.Now()
	got := LogFiles(Options{Root: root}, nil)
	took := time.Since(start)
	t.Logf("%d log files in %s", len(got), took)
	if len(got) != 20_000 {
		t.Errorf("%d log files, want 20000", len(got))
	}
	if took > 20*time.Second {
		t.Errorf("took %s; it must be linear in the configuration", took)
	}
}

// include(file="/etc/*") matches directories too; they are no configuration files, so they are
// skipped rather than reported as not examined.
func TestLogFilesIncludeGlobSkipsDirectories(t *testing.T) {
	root := fakeRoot(t, map[string]string{
		"etc/rsyslog.conf":    "include(file=\"/etc/*\")\n",
		"etc/extra.conf":      "local1.* /var/log/extra.log\n",
		"etc/linked.conf":     "->extra.conf",
		"etc/rsyslog.d/":      "",
		"etc/ssh/":            "",
		"etc/dirlink":         "->ssh",
		"var/log/extra.log":   "x",
		"etc/ssh/sshd_config": "Port 22\n",
	})
	var problems []Problem
	got := LogFiles(Options{Root: root}, func(p Problem) { problems = append(problems, p) })
	if len(problems) != 0 {
		t.Errorf("problems = %v, want none (directories are skipped)", problems)
	}
	if len(got) != 1 || !strings.HasSuffix(got[0], "/var/log/extra.log") {
		t.Errorf("LogFiles = %q, want var/log/extra.log", got)
	}
}
