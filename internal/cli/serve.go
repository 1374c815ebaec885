package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/web"
)

const serveHelp = `
Runs the report desk: the web form for reporters (GET /report), the reporters' secret status
pages, the partners' JSON API (POST /api/v1/reports with a token from 'keikai token add'), the
activity report (GET /activity), and the analysis workers.

Every report is stored byte-for-byte and committed durably before it is acknowledged with a
tracking number; analysis follows from a queue in the database, so a crash loses nothing. With
--db postgres://... any number of keikai serve processes share one database and its queue.

The server stops on SIGINT or SIGTERM: it stops accepting requests, finishes those in progress,
lets the workers finish the analyses they hold, and closes the database.

Exit codes: 0 stopped cleanly, 2 usage error or the server could not start or failed.`

type serveOptions struct {
	db            string
	listen        string
	workers       int
	rulesDirs     stringList
	logFormat     string
	drain         time.Duration
	lease         time.Duration
	formPerMinute float64
	formBurst     int
}

func runServe(env *Env, args []string) int {
	var o serveOptions
	fs := newFlagSet(env, "serve", "[flags]", serveHelp)
	db := dbFlag(fs)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "`address` to serve HTTP on (port 0 picks a free port)")
	fs.IntVar(&o.workers, "workers", 16, "reports analysed at once by this process (analyses wait for their commits, so more than the cores pays)")
	fs.Var(&o.rulesDirs, "rules", "also load rules from `DIR` (repeatable)")
	fs.StringVar(&o.logFormat, "log-format", "text", "request log `format`: text or json (written to standard error)")
	fs.DurationVar(&o.lease, "lease", time.Minute, "how long an analysis job stays with this process: after a crash, its jobs wait this long before any process takes them again")
	fs.DurationVar(&o.drain, "shutdown-timeout", 30*time.Second, "how long shutdown waits for requests and analyses in progress")
	fs.Float64Var(&o.formPerMinute, "form-per-minute", 1, "web form submissions allowed per client address and minute, on average")
	fs.IntVar(&o.formBurst, "form-burst", 5, "web form submissions a client address may send at once")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		return fail(env, "serve", err)
	}
	o.db = *db
	if len(rest) > 0 {
		return fail(env, "serve", fmt.Errorf("%w: serve takes no arguments (got %q)", errUsage, rest[0]))
	}
	if o.formPerMinute <= 0 || o.formBurst < 1 {
		return fail(env, "serve", fmt.Errorf("%w: --form-per-minute and --form-burst must be positive", errUsage))
	}
	if o.lease < 2*time.Second {
		return fail(env, "serve", fmt.Errorf("%w: --lease must be at least 2s", errUsage))
	}
	if o.workers < 1 || o.workers > 1024 {
		return fail(env, "serve", fmt.Errorf("%w: --workers must be between 1 and 1024", errUsage))
	}
	var handler slog.Handler
	switch o.logFormat {
	case "text":
		handler = slog.NewTextHandler(env.Stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(env.Stderr, nil)
	default:
		return fail(env, "serve", fmt.Errorf("%w: --log-format must be text or json", errUsage))
	}
	log := slog.New(handler)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, env, o, log); err != nil {
		return fail(env, "serve", err)
	}
	return exitClean
}

func serve(ctx context.Context, env *Env, o serveOptions, log *slog.Logger) error {
	eng, err := loadEngine(o.rulesDirs, env)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, o.db)
	if err != nil {
		return err
	}
	defer st.Close()

	host, _ := os.Hostname()
	limits := intake.DefaultLimits()
	svc, err := intake.New(intake.Config{
		Store:    st,
		Decoders: intake.WebDecoders(limits),
		Analyzer: intake.EngineAnalyzer(eng, rulesVersion(eng)),
		Limits:   limits,
		Workers:  o.workers,
		Lease:    o.lease,
		Name:     fmt.Sprintf("%s:%d", host, os.Getpid()),
		Logger:   log,
	})
	if err != nil {
		return err
	}
	h, err := web.New(web.Config{
		Intake:    svc,
		Store:     st,
		Activity:  activityPage(st),
		Health:    func(ctx context.Context) error { _, err := st.Pending(ctx); return err },
		Logger:    log,
		FormRate:  o.formPerMinute / 60,
		FormBurst: o.formBurst,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", o.listen, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if err := svc.Start(); err != nil {
		ln.Close()
		return err
	}
	fmt.Fprintf(env.Stderr, "keikai serve: listening on http://%s (database %s, %d workers)\n", ln.Addr(), redactDSN(o.db), o.workers)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "timeout", o.drain)
	case serveErr = <-served:
	}
	drainCtx, cancel := context.WithTimeout(context.Background(), o.drain)
	defer cancel()
	if err := srv.Shutdown(drainCtx); err != nil {
		log.Warn("requests in progress cut off at shutdown", "err", err)
	}
	if err := svc.Stop(drainCtx); err != nil {
		log.Warn("analyses in progress left to the queue", "err", err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	if serveErr != nil {
		return fmt.Errorf("HTTP server: %w", serveErr)
	}
	log.Info("stopped")
	return nil
}

// activityPage renders the activity report of a period, with the period before it for the
// change, from the store's aggregates.
func activityPage(st store.Store) web.ActivityPage {
	return func(ctx context.Context, w io.Writer, from, to time.Time, lang string) error {
		s, err := activity.Compute(ctx, st, from, to, 20, true)
		if err != nil {
			return err
		}
		return activity.WriteHTML(w, s, lang)
	}
}

// rulesVersion names the rule set in each analysis: keikai's version and a digest of the rules'
// identities, so that reports analysed by other rules can be found and analysed again.
func rulesVersion(eng *engine.Engine) string {
	version := "devel"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	var ids []string
	for _, r := range append(append([]*sigma.Rule{}, eng.Rules...), eng.Correlations...) {
		ids = append(ids, r.ID+"\x00"+r.Title+"\x00"+r.Modified)
	}
	sort.Strings(ids)
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("keikai %s, %d rules %s", version, len(ids), hex.EncodeToString(h.Sum(nil))[:12])
}
