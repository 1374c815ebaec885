package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"

	"github.com/keikai-project/keikai/internal/analyze"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/output"
)

const analyzeHelp = `
Reads log files, directories (recursively), gzip files and standard input ("-"), recognises the
format of every line (syslog, RFC 5424, iptables, ipchains, ipfw, Cisco ACL, pf, Apache/nginx
access and error logs, sendmail, postfix, sshd/ftpd/login failures), and runs the detection rules
over them: the bundled rules that implement keikai's advisories, plus any --rules directories.

Findings are written to standard output; warnings about the input (unreadable files, truncated
gzip, over-long lines) go to standard error, one per problem, and the rest is still analysed.
Log text is always escaped: control characters never reach the terminal.

Exit codes: 0 no finding, 1 findings, 2 usage error or an input that could not be read completely.`

type analyzeOptions struct {
	out         outputFlags
	summaryOnly bool
	rulesDirs   stringList
	year        int
	workers     int
	top         int
}

func runAnalyze(env *Env, args []string) int {
	var o analyzeOptions
	fs := newFlagSet(env, "analyze", "[flags] [PATH ...|-]", analyzeHelp)
	o.out.addFormat(fs)
	fs.BoolVar(&o.summaryOnly, "summary", false, "print only the summary (counts per category, ports, ICMP types, CGI paths, sources)")
	fs.Var(&o.rulesDirs, "rules", "also load rules from `DIR` (repeatable)")
	fs.IntVar(&o.year, "year", 0, "`year` in which the logs end, for syslog timestamps without one (default: each file's modification time)")
	o.out.addTZ(fs, "time `zone` of timestamps without an offset (e.g. Asia/Tokyo, UTC)")
	fs.IntVar(&o.workers, "workers", 0, "parsing goroutines (default: number of CPUs)")
	fs.IntVar(&o.top, "top", 20, "entries per ranking in the summary")
	o.out.addLang(fs)
	paths, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "analyze", err)
	}
	if len(paths) == 0 {
		return fail(env, "analyze", fmt.Errorf("%w: name the logs to analyse: files, directories, or - for standard input", errUsage))
	}
	settings, err := o.out.settings(env.Getenv)
	if err != nil {
		return fail(env, "analyze", err)
	}
	if o.year != 0 && (o.year < 1970 || o.year > 9999) {
		return fail(env, "analyze", fmt.Errorf("%w: --year %d is not a plausible year", errUsage, o.year))
	}
	lang := settings.lang
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // before anything can block
	defer stop()
	eng, err := loadEngine(o.rulesDirs, env)
	if err != nil {
		return fail(env, "analyze", err)
	}

	stdout, interactive := newStdout(env)
	defer stdout.Flush()
	out := output.New(settings.format, stdout, output.Options{
		Color:       env.IsTerminal(env.Stdout) && env.Getenv("NO_COLOR") == "",
		Lang:        lang,
		SummaryOnly: o.summaryOnly,
	})
	var stderrMu sync.Mutex
	bar := newProgress(env)
	warn := func(w input.Warning) {
		stderrMu.Lock()
		defer stderrMu.Unlock()
		bar.clear()
		fmt.Fprintf(env.Stderr, "keikai: warning: %s\n", escape.String(w.String()))
	}
	sum, err := analyze.Run(ctx, eng, analyze.Options{
		Paths:    paths,
		Year:     o.year,
		Location: settings.loc,
		Workers:  o.workers,
		Findings: !o.summaryOnly,
		Top:      o.top,
		Input:    input.Options{Stdin: env.Stdin},
	}, analyze.Callbacks{
		Finding: func(f *finding.Finding) error {
			if err := out.Finding(f); err != nil || !interactive {
				return err
			}
			return stdout.Flush()
		},
		Warning:  warn,
		Progress: bar.add,
		Planned:  bar.start,
	})
	bar.finish()
	if err != nil {
		return fail(env, "analyze", err)
	}
	if err := out.Finish(sum, output.AnalyzeSummary(sum, lang)); err != nil {
		return fail(env, "analyze", err)
	}
	if err := stdout.Flush(); err != nil {
		return fail(env, "analyze", err)
	}
	switch {
	case sum.InputErrors > 0:
		return exitError
	case sum.Findings > 0:
		return exitFindings
	}
	return exitClean
}
