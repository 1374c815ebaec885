package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

const reportHelp = `
Reads the reports that keikai serve stored.

  keikai report show ID|TRACKING      everything about one report: reporter, stated incident,
                                      parts, suggested category, findings, observables, warnings
  keikai report list                  reports received in a period, filtered
  keikai report reanalyse ID|TRACKING...|--all
                                      queue reports for analysis again (after a rule update);
                                      a running keikai serve picks them up
  keikai report activity --from DAY --to DAY
                                      the activity report of a period (counts per category,
                                      ports, ICMP types, CGI programs, causes)

Text output escapes every byte that came from outside (control characters never reach the
terminal); --format json gives the same as JSON.

Exit codes: 0 done, 1 no such report, 2 usage error or the database could not be used.`

func runReport(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(env.Stdout, "Usage: keikai report show|list|reanalyse|activity [flags] [arguments]\n\n%s\n\nRun 'keikai report SUBCOMMAND --help' for its flags.\n", strings.TrimSpace(reportHelp))
		if len(args) == 0 {
			return exitError
		}
		return exitClean
	}
	switch args[0] {
	case "show":
		return runReportShow(env, args[1:])
	case "list":
		return runReportList(env, args[1:])
	case "reanalyse", "reanalyze":
		return runReportReanalyse(env, args[1:])
	case "activity":
		return runReportActivity(env, args[1:])
	}
	return fail(env, "report", fmt.Errorf("%w: unknown subcommand %q; use show, list, reanalyse or activity", errUsage, args[0]))
}

// findReport reads a report by number or tracking number.
func findReport(ctx context.Context, st store.Reports, ref string) (*report.Report, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return st.Get(ctx, id)
	}
	return st.ByTracking(ctx, ref)
}

const showHelp = `
Prints everything keikai knows about one report, named by its number or tracking number: how and
when it arrived, the reporter (confidential: say so before passing anything on), the stated
incident, the analyst's decision (category, who, when) and the incident the report belongs to, the
parts analysed, the suggested category with its RSIT class, the findings, the observables and any
warnings.

Exit codes: 0 shown, 1 no such report, 2 usage error or the database could not be used.`

func runReportShow(env *Env, args []string) int {
	fs := newFlagSet(env, "report show", "ID|TRACKING [flags]", showHelp)
	db := dbFlag(fs)
	format := fs.String("format", "text", "output `format`: text or json")
	langFlag := fs.String("lang", "", "language of labels: ja or en (default: from LANG)")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "report show", err)
	}
	if len(rest) != 1 {
		return fail(env, "report show", fmt.Errorf("%w: name one report by its number or tracking number", errUsage))
	}
	if *format != "text" && *format != "json" {
		return fail(env, "report show", fmt.Errorf("%w: --format must be text or json", errUsage))
	}
	lang, err := langFrom(*langFlag, env.Getenv)
	if err != nil {
		return fail(env, "report show", err)
	}
	ctx := context.Background()
	st, err := openExistingStore(ctx, *db)
	if err != nil {
		return fail(env, "report show", err)
	}
	defer st.Close()
	rep, err := findReport(ctx, st, rest[0])
	if errors.Is(err, report.ErrNotFound) {
		fmt.Fprintf(env.Stderr, "keikai report show: no report %q (see keikai report list)\n", rest[0])
		return exitFindings
	}
	if err != nil {
		return fail(env, "report show", err)
	}
	row, err := st.TriageRow(ctx, rep.ID)
	if err != nil {
		return fail(env, "report show", err)
	}
	if *format == "json" {
		return writeJSONOut(env, "report show", reportJSONOf(rep, row))
	}
	stdout := bufio.NewWriterSize(env.Stdout, 64<<10)
	writeReportText(stdout, rep, row, lang)
	if err := stdout.Flush(); err != nil {
		return fail(env, "report show", err)
	}
	return exitClean
}

const listHelp = `
Lists stored reports, oldest first: tracking number, number, receipt time, state, suggested
category and channel. --from and --to are days (YYYY-MM-DD), both included, in UTC.

Exit codes: 0 listed (also when none matched), 2 usage error or the database could not be used.`

type listOptions struct {
	from, to, category, source, channel string
}

func (o *listOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.from, "from", "", "first `day` of the period (YYYY-MM-DD), included")
	fs.StringVar(&o.to, "to", "", "last `day` of the period (YYYY-MM-DD), included")
	fs.StringVar(&o.category, "category", "", "suggested `category`: "+strings.Join(taxonomy.CategoryKeys(), ", "))
	fs.StringVar(&o.source, "source", "", "an `IP` address or CIDR among the report's observables")
	fs.StringVar(&o.channel, "channel", "", "how the reports arrived: form, api, smtp or import")
}

// filter checks the options and turns them into a store filter.
func (o *listOptions) filter() (store.Filter, error) {
	var f store.Filter
	var err error
	if o.from != "" {
		if f.From, err = time.Parse(time.DateOnly, o.from); err != nil {
			return f, fmt.Errorf("%w: --from %q is not a day like 2000-04-01", errUsage, o.from)
		}
	}
	if o.to != "" {
		last, err := time.Parse(time.DateOnly, o.to)
		if err != nil {
			return f, fmt.Errorf("%w: --to %q is not a day like 2000-06-30", errUsage, o.to)
		}
		f.To = last.AddDate(0, 0, 1)
		if !f.From.IsZero() && !f.To.After(f.From) {
			return f, fmt.Errorf("%w: --to is before --from", errUsage)
		}
	}
	if o.category != "" {
		if _, ok := taxonomy.CategoryByKey(o.category); !ok {
			return f, fmt.Errorf("%w: --category must be one of %s", errUsage, strings.Join(taxonomy.CategoryKeys(), ", "))
		}
		f.Category = o.category
	}
	if o.source != "" {
		if _, err := netip.ParseAddr(o.source); err != nil {
			if _, err := netip.ParsePrefix(o.source); err != nil {
				return f, fmt.Errorf("%w: --source must be an IP address or a CIDR like 192.0.2.0/24", errUsage)
			}
		}
		f.Source = o.source
	}
	switch ch := report.Channel(o.channel); ch {
	case "", report.ChannelForm, report.ChannelAPI, report.ChannelSMTP, report.ChannelImport:
		f.Channel = ch
	default:
		return f, fmt.Errorf("%w: --channel must be form, api, smtp or import", errUsage)
	}
	return f, nil
}

// eachReport calls fn for every report f selects, page by page.
func eachReport(ctx context.Context, st store.Reports, f store.Filter, limit int, fn func(*report.Report) error) error {
	const page = 500
	seen := 0
	for {
		f.Limit = page
		reps, err := st.List(ctx, f)
		if err != nil {
			return err
		}
		for i := range reps {
			if limit > 0 && seen == limit {
				return nil
			}
			if err := fn(&reps[i]); err != nil {
				return err
			}
			seen++
		}
		if len(reps) < page {
			return nil
		}
		f.AfterID = reps[len(reps)-1].ID
	}
}

func runReportList(env *Env, args []string) int {
	fs := newFlagSet(env, "report list", "[flags]", listHelp)
	db := dbFlag(fs)
	var o listOptions
	o.register(fs)
	format := fs.String("format", "text", "output `format`: text or json")
	limit := fs.Int("limit", 0, "list at most `N` reports (0: all)")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "report list", err)
	}
	if len(rest) > 0 {
		return fail(env, "report list", fmt.Errorf("%w: report list takes no arguments; filter with --from, --to, --category, --source", errUsage))
	}
	if *format != "text" && *format != "json" {
		return fail(env, "report list", fmt.Errorf("%w: --format must be text or json", errUsage))
	}
	f, err := o.filter()
	if err != nil {
		return fail(env, "report list", err)
	}
	ctx := context.Background()
	st, err := openExistingStore(ctx, *db)
	if err != nil {
		return fail(env, "report list", err)
	}
	defer st.Close()
	stdout := bufio.NewWriterSize(env.Stdout, 64<<10)
	defer stdout.Flush()
	var rows []reportListJSON
	if *format == "text" {
		fmt.Fprintf(stdout, "%-16s %8s  %-20s  %-8s  %-11s  %s\n", "TRACKING", "ID", "RECEIVED", "STATE", "CATEGORY", "CHANNEL")
	}
	err = eachReport(ctx, st, f, *limit, func(r *report.Report) error {
		row := listRowOf(r)
		if *format == "json" {
			rows = append(rows, row)
			return nil
		}
		_, err := fmt.Fprintf(stdout, "%-16s %8d  %-20s  %-8s  %-11s  %s\n", row.Tracking, row.ID, row.ReceivedAt.Format(time.RFC3339), row.State, dash(row.Category), row.Channel)
		return err
	})
	if err != nil {
		return fail(env, "report list", err)
	}
	if *format == "json" {
		if rows == nil {
			rows = []reportListJSON{}
		}
		return writeJSONOut(env, "report list", rows)
	}
	if err := stdout.Flush(); err != nil {
		return fail(env, "report list", err)
	}
	return exitClean
}

const reanalyseHelp = `
Queues reports for analysis again, for example after the rules were updated: the reports named
by number or tracking number, or with --all every report (narrowed by --from, --to, --category,
--source, --channel). The analysis replaces the previous one; an analyst's decision is kept. A
running keikai serve picks the reports up; otherwise the next one started does.

Exit codes: 0 queued, 1 a named report does not exist, 2 usage error or the database could not
be used.`

func runReportReanalyse(env *Env, args []string) int {
	fs := newFlagSet(env, "report reanalyse", "ID|TRACKING...|--all [flags]", reanalyseHelp)
	db := dbFlag(fs)
	all := fs.Bool("all", false, "queue every report the filters select")
	var o listOptions
	o.register(fs)
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "report reanalyse", err)
	}
	if *all == (len(rest) > 0) {
		return fail(env, "report reanalyse", fmt.Errorf("%w: name reports by number or tracking number, or give --all (not both)", errUsage))
	}
	f, err := o.filter()
	if err != nil {
		return fail(env, "report reanalyse", err)
	}
	if !*all && f != (store.Filter{}) {
		return fail(env, "report reanalyse", fmt.Errorf("%w: the filters apply with --all only", errUsage))
	}
	ctx := context.Background()
	st, err := openExistingStore(ctx, *db)
	if err != nil {
		return fail(env, "report reanalyse", err)
	}
	defer st.Close()
	queued := 0
	if *all {
		err = eachReport(ctx, st, f, 0, func(r *report.Report) error {
			if err := st.Enqueue(ctx, r.ID); err != nil {
				return fmt.Errorf("queue report %d: %w", r.ID, err)
			}
			queued++
			return nil
		})
		if err != nil {
			return fail(env, "report reanalyse", err)
		}
	} else {
		for _, ref := range rest {
			rep, err := findReport(ctx, st, ref)
			if errors.Is(err, report.ErrNotFound) {
				fmt.Fprintf(env.Stderr, "keikai report reanalyse: no report %q; %d queued before it\n", ref, queued)
				return exitFindings
			}
			if err == nil {
				err = st.Enqueue(ctx, rep.ID)
			}
			if err != nil {
				return fail(env, "report reanalyse", fmt.Errorf("queue %s: %w", ref, err))
			}
			queued++
		}
	}
	fmt.Fprintf(env.Stderr, "keikai report reanalyse: %d report(s) queued for analysis; a running keikai serve analyses them\n", queued)
	return exitClean
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
