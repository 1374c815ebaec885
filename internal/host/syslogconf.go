package host

import (
	"regexp"
	"strings"
	"sync"
)

// syslogConf is what keikai needs from a syslog daemon's configuration: the files it writes and
// the configuration files it includes.
type syslogConf struct {
	Files    []string
	Includes []string // paths or glob patterns, as written
}

// Compiled on first use: package init is the start-up of every command.
var (
	// RainerScript objects: action(type="omfile" file="...") and include(file="..."). Parameter
	// names are case-insensitive in rsyslog.
	rainerObject = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)\b(action|include)\s*\(([^)]*)\)`) })
	rainerParam  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b([a-z.]+)\s*=\s*"([^"]*)"`) })
	// syslog-ng destinations: file("/var/log/messages" ...).
	syslogNGFile = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bfile\s*\(\s*"([^"]+)"`) })
)

// parseSyslogConf reads syslog.conf and rsyslog.conf syntax: selector lines whose action is a file
// ("*.info;mail.none /var/log/messages", "mail.* -/var/log/maillog", with an optional ";template"),
// $IncludeConfig, and RainerScript include() and action(type="omfile"). Remote hosts (@loghost),
// pipes (|/dev/xconsole), users, module actions (:omusrmsg:*) and devices under /dev are not files.
func parseSyslogConf(data []byte) syslogConf {
	var conf syslogConf
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "#") {
			lines[i] = "" // so that commented-out objects are not read below
		}
	}
	text := strings.Join(lines, "\n")
	for _, m := range rainerObject().FindAllStringSubmatch(text, -1) {
		params := make(map[string]string)
		for _, p := range rainerParam().FindAllStringSubmatch(m[2], -1) {
			params[strings.ToLower(p[1])] = p[2]
		}
		switch strings.ToLower(m[1]) {
		case "include":
			if f := params["file"]; f != "" {
				conf.Includes = append(conf.Includes, f)
			}
		case "action":
			if strings.EqualFold(params["type"], "omfile") {
				if f := params["file"]; isLogFilePath(f) {
					conf.Files = append(conf.Files, f)
				}
			}
		}
	}
	for _, line := range joinContinuations(lines) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if strings.HasPrefix(fields[0], "$") {
			if strings.EqualFold(fields[0], "$IncludeConfig") && len(fields) >= 2 {
				conf.Includes = append(conf.Includes, fields[1])
			}
			continue
		}
		// The first field is the selector; a file action is any later field that is a path.
		for _, f := range fields[1:] {
			if strings.HasPrefix(f, "#") {
				break
			}
			f = strings.TrimPrefix(f, "-") // "-" asks not to sync after each line
			if i := strings.IndexByte(f, ';'); i >= 0 {
				f = f[:i] // ";TemplateName"
			}
			f = strings.TrimRight(f, "}")
			if isLogFilePath(f) {
				conf.Files = append(conf.Files, f)
			}
		}
	}
	return conf
}

// joinContinuations joins lines ending in a backslash, which sysklogd allows.
func joinContinuations(lines []string) []string {
	var out []string
	var cur strings.Builder
	for _, l := range lines {
		if trimmed := strings.TrimRight(l, " \t\r"); strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(l)
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func isLogFilePath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "/dev/") && len(p) > 1 && !strings.ContainsAny(p, "\"'()")
}

// parseSyslogNGConf finds the files of syslog-ng destinations.
func parseSyslogNGConf(data []byte) []string {
	var files []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, m := range syslogNGFile().FindAllStringSubmatch(line, -1) {
			if isLogFilePath(m[1]) && !strings.Contains(m[1], "$") { // "$HOST" templates are not one file
				files = append(files, m[1])
			}
		}
	}
	return files
}
