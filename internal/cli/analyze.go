package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"

	"github.com/keikai-project/keikai/internal/analyze"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/host"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/output"
)

const analyzeHelp = `
Without a path it reads this host's logs: the text logs in /var/log when a syslog daemon writes
them (the systemd journal, which then holds the same messages, is left out), otherwise the systemd
journal (/var/log/journal, /run/log/journal). One line on standard error says which.

Reads log files, directories (recursively), gzip and bzip2 files and standard input ("-"),
recognises the format of every line (syslog, RFC 5424, iptables, ipchains, ipfw, Cisco ACL, pf,
Apache/nginx access and error logs, sendmail, postfix, sshd/ftpd/login failures), and runs the
detection rules over them: the bundled rules that implement keikai's advisories, plus any --rules
directories.

The text report groups repeated findings (one rule, one source) into one entry with a count and
the time range, most severe first. A rule tracks its first 4 x --top sources (at least 64)
exactly and only counts later ones: it lists the --top heaviest of those it tracks and folds the
rest into one line saying how many more findings and sources (then an estimate) there were; the
summary's ranking of sources covers them all. json, ndjson, sarif and csv carry every finding.
The filters (--min-level, --category, --rule, --exclude-rule, --since, --until) choose the
findings shown; the summary counts them all. Warnings about the input (unreadable files,
truncated gzip, over-long lines) go to standard error, one per problem, and the rest is still
analysed. Log text is always escaped: control characters never reach the terminal.

` + exitCodesHelp

type analyzeOptions struct {
	out         outputFlags
	filter      findingFilter
	summaryOnly bool
	rulesDirs   stringList
	year        int
	workers     int
	top         int
	bundles     bundleFlags
}

// analyzeReport is the summary as json, ndjson and sarif carry it: the analysis' counts, whether
// the result is complete, and how many findings the filters let through.
type analyzeReport struct {
	*analyze.Summary
	// Complete is true when every input was read to its end and at least one line was analysed.
	Complete bool  `json:"complete"`
	Shown    int64 `json:"shown"`
}

// analyzeMemoryLimit is the Go runtime's soft memory limit during keikai analyze unless GOMEMLIMIT
// says otherwise: with the bundled rules the live heap stays near 45 MB on any input, and the
// limit keeps peak RSS under 100 MB.
const analyzeMemoryLimit = 72 << 20

func runAnalyze(env *Env, args []string) int {
	var o analyzeOptions
	fs := newFlagSet(env, "analyze", "[flags] [PATH ...|-]", analyzeHelp)
	o.out.addFormat(fs)
	fs.BoolVar(&o.summaryOnly, "summary", false, "print only the summary (counts per category, ports, ICMP types, CGI paths, sources)")
	fs.Var(&o.rulesDirs, "rules", "also load rules from `DIR` (repeatable)")
	fs.IntVar(&o.year, "year", 0, "`year` in which the logs end, for syslog timestamps without one (default: each file's modification time)")
	o.out.addTZ(fs, "time `zone` of timestamps without an offset (e.g. Asia/Tokyo, UTC)")
	fs.IntVar(&o.workers, "workers", 0, "parsing goroutines (default: number of CPUs)")
	fs.IntVar(&o.top, "top", output.DefaultTop, "entries per ranking in the summary, and groups per rule in the text report")
	o.out.addLang(fs)
	o.bundles.register(fs)
	o.out.addTerminal(fs)
	o.filter.addSelection(fs)
	o.filter.addTimeRange(fs)
	paths, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "analyze", err)
	}
	settings, err := o.out.settings(env.Getenv)
	if err == nil {
		err = o.out.terminal(env, &settings)
	}
	if err == nil {
		err = o.filter.resolve(settings.loc)
	}
	if err != nil {
		return fail(env, "analyze", err)
	}
	if names, filtered := o.filter.active(); filtered && o.summaryOnly {
		return fail(env, "analyze", fmt.Errorf("%w: %s choose the findings to show, and --summary shows none; leave one out", errUsage, names))
	}
	if o.year != 0 && (o.year < 1970 || o.year > 9999) {
		return fail(env, "analyze", fmt.Errorf("%w: --year %d is not a plausible year", errUsage, o.year))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // before anything can block
	defer stop()
	if env.Getenv("GOMEMLIMIT") == "" {
		// What analysis keeps is bounded by its caps (chunk buffers, rankings, correlation groups
		// and values); the limit keeps the garbage the collector lets pile up between cycles
		// bounded too, so that peak memory does not depend on the input.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(analyzeMemoryLimit))
	}
	eng, _, err := o.bundles.load(env, o.rulesDirs, false)
	if err != nil {
		return fail(env, "analyze", err)
	}
	sink, err := newFindingSink(env, settings, &o.filter, o.summaryOnly, o.top)
	if err != nil {
		return fail(env, "analyze", err)
	}
	if len(paths) == 0 {
		paths = systemLogs(env, sink)
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
		Finding:  sink.finding,
		Warning:  sink.warn,
		Progress: sink.bar.add,
		Planned:  sink.bar.start,
	})
	if err != nil {
		sink.abort()
		return fail(env, "analyze", err)
	}
	output.EscapeRuleTexts(sum.Rules)
	if o.summaryOnly {
		sink.shown = sum.Findings
	}
	nothing := nothingAnalysed(sum)
	report := analyzeReport{Summary: sum, Complete: sum.InputErrors == 0 && nothing == "", Shown: sink.shown}
	text := sink.filteredLine(sum.Findings, output.AnalyzeSummary(sum, settings.lang))
	if err := sink.finish(report, text); err != nil {
		return fail(env, "analyze", err)
	}
	switch {
	case sink.shown > 0:
		if sum.InputErrors > 0 {
			sink.note("incomplete", sum.InputErrors)
		}
		return exitFindings
	case sum.InputErrors > 0:
		return exitError
	case nothing == "no-files":
		sink.note(nothing)
		return exitNothing
	case nothing == "empty":
		sink.note(nothing, sum.Files)
		return exitNothing
	case nothing == "unknown":
		sink.note(nothing, groupDigits(sum.Lines))
		return exitNothing
	}
	return exitClean
}

// systemLogs chooses what to analyse when no path was named (see host.FindSystemLogs) and says
// so in one line on standard error, so that the user knows what the result covers.
func systemLogs(env *Env, sink *findingSink) []string {
	logs := host.FindSystemLogs(cmp.Or(env.SystemRoot, "/"))
	dir := escape.String(logs.Dir)
	switch {
	case logs.Kind == host.TextLogs && logs.JournalLeftOut:
		sink.note("default-text-journal", dir, dir)
	case logs.Kind == host.TextLogs:
		sink.note("default-text", dir)
	case logs.Kind == host.JournalOnly:
		sink.note("default-journal", dir, len(logs.Paths))
	default:
		sink.note("default-none", dir)
	}
	return logs.Paths
}

// nothingAnalysed says why no line was analysed, as a message key, or "" when some were.
func nothingAnalysed(sum *analyze.Summary) string {
	switch {
	case sum.Files == 0:
		return "no-files"
	case sum.Lines == 0:
		return "empty"
	case sum.Events["unknown"] >= sum.Lines:
		return "unknown"
	}
	return ""
}
