package host

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/keikai-project/keikai/internal/journal"
)

// SystemLogKind says where a system keeps its logs, as far as `keikai analyze` without a path
// is concerned.
type SystemLogKind int

const (
	// TextLogs: a syslog daemon writes text files in /var/log (messages, syslog, auth.log, ...).
	TextLogs SystemLogKind = iota
	// JournalOnly: no text syslog file, but systemd journal files in /var/log/journal or
	// /run/log/journal.
	JournalOnly
	// NoLogs: neither; /var/log is read anyway so that whatever is there is analysed and the
	// user is told what was found.
	NoLogs
)

// SystemLogs is what `keikai analyze` reads when it is given no path.
type SystemLogs struct {
	Kind SystemLogKind
	// Dir is root's var/log, where the text logs were looked for.
	Dir string
	// Paths are the files and directories to analyse: for TextLogs every entry of /var/log except
	// the journal, for JournalOnly the journal files, for NoLogs /var/log itself.
	Paths []string
	// JournalLeftOut is true for TextLogs when /var/log/journal exists and was left out.
	JournalLeftOut bool
}

// FindSystemLogs decides which logs of the system under root ("/" for this host) to analyse.
// When a syslog daemon writes text files, /var/log is read without /var/log/journal: on a host
// with both, rsyslog or syslog-ng writes what journald holds, and reading both would count every
// attack twice. On a host that logs only to the journal (the systemd default since Debian 12 and
// RHEL 9 without rsyslog), the journal files are read, the volatile /run/log/journal included.
func FindSystemLogs(root string) SystemLogs {
	dir := filepath.Join(root, "var", "log")
	entries, _ := os.ReadDir(dir) // unreadable: no text logs found; the journal is still tried
	text := false
	for _, e := range entries {
		if isSyslogFile(dir, e) {
			text = true
			break
		}
	}
	if text {
		logs := SystemLogs{Kind: TextLogs, Dir: dir}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			// Only what a directory walk would read: a FIFO named explicitly would be opened and
			// block the analysis.
			fi, err := os.Stat(path)
			if e.Name() == "journal" {
				logs.JournalLeftOut = true
				continue
			}
			if err != nil || !(fi.IsDir() || fi.Mode().IsRegular()) {
				continue
			}
			logs.Paths = append(logs.Paths, path)
		}
		return logs
	}
	if paths := journal.DefaultPaths(root); len(paths) > 0 {
		return SystemLogs{Kind: JournalOnly, Dir: dir, Paths: paths}
	}
	return SystemLogs{Kind: NoLogs, Dir: dir, Paths: []string{dir}}
}

// isSyslogFile reports whether a /var/log entry is a syslog daemon's text log or a rotated copy
// of one (messages.1, secure-20240101, auth.log.2.gz).
func isSyslogFile(dir string, e os.DirEntry) bool {
	name := e.Name()
	for _, base := range syslogBases {
		rest, ok := strings.CutPrefix(name, base)
		if !ok || !rotatedSuffix().MatchString(rest) {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, name))
		return err == nil && fi.Mode().IsRegular()
	}
	return false
}
