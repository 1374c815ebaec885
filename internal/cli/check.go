package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

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
not examine is listed at the end, so that a clean result is not mistaken for a complete one.

Exit codes: 0 no finding, 1 findings, 2 usage error or the root could not be examined.`

func runCheck(env *Env, args []string) int {
	var (
		root      string
		outFlags  outputFlags
		rulesDirs stringList
		year      int
		noLogs    bool
	)
	fs := newFlagSet(env, "check", "[flags]", checkHelp)
	fs.StringVar(&root, "root", "", "check the system mounted at `DIR` instead of this host")
	outFlags.addFormat(fs)
	fs.Var(&rulesDirs, "rules", "also load rules from `DIR` (repeatable)")
	fs.BoolVar(&noLogs, "no-logs", false, "do not analyse the host's log files")
	fs.IntVar(&year, "year", 0, "`year` in which the logs end (default: each file's modification time)")
	outFlags.addTZ(fs, "time `zone` of log timestamps without an offset")
	outFlags.addLang(fs)
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "check", err)
	}
	if len(rest) > 0 {
		return fail(env, "check", fmt.Errorf("%w: unexpected argument %q (use --root DIR to check a mounted system)", errUsage, rest[0]))
	}
	settings, err := outFlags.settings(env.Getenv)
	if err != nil {
		return fail(env, "check", err)
	}
	lang := settings.lang
	if root != "" {
		info, err := os.Stat(root)
		if err != nil {
			return fail(env, "check", fmt.Errorf("--root %s: %w", root, err))
		}
		if !info.IsDir() {
			return fail(env, "check", fmt.Errorf("--root %s: not a directory; give the directory where the system is mounted", root))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // before anything can block
	defer stop()
	eng, err := loadEngine(rulesDirs, env)
	if err != nil {
		return fail(env, "check", err)
	}
	stdout, interactive := newStdout(env)
	defer stdout.Flush()
	out := output.New(settings.format, stdout, output.Options{
		Color: env.IsTerminal(env.Stdout) && env.Getenv("NO_COLOR") == "",
		Lang:  lang,
	})
	opts := check.Options{Root: root}
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
	sum, err := check.Run(ctx, eng, opts, check.Callbacks{
		Finding: func(fd *finding.Finding) error {
			if err := out.Finding(fd); err != nil || !interactive {
				return err
			}
			return stdout.Flush()
		},
		Warning: func(w input.Warning) {
			fmt.Fprintf(env.Stderr, "keikai: warning: %s\n", escape.String(w.String()))
		},
	})
	if err != nil {
		return fail(env, "check", err)
	}
	if err := out.Finish(sum, output.CheckSummary(sum, lang)); err != nil {
		return fail(env, "check", err)
	}
	if err := stdout.Flush(); err != nil {
		return fail(env, "check", err)
	}
	if sum.Findings > 0 {
		return exitFindings
	}
	return exitClean
}
