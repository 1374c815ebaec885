package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/keikai-project/keikai/internal/demo"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
)

const demoHelp = `
Fills a fresh database with a generated quarter of incident reports, as a coordination centre
received them from 2000-04-01 to 2000-06-30 (Japan time): 718 reports in the proportions of
seed JPCERT-PR-2000-0003 (610 probes, 27 mail relay, 30 forged mail, 32 intrusions, 8 DoS,
4 worms, 7 others), as Japanese and English mail in the charsets of the time and as partner API
submissions, each with its original receipt time. They go through intake like any report:
stored as received, then analysed from their content by the rules (no report says its
category). demo waits until every report is analysed; keikai serve --demo does the same while
serving.

A database that already holds reports is refused: the demo would mix with real reports.

Then: keikai report activity --from 2000-04-01 --to 2000-06-30 --db FILE, or keikai serve and
open /activity?from=2000-04-01&to=2000-06-30.

Exit codes: 0 filled and analysed, 2 usage error, a database that is not fresh, or a database
error.`

// demoSeed is the demo quarter's default seed: its classification is checked against the counts
// it was built with (internal/assess and the end-to-end test of keikai demo).
const demoSeed = 2000

// demoStart is the first day of seed 002's quarter, in Japan.
var demoStart = time.Date(2000, time.April, 1, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))

func runDemo(env *Env, args []string) int {
	fs := newFlagSet(env, "demo", "[flags]", demoHelp)
	db := dbFlag(fs)
	seed := fs.Int64("seed", demoSeed, "the quarter's random `seed`")
	workers := fs.Int("workers", 16, "reports analysed at once")
	tz := fs.String("tz", "Asia/Tokyo", "the centre's time `zone`, for reports' clock times without a zone")
	var rulesDirs stringList
	fs.Var(&rulesDirs, "rules", "also load rules from `DIR` (repeatable)")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "demo", err)
	}
	if len(rest) > 0 || *workers < 1 {
		return fail(env, "demo", fmt.Errorf("%w: demo takes no arguments and at least one worker", errUsage))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := fillAndAnalyse(ctx, env, *db, *seed, *workers, *tz, rulesDirs); err != nil {
		return fail(env, "demo", err)
	}
	return exitClean
}

func fillAndAnalyse(ctx context.Context, env *Env, dsn string, seed int64, workers int, tz string, rulesDirs []string) error {
	zone, err := loadZone(tz)
	if err != nil {
		return err
	}
	eng, err := loadEngine(rulesDirs, env, false)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := newIntake(st, eng, zone, workers, time.Minute, slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	start := time.Now()
	if err := fillDemo(ctx, env, st, svc, seed); err != nil {
		return err
	}
	if err := analyseQueue(ctx, st, svc); err != nil {
		return err
	}
	if lang, _ := langFrom("", env.Getenv); lang == "ja" {
		fmt.Fprintf(env.Stderr, "keikai demo: %d 件の報告を保存し、分析しました (%.1f 秒)\n", demo.SeedTotal, time.Since(start).Seconds())
	} else {
		fmt.Fprintf(env.Stderr, "keikai demo: %d reports stored and analysed in %.1f s\n", demo.SeedTotal, time.Since(start).Seconds())
	}
	return nil
}

// fillDemo submits the demo quarter through sub, refusing a database that holds reports already.
func fillDemo(ctx context.Context, env *Env, st store.Reports, sub report.Submitter, seed int64) error {
	existing, err := st.List(ctx, store.Filter{Limit: 1})
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return errors.New("the database already holds reports, and the demo fills only a fresh one (it would mix with them): run keikai serve without --demo to serve what it holds, or give a new file, e.g. --db demo.db")
	}
	start := time.Now()
	reports := demo.Quarter(seed, demoStart, demo.SeedTotal, nil)
	// Submitted concurrently, so that the store's group commit shares fsyncs among them.
	jobs := make(chan *report.Submission)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for s := range jobs {
				if _, err := sub.Submit(ctx, s); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range reports {
		if ctx.Err() != nil {
			break
		}
		jobs <- &reports[i].Submission
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return fmt.Errorf("store the demo reports: %w", err)
	default:
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if lang, _ := langFrom("", env.Getenv); lang == "ja" {
		fmt.Fprintf(env.Stderr, "keikai demo: 2000-04-01 から 2000-06-30 に受け付けた %d 件の報告を保存しました (%.1f 秒、seed %d)\n", len(reports), time.Since(start).Seconds(), seed)
	} else {
		fmt.Fprintf(env.Stderr, "keikai demo: %d reports received 2000-04-01 to 2000-06-30 stored in %.1f s (seed %d)\n", len(reports), time.Since(start).Seconds(), seed)
	}
	return nil
}

// queueRunner is what analyseQueue needs of the intake service.
type queueRunner interface {
	Start() error
	Stop(ctx context.Context) error
}

// analyseQueue runs the analysis workers until the queue is empty.
func analyseQueue(ctx context.Context, q store.Queue, svc queueRunner) error {
	if err := svc.Start(); err != nil {
		return err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var err error
	for {
		var n int64
		if n, err = q.Pending(ctx); err != nil || n == 0 {
			break
		}
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-tick.C:
			continue
		}
		break
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if stopErr := svc.Stop(stopCtx); err == nil {
		err = stopErr
	}
	return err
}
