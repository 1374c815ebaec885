package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/keikai-project/keikai/internal/analyze"
	"github.com/keikai-project/keikai/internal/check"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/output"
)

const checkHelp = `
Runs the advisories' detection methods on this host, or on a disk image or copy of a system
mounted at --root: the files they name (examined with lstat only: never opened, read or run, and
no symbolic link is followed out of the root), sockets from /proc/net, processes from /proc,
installed packages (dpkg, rpm, library files) with their versions, and the log files that
/etc/syslog.conf and /etc/rsyslog.conf name plus the usual ones, through the same rules as
'keikai analyze'. It never writes under the root and works as an ordinary user; whatever it could
not examine (a log the configuration names that is missing or unreadable, a directory it may not
list) is listed under NOT EXAMINED at the end, so that a clean result is not mistaken for a
complete one. Paths are shown as they are on the checked system (relative to --root).

` + exitCodesHelp

func runCheck(env *Env, args []string) int {
	var (
		root      string
		outFlags  outputFlags
		filter    findingFilter
		rulesDirs stringList
		year      int
		noLogs    bool
		bundles   bundleFlags
	)
	fs := newFlagSet(env, "check", "[flags]", checkHelp)
	fs.StringVar(&root, "root", "", "check the system mounted at `DIR` instead of this host")
	outFlags.addFormat(fs)
	fs.Var(&rulesDirs, "rules", "also load rules from `DIR` (repeatable)")
	fs.BoolVar(&noLogs, "no-logs", false, "do not analyse the host's log files")
	fs.IntVar(&year, "year", 0, "`year` in which the logs end (default: each file's modification time)")
	outFlags.addTZ(fs, "time `zone` of log timestamps without an offset")
	outFlags.addLang(fs)
	bundles.register(fs)
	outFlags.addTerminal(fs)
	filter.addSelection(fs)
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "check", err)
	}
	if len(rest) > 0 {
		return fail(env, "check", fmt.Errorf("%w: unexpected argument \"%s\" (use --root DIR to check a mounted system)", errUsage, rest[0]))
	}
	settings, err := outFlags.settings(env.Getenv)
	if err == nil {
		err = outFlags.terminal(env, &settings)
	}
	if err == nil {
		err = filter.resolve(settings.loc)
	}
	if err != nil {
		return fail(env, "check", err)
	}
	if root != "" {
		info, err := os.Stat(root)
		if err != nil {
			return fail(env, "check", fmt.Errorf("--root %s: %w", root, err))
		}
		if !info.IsDir() {
			return fail(env, "check", fmt.Errorf("--root %s: not a directory; give the directory where the system is mounted", root))
		}
		// Log files are opened relative to the root (openat2 RESOLVE_IN_ROOT), which needs one
		// absolute path for the root and for every path under it.
		if root, err = filepath.Abs(root); err != nil {
			return fail(env, "check", fmt.Errorf("--root: %w", err))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // before anything can block
	defer stop()
	eng, advs, err := bundles.load(env, rulesDirs, true)
	if err != nil {
		return fail(env, "check", err)
	}
	sink, err := newFindingSink(env, settings, &filter, false, output.DefaultTop)
	if err != nil {
		return fail(env, "check", err)
	}
	opts := check.Options{Root: root, Advisories: advs}
	if !noLogs {
		opts.Logs = func(ctx context.Context, paths []string, emit func(*finding.Finding) error, warn func(input.Warning)) (int64, error) {
			logSum, err := analyze.Run(ctx, eng, analyze.Options{Paths: paths, Findings: true, Location: settings.loc, Year: year,
				Input: input.Options{Root: cmp.Or(root, "/")}}, // log files are read inside the root, never outside
				analyze.Callbacks{Finding: emit, Warning: warn})
			if err != nil {
				return 0, err
			}
			return logSum.Lines, nil
		}
	}
	rel := rootRelative(root)
	sum, err := check.Run(ctx, eng, opts, check.Callbacks{
		Finding: func(fd *finding.Finding) error {
			fd.File = rel(fd.File)
			return sink.finding(fd)
		},
		Warning: func(w input.Warning) {
			w.File = rel(w.File)
			sink.warn(w)
		},
	})
	if err != nil {
		sink.abort()
		return fail(env, "check", err)
	}
	for i := range sum.LogFiles {
		sum.LogFiles[i] = rel(sum.LogFiles[i])
	}
	for i := range sum.NotExamined {
		sum.NotExamined[i].Path = rel(sum.NotExamined[i].Path)
	}
	text := sink.filteredLine(sum.Findings, output.CheckSummary(sum, settings.lang))
	if err := sink.finish(sum, text); err != nil {
		return fail(env, "check", err)
	}
	if sink.shown > 0 {
		return exitFindings
	}
	return exitClean
}

// rootRelative returns a function that shows a host path (with the --root prefix, in the raw or
// the escaped form the check reports) as the path on the checked system: /var/log/messages, not
// /mnt/image/var/log/messages. Without --root it changes nothing.
func rootRelative(root string) func(string) string {
	if root == "" {
		return func(p string) string { return p }
	}
	var prefixes []string
	for _, r := range []string{root, filepath.Clean(root)} {
		if abs, err := filepath.Abs(r); err == nil && abs != r {
			prefixes = append(prefixes, abs, escape.String(abs))
		}
		prefixes = append(prefixes, r, escape.String(r))
	}
	return func(p string) string {
		for _, pre := range prefixes {
			pre = strings.TrimSuffix(pre, "/")
			if rest, ok := strings.CutPrefix(p, pre); ok && (rest == "" || rest[0] == '/') {
				if rest == "" {
					return "/"
				}
				return rest
			}
		}
		return p
	}
}
