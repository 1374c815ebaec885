package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"time"
	_ "time/tzdata" // the default zone, Asia/Tokyo, loads on a machine without zoneinfo too

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/store"
)

const activityHelp = `
Prints the activity report of a period, as JPCERT/CC published it (JPCERT-PR-2000-0003): the
number of reports received, the count per category (sections I to VI and the rest), the most
reported TCP ports, UDP ports, ICMP types and CGI programs, the causes of intrusion (advisories
and rules), and the change against the previous period of the same length. The figures count
reports, not attacks; every format says so.

--from and --to are days (YYYY-MM-DD), both included, in the time zone --tz: a report counts in
the period when it was received between 00:00 on --from and 24:00 on --to there. The default zone
is Asia/Tokyo, since JPCERT/CC's periods are Japanese calendar days; give --tz Local for this
machine's zone, or UTC.

The previous period is as long as this one and ends where it starts: the same number of calendar
months when the period is whole months (2000-04-01 to 2000-06-30: the quarter before,
2000-01-01 to 2000-03-31), otherwise the same number of days.

Formats: text (the seed's layout, lines of at most 70 columns), html (a standalone page with
bar charts in SVG, no script), json (the statistics with every category key), csv (long format,
one count per record: period,from,to,section,rank,key,label_ja,label_en,count; --bom for Excel).

Exit codes: 0 printed, 2 usage error or the database could not be used.`

type activityOptions struct {
	from, to, tz, lang, format, issuer, id, issued string
	top                                            int
	noCompare, bom                                 bool
}

// runReportActivity is `keikai report activity`.
func runReportActivity(env *Env, args []string) int {
	const name = "report activity"
	var o activityOptions
	fset := newFlagSet(env, name, "--from DAY --to DAY [flags]", activityHelp)
	db := dbFlag(fset)
	fset.StringVar(&o.from, "from", "", "first `day` of the period (YYYY-MM-DD), included")
	fset.StringVar(&o.to, "to", "", "last `day` of the period (YYYY-MM-DD), included")
	fset.StringVar(&o.tz, "tz", "Asia/Tokyo", "time `zone` the days are in (e.g. Asia/Tokyo, UTC, Local)")
	fset.StringVar(&o.lang, "lang", "", "language: ja or en (default: from LANG)")
	fset.StringVar(&o.format, "format", "text", "output `format`: text, html, json or csv")
	fset.IntVar(&o.top, "top", 25, "entries per ranking (ports, ICMP types, CGI programs, causes)")
	fset.BoolVar(&o.noCompare, "no-compare", false, "leave out the previous period")
	fset.StringVar(&o.issuer, "issuer", "", "`organisation` named as the publisher, e.g. JPCERT/CC")
	fset.StringVar(&o.id, "id", "", "document `identifier` for the header, e.g. JPCERT-PR-2000-0003")
	fset.StringVar(&o.issued, "issued", "", "date of issue `YYYY-MM-DD` for the header (default: today)")
	fset.BoolVar(&o.bom, "bom", false, "csv: start with a UTF-8 byte-order mark, so that Excel reads the Japanese labels")
	rest, err := parseInterleaved(fset, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, name, err)
	}
	if len(rest) > 0 {
		return fail(env, name, fmt.Errorf("%w: report activity takes no arguments; give the period with --from and --to", errUsage))
	}
	req, err := o.request(env, time.Now())
	if err != nil {
		return fail(env, name, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := openExistingStore(ctx, *db)
	if err != nil {
		return fail(env, name, err)
	}
	defer st.Close()
	stats, err := activity.Compute(ctx, st, req.from, req.to, req.top, req.compare)
	if err != nil {
		return fail(env, name, err)
	}
	stdout := bufio.NewWriterSize(env.Stdout, 64<<10)
	if req.format == activity.FormatCSV {
		err = activity.WriteCSV(stdout, stats, activity.CSVOptions{BOM: o.bom})
	} else {
		err = activity.Write(stdout, stats, req.format, req.options)
	}
	if err == nil {
		err = stdout.Flush()
	}
	if err != nil {
		return fail(env, name, err)
	}
	return exitClean
}

// activityRequest is a checked activity report request.
type activityRequest struct {
	from, to time.Time // [from, to) in the reporting zone
	compare  bool
	top      int
	format   activity.Format
	options  activity.Options
}

func (o *activityOptions) request(env *Env, now time.Time) (activityRequest, error) {
	var r activityRequest
	if o.from == "" || o.to == "" {
		return r, fmt.Errorf("%w: give the period with --from and --to, e.g. --from 2000-04-01 --to 2000-06-30", errUsage)
	}
	loc, err := time.LoadLocation(o.tz)
	if err != nil {
		return r, fmt.Errorf("%w: --tz %q is not a time zone (e.g. Asia/Tokyo, UTC, Local)", errUsage, o.tz)
	}
	if r.from, r.to, err = activity.ParsePeriod(o.from, o.to, loc); err != nil {
		return r, fmt.Errorf("%w: --from and --to: %v", errUsage, err)
	}
	r.compare = !o.noCompare
	if o.top < 1 {
		return r, fmt.Errorf("%w: --top must be at least 1", errUsage)
	}
	r.top = o.top
	if r.format, err = activity.ParseFormat(o.format); err != nil {
		return r, fmt.Errorf("%w: --format: %v", errUsage, err)
	}
	if o.bom && r.format != activity.FormatCSV {
		return r, fmt.Errorf("%w: --bom applies to --format csv only", errUsage)
	}
	if r.options.Lang, err = langFrom(o.lang, env.Getenv); err != nil {
		return r, err
	}
	r.options.Issuer, r.options.ID = o.issuer, o.id
	r.options.Issued = now.In(loc)
	if o.issued != "" {
		if r.options.Issued, err = time.ParseInLocation(time.DateOnly, o.issued, loc); err != nil {
			return r, fmt.Errorf("%w: --issued %q is not a day like 2000-07-31", errUsage, o.issued)
		}
	}
	return r, nil
}

// openExistingStore opens --db for reading: a SQLite file that does not exist is an error here,
// since creating an empty database would only print a report of zeros.
func openExistingStore(ctx context.Context, dsn string) (store.Store, error) {
	if !isPostgres(dsn) {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: give the one keikai serve uses with --db, or start keikai serve to create it", dsn)
		}
	}
	return openStore(ctx, dsn)
}
