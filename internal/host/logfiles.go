package host

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/keikai-project/keikai/internal/reason"
)

// syslogConfigs are the syslog daemons' main configuration files; the statd advisory sends the
// reader to /etc/syslog.conf to find the logs.
var syslogConfigs = []string{"/etc/syslog.conf", "/etc/rsyslog.conf"}

const syslogNGConfig = "/etc/syslog-ng/syslog-ng.conf"

// syslogBases are the text logs syslog daemons write in /var/log.
var syslogBases = []string{"messages", "syslog", "secure", "auth.log", "maillog", "mail.log", "kern.log"}

// usualLogs are log files kept by convention even when no configuration names them: base names
// in a directory, rotated copies included.
var usualLogs = []struct {
	dir   string
	bases []string
}{
	{"/var/log", syslogBases},
	{"/var/adm", []string{"messages", "syslog"}}, // Solaris and other older systems
}

// webLogDirs hold web server logs, all of whose files are worth reading (names vary by build).
var webLogDirs = []string{
	"/var/log/httpd", "/var/log/apache2", "/var/log/apache", "/var/log/nginx",
	"/usr/local/apache/logs", "/usr/local/apache2/logs", // Apache built from source, as in 2002
}

const (
	maxSyslogConfigs    = 256
	maxSyslogConfigSize = 4 << 20
)

// rotatedSuffix matches what logrotate and newsyslog append: .1, .2.gz, -20240101, .old.
// Compiled on first use: package init is the start-up of every command.
var rotatedSuffix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([.-][0-9]+)*(\.old)?(\.gz)?$`) })

// LogFiles returns the log files to run through the log analyzer: those the syslog configuration
// under opts.Root names (syslog.conf, rsyslog.conf with its includes, syslog-ng.conf) and the usual
// ones, with their rotated and gzipped copies. The paths are host paths (with the root prefix),
// resolved inside the root so that none leads out of it, regular files only, deduplicated and
// sorted. What cannot be read is passed to problem (which may be nil).
func LogFiles(opts Options, problem func(Problem)) []string {
	if problem == nil {
		problem = func(Problem) {}
	}
	r, err := newRootFS(opts.Root)
	if err != nil {
		problem(Problem{Area: AreaLogs, Path: opts.Root, Err: err})
		return nil
	}
	lf := &logFinder{r: r, problem: problem, found: make(map[string]bool), readConfigs: make(map[string]bool),
		listings: make(map[string][]fs.DirEntry), named: make(map[string]bool)}
	for _, conf := range syslogConfigs {
		lf.readConfig(conf, false)
	}
	lf.readConfig(syslogNGConfig, true)
	for _, u := range usualLogs {
		for _, base := range u.bases {
			lf.addWithRotations(path.Join(u.dir, base))
		}
	}
	for _, dir := range webLogDirs {
		lf.addDir(dir)
	}
	out := make([]string, 0, len(lf.found))
	for p := range lf.found {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

type logFinder struct {
	r           rootFS
	problem     func(Problem)
	found       map[string]bool // host paths
	readConfigs map[string]bool // host paths of configuration files already read
	// listings caches each directory's sorted entries for the run, and named the log paths already
	// handled: a configuration may name the same log thousands of times in a directory of
	// thousands of files, and each must cost no more than once.
	listings map[string][]fs.DirEntry
	named    map[string]bool
}

func (lf *logFinder) report(target string, err error) {
	lf.problem(Problem{Area: AreaLogs, Path: target, Err: err})
}

// readConfig reads one configuration file and, recursively, what it includes.
func (lf *logFinder) readConfig(target string, syslogNG bool) {
	hp, err := lf.r.resolve(target, true)
	if err != nil {
		if !isAbsent(err) {
			lf.report(target, err)
		}
		return
	}
	if lf.readConfigs[hp] {
		return // included twice, or an include loop
	}
	if len(lf.readConfigs) >= maxSyslogConfigs {
		lf.report(target, reason.New(fmt.Sprintf("more than %d syslog configuration files; the rest were not read", maxSyslogConfigs),
			fmt.Sprintf("syslog の設定ファイルが %d を超えるため、残りは読んでいません", maxSyslogConfigs)))
		return
	}
	lf.readConfigs[hp] = true
	data, err := lf.r.readRegular(hp, maxSyslogConfigSize)
	if err != nil {
		if !isAbsent(err) {
			lf.report(target, reason.Wrap(err, "cannot read the syslog configuration, so the logs it names may be missed",
				"syslog の設定を読めないため、そこに記載されたログを見落としている可能性があります"))
		}
		return
	}
	if syslogNG {
		for _, f := range parseSyslogNGConf(data) {
			lf.addNamed(f, target)
		}
		return
	}
	conf := parseSyslogConf(data)
	for _, f := range conf.Files {
		lf.addNamed(f, target)
	}
	for _, inc := range conf.Includes {
		for _, f := range lf.expandInclude(inc) {
			lf.readConfig(f, false)
		}
	}
}

// expandInclude turns an include pattern into configuration files: a glob in the last component
// (/etc/rsyslog.d/*.conf), a directory (all its files, as $IncludeConfig does), or one file.
func (lf *logFinder) expandInclude(pattern string) []string {
	pattern = path.Clean("/" + pattern)
	dir, base := path.Split(pattern)
	if !strings.ContainsAny(base, "*?[") {
		hp, err := lf.r.resolve(pattern, true)
		if err != nil {
			return []string{pattern} // readConfig reports it, if need be
		}
		if fi, err := os.Lstat(hp); err != nil || !fi.IsDir() {
			return []string{pattern}
		}
		dir, base = pattern, "*"
	}
	var out []string
	for _, e := range lf.list(dir) {
		if ok, _ := path.Match(base, e.Name()); ok && lf.isRegular(path.Join(dir, e.Name()), e) {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	return out
}

// isRegular says whether a listed entry is, or links inside the root to, a regular file: a
// pattern such as /etc/* also matches directories, which are no configuration files.
func (lf *logFinder) isRegular(target string, e fs.DirEntry) bool {
	switch {
	case e.Type().IsRegular():
		return true
	case e.Type()&fs.ModeSymlink == 0:
		return false
	}
	hp, err := lf.r.resolve(target, true)
	if err != nil {
		return true // readConfig reports why it cannot be read
	}
	fi, err := os.Lstat(hp)
	return err != nil || fi.Mode().IsRegular()
}

// list returns the entries of a target directory sorted by name, or nil; each directory is listed
// once per run.
func (lf *logFinder) list(dir string) []fs.DirEntry {
	dir = path.Clean("/" + dir)
	if entries, ok := lf.listings[dir]; ok {
		return entries
	}
	entries := lf.readDir(dir)
	lf.listings[dir] = entries
	return entries
}

func (lf *logFinder) readDir(dir string) []fs.DirEntry {
	hp, err := lf.r.resolve(dir, true)
	if err != nil {
		if !isAbsent(err) {
			lf.report(dir, err)
		}
		return nil
	}
	f, err := lf.r.openDir(hp)
	if err != nil {
		if !isAbsent(err) {
			lf.report(dir, err)
		}
		return nil
	}
	defer f.Close()
	entries, err := f.ReadDir(maxDirEntries)
	if err != nil && len(entries) == 0 {
		return nil
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return entries
}

// addNamed adds a log file that a syslog configuration names. One that is absent, with no rotated
// copy either, is reported: the configuration says the host logs there, so a clean result must not
// pass for one that covered it. Devices (/dev/console) are no log files and are not reported.
func (lf *logFinder) addNamed(target, conf string) {
	if !lf.addWithRotations(target) && !strings.HasPrefix(path.Clean("/"+target), "/dev/") {
		lf.report(path.Clean("/"+target), reason.New(fmt.Sprintf("named in %s but not found (the logs may have moved, or the system logs elsewhere)", conf),
			fmt.Sprintf("%s に記載されていますが見つかりません (ログが移動したか、別の場所に記録しています)", conf)))
	}
}

// addWithRotations adds a log file and its rotated copies from the same directory, and reports
// whether any was there.
func (lf *logFinder) addWithRotations(target string) bool {
	target = path.Clean("/" + target)
	if lf.named[target] {
		return true // reported when it was first named
	}
	lf.named[target] = true
	dir, base := path.Split(target)
	seen := false
	entries := lf.list(dir)
	// The names starting with base are one run of the sorted listing.
	first := sort.Search(len(entries), func(i int) bool { return entries[i].Name() >= base })
	for _, e := range entries[first:] {
		rest, ok := strings.CutPrefix(e.Name(), base)
		if !ok {
			break
		}
		if rotatedSuffix().MatchString(rest) {
			lf.add(path.Join(dir, e.Name()))
			seen = true
		}
	}
	return seen
}

// addDir adds every plain or gzipped regular file of a directory.
func (lf *logFinder) addDir(dir string) {
	for _, e := range lf.list(dir) {
		switch path.Ext(e.Name()) {
		case ".bz2", ".xz", ".zst", ".lz4", ".Z", ".zip":
			continue // compressions the log analyzer does not read
		}
		lf.add(path.Join(dir, e.Name()))
	}
}

// add records a log file if it resolves, inside the root, to a regular file.
func (lf *logFinder) add(target string) {
	hp, err := lf.r.resolve(target, true)
	if err != nil {
		if !isAbsent(err) {
			lf.report(target, err)
		}
		return
	}
	fi, err := os.Lstat(hp)
	if err != nil || !fi.Mode().IsRegular() {
		return // a socket (/dev/log style) or a directory is no log file
	}
	lf.found[hp] = true
}
