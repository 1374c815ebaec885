package cli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/csaf"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/publish"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/smtpd"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/web"
)

const serveHelp = `
Runs the report desk: the web form for reporters (GET /report), the reporters' secret status
pages, the partners' JSON API (POST /api/v1/reports with a token from 'keikai token add'), the
activity report (GET /activity?from=2000-04-01&to=2000-06-30, days in --tz), the published
advisories (/index.html, /advisories/, /bundles/, the feeds, /.well-known/security.txt and the
CSAF provider under /.well-known/csaf/), the staff pages (/staff/login), the SMTP intake with
--smtp, and the analysis workers.

On a database without any staff account, keikai serve creates the administrator "admin" and
prints its one-time password once on standard error; the first login must replace it. Add more
accounts with 'keikai user add'.

Every report is stored byte-for-byte and committed durably before it is acknowledged with a
tracking number; analysis follows from a queue in the database, so a crash loses nothing. With
--db postgres://... any number of keikai serve processes share one database and its queue.

With --relay and --intake-address, mail reports are acknowledged through the relay, in the
reporter's language, with the tracking number and the secret status link (under --base-url).
The same relay sends the analysts' redacted forwards to sites (/staff/reports/TRACKING/forward),
from --mail-from (default --intake-address), PGP/MIME-signed with --key when --sign-mail is given;
--relay-starttls and --relay-user (password from --relay-password-file or $KEIKAI_RELAY_PASSWORD)
reach a submission server. Mail that answers keikai's (In-Reply-To, References, or an existing
tracking number in the subject) joins the thread of its report instead of becoming a new one.
The advisories are published at start, signed with --key; without it, with a throwaway key made
at start (fine for trying keikai out, useless for verification: give the team's key).

With --tls-cert and --tls-key (PEM files: the certificate chain, server certificate first, and its
private key) keikai serve speaks HTTPS on --listen, and --base-url defaults to https://LISTEN. A
CSAF trusted provider must be reached over HTTPS; behind a reverse proxy that terminates TLS, give
--base-url https://... instead.

--demo fills a fresh database with a generated quarter (2000-04-01 to 2000-06-30) of 718 reports
in the mail of the time, as seed JPCERT-PR-2000-0003 counts them, and analyses them; open
/activity?from=2000-04-01&to=2000-06-30 to see the activity report. A database that already
holds reports is refused.

The server stops on SIGINT or SIGTERM: it stops accepting requests and mail, finishes those in
progress, lets the workers finish the analyses they hold, and closes the database.

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
	tz            string
	smtp          string
	relay         string
	relayStartTLS bool
	relayUser     string
	relayPassFile string
	mailFrom      string
	signMail      bool
	intakeAddress string
	baseURL       string
	csrfKeyFile   string
	keyFile       string
	passFile      string
	tlsCert       string
	tlsKey        string
	demo          bool
	demoSeed      int64
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
	fs.DurationVar(&o.drain, "shutdown-timeout", 30*time.Second, "how long shutdown waits for requests, mail and analyses in progress")
	fs.Float64Var(&o.formPerMinute, "form-per-minute", 1, "web form submissions allowed per client address and minute, on average")
	fs.IntVar(&o.formBurst, "form-burst", 5, "web form submissions a client address may send at once")
	fs.StringVar(&o.tz, "tz", "Asia/Tokyo", "the centre's time `zone`: reports' clock times without a zone, and the days of /activity")
	fs.StringVar(&o.smtp, "smtp", "", "also take reports by mail on `address` (e.g. 127.0.0.1:2525)")
	fs.StringVar(&o.relay, "relay", "", "acknowledge mail reports through the SMTP relay at `host:port` (needs --intake-address)")
	fs.BoolVar(&o.relayStartTLS, "relay-starttls", false, "demand STARTTLS from --relay before anything is sent (its certificate is verified)")
	fs.StringVar(&o.relayUser, "relay-user", "", "authenticate to --relay as `USER` (AUTH PLAIN; needs --relay-starttls unless the relay is on the loopback)")
	fs.StringVar(&o.relayPassFile, "relay-password-file", "", "read the --relay-user password from `FILE` (default: $"+relayPasswordEnv+")")
	fs.StringVar(&o.mailFrom, "mail-from", "", "the `address` forwards to sites come from, and where their replies go (default: --intake-address)")
	fs.BoolVar(&o.signMail, "sign-mail", false, "sign forwards to sites with --key as PGP/MIME (RFC 3156)")
	fs.StringVar(&o.intakeAddress, "intake-address", "", "the intake's mail `address`: From: of acknowledgements, the recipient --smtp accepts, security.txt's Contact")
	fs.StringVar(&o.baseURL, "base-url", "", "the `URL` reporters reach this server at, for status links and the published advisories (default http://LISTEN, or https://LISTEN with --tls-cert)")
	fs.StringVar(&o.csrfKeyFile, "csrf-key-file", "", "the web form's CSRF key (`FILE`, created with a random key if missing; default: beside a SQLite database, random per start with PostgreSQL)")
	fs.StringVar(&o.keyFile, "key", "", "sign the published advisories with the private key in `FILE` (default: a throwaway key)")
	fs.StringVar(&o.passFile, "passphrase-file", "", "read the key's passphrase from `FILE` (default: $"+passphraseEnv+")")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with the PEM certificate chain in `FILE` (needs --tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "the PEM private key of --tls-cert, in `FILE`")
	fs.BoolVar(&o.demo, "demo", false, "fill a fresh database with a generated quarter of 718 reports first")
	fs.Int64Var(&o.demoSeed, "demo-seed", demoSeed, "the demo quarter's random `seed`")
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
	if o.relay != "" && o.intakeAddress == "" {
		return fail(env, "serve", fmt.Errorf("%w: --relay needs --intake-address, the address acknowledgements come from", errUsage))
	}
	if o.mailFrom == "" {
		o.mailFrom = o.intakeAddress
	}
	if o.mailFrom != "" {
		if _, err := netmail.ParseAddress(o.mailFrom); err != nil {
			return fail(env, "serve", fmt.Errorf("%w: --mail-from %q is not a mail address (e.g. info@csirt.example or \"Incident Response <info@csirt.example>\")", errUsage, o.mailFrom))
		}
	}
	if (o.relayStartTLS || o.relayUser != "" || o.signMail) && o.relay == "" {
		return fail(env, "serve", fmt.Errorf("%w: --relay-starttls, --relay-user and --sign-mail need --relay", errUsage))
	}
	if o.signMail && o.keyFile == "" {
		return fail(env, "serve", fmt.Errorf("%w: --sign-mail signs with the team's key: give --key", errUsage))
	}
	if o.intakeAddress != "" {
		if _, err := netmail.ParseAddress(o.intakeAddress); err != nil {
			return fail(env, "serve", fmt.Errorf("%w: --intake-address %q is not a mail address (e.g. info@csirt.example or \"Incident Response <info@csirt.example>\")", errUsage, o.intakeAddress))
		}
	}
	if o.baseURL != "" && !strings.HasPrefix(o.baseURL, "http://") && !strings.HasPrefix(o.baseURL, "https://") {
		return fail(env, "serve", fmt.Errorf("%w: --base-url must start with http:// or https://", errUsage))
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return fail(env, "serve", fmt.Errorf("%w: --tls-cert and --tls-key go together: give both (the PEM certificate chain and its private key) or neither", errUsage))
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
	zone, err := loadZone(o.tz)
	if err != nil {
		return err
	}
	// Before the database: a bad certificate should not leave a new database behind.
	tlsConfig, err := loadTLS(o.tlsCert, o.tlsKey)
	if err != nil {
		return err
	}
	set, err := loadRules(o.rulesDirs, env, true)
	if err != nil {
		return err
	}
	eng, err := engine.New(set)
	if err != nil {
		return fmt.Errorf("compile rules: %w", err)
	}
	st, err := openStore(ctx, o.db)
	if err != nil {
		return err
	}
	defer st.Close()
	csrfKey, err := loadCSRFKey(o.csrfKeyFile, o.db)
	if err != nil {
		return err
	}
	svc, err := newIntake(st, eng, zone, o.workers, o.lease, log)
	if err != nil {
		return err
	}
	if o.demo {
		if err := fillDemo(ctx, env, st, svc, o.demoSeed); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", o.listen, err)
	}
	defer ln.Close()
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	base := strings.TrimRight(o.baseURL, "/")
	if base == "" {
		base = scheme + "://" + ln.Addr().String()
	}
	contact := base + "/report"
	if o.intakeAddress != "" {
		a, _ := netmail.ParseAddress(o.intakeAddress)
		contact = "mailto:" + a.Address
	}
	if err := ensureAdmin(ctx, env, st, base, o.db); err != nil {
		return err
	}
	tree, err := publishAdvisories(env, o, set, base, contact, zone, log)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tree)

	relay, err := relayOf(env, o)
	if err != nil {
		return err
	}
	var mailSigner *sign.Signer
	if o.signMail {
		if mailSigner, err = loadSigner(env, o.keyFile, o.passFile); err != nil {
			return err
		}
	}
	h, err := web.New(web.Config{
		Intake:     svc,
		Store:      st,
		Staff:      st,
		Messages:   st,
		MailFrom:   o.mailFrom,
		MailSigner: mailSigner,
		Relay:      relay,
		Activity:   activityStats(st),
		Zone:       zone,
		Published:  publish.Handler(os.DirFS(tree)),
		Health:     func(ctx context.Context) error { _, err := st.Pending(ctx); return err },
		Logger:     log,
		CSRFKey:    csrfKey,
		FormRate:   o.formPerMinute / 60,
		FormBurst:  o.formBurst,
		Triage:     st,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		TLSConfig:         tlsConfig,
	}
	var mailSrv *smtpd.Server
	var mailLn net.Listener
	if o.smtp != "" {
		if mailLn, err = net.Listen("tcp", o.smtp); err != nil {
			return fmt.Errorf("--smtp %s: %w", o.smtp, err)
		}
		// Replies to keikai's mail join their thread; everything else is a new report.
		replies := &intake.Replies{Next: svc, Store: st, Logger: log}
		mailSrv = smtpd.New(o.smtp, replies, smtpOptions(o, base, svc.Limits(), relay, st, log))
	}
	if err := svc.Start(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "keikai serve: listening on %s://%s (database %s, %d workers)\n", scheme, ln.Addr(), redactDSN(o.db), o.workers)
	served := make(chan error, 2)
	go func() {
		if tlsConfig != nil {
			// The certificate is in TLSConfig already; ServeTLS adds HTTP/2 to it.
			served <- srv.ServeTLS(ln, "", "")
			return
		}
		served <- srv.Serve(ln)
	}()
	if mailSrv != nil {
		fmt.Fprintf(env.Stderr, "keikai serve: taking mail on smtp://%s\n", mailLn.Addr())
		go func() { served <- mailSrv.Serve(mailLn) }()
	}

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
	if mailSrv != nil {
		// Mail in progress either gets its 250 after the commit or is sent again by its MTA.
		if err := mailSrv.Shutdown(drainCtx); err != nil {
			log.Warn("mail in progress cut off at shutdown", "err", err)
		}
	}
	if err := svc.Stop(drainCtx); err != nil {
		log.Warn("analyses in progress left to the queue", "err", err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	if serveErr != nil {
		return fmt.Errorf("server: %w", serveErr)
	}
	log.Info("stopped")
	return nil
}

// newIntake builds the intake service every command that stores reports uses: the web, API and
// mail decoders, and assess.Analyse with the centre's zone as the analyzer.
func newIntake(st store.Store, eng *engine.Engine, zone *time.Location, workers int, lease time.Duration, log *slog.Logger) (*intake.Service, error) {
	host, _ := os.Hostname()
	limits := intake.DefaultLimits()
	decoders := intake.WebDecoders(limits)
	decoders[intake.MediaMail] = intake.MailDecoder(limits)
	return intake.New(intake.Config{
		Store:    st,
		Decoders: decoders,
		Analyzer: intake.AssessAnalyzer(eng, zone, rulesVersion(eng)),
		Limits:   limits,
		Workers:  workers,
		Lease:    lease,
		Name:     fmt.Sprintf("%s:%d", host, os.Getpid()),
		Logger:   log,
	})
}

// smtpOptions configure the SMTP intake: the intake address as the accepted recipient, the
// intake's size limit, and acknowledgements through the relay when one is given.
func smtpOptions(o serveOptions, base string, limits intake.Limits, relay *mail.Relay, threads store.Messages, log *slog.Logger) smtpd.Options {
	opts := smtpd.Options{MaxMessageBytes: limits.MaxSubmission, Logger: log}
	if o.intakeAddress != "" {
		a, _ := netmail.ParseAddress(o.intakeAddress)
		opts.Recipients = []string{a.Address}
		if _, domain, ok := strings.Cut(a.Address, "@"); ok {
			opts.Domain = domain
		}
		// Sites answer forwards at --mail-from: their replies must get in to join the thread.
		if f, err := netmail.ParseAddress(o.mailFrom); err == nil && !strings.EqualFold(f.Address, a.Address) {
			opts.Recipients = append(opts.Recipients, f.Address)
		}
	}
	if o.relay != "" {
		ack := &mail.Acknowledger{
			Relay: o.relay,
			Via:   relay,
			From:  o.intakeAddress,
			Sent: func(ctx context.Context, r report.Receipt, msg []byte) {
				if err := recordAck(ctx, threads, r, msg); err != nil {
					log.Error("acknowledgement sent but not recorded in its thread", "tracking", r.Tracking, "err", err)
				}
			},
			StatusURL: func(r report.Receipt) string {
				if r.StatusSecret == "" {
					return ""
				}
				return base + "/status/" + r.StatusSecret
			},
			Logger: log,
		}
		opts.Acknowledge = ack.Send
	}
	return opts
}

// relayPasswordEnv names the environment variable that may hold the --relay-user password.
const relayPasswordEnv = "KEIKAI_RELAY_PASSWORD"

// relayOf builds the SMTP relay client of --relay, or nil without one.
func relayOf(env *Env, o serveOptions) (*mail.Relay, error) {
	if o.relay == "" {
		return nil, nil
	}
	if _, _, err := net.SplitHostPort(o.relay); err != nil {
		return nil, fmt.Errorf("%w: --relay %q is not host:port (e.g. mail.csirt.example:587)", errUsage, o.relay)
	}
	r := &mail.Relay{Addr: o.relay, StartTLS: o.relayStartTLS, Username: o.relayUser}
	if a, err := netmail.ParseAddress(o.mailFrom); err == nil {
		if _, domain, ok := strings.Cut(a.Address, "@"); ok {
			r.Hello = domain
		}
	}
	if o.relayUser != "" {
		pass := env.Getenv(relayPasswordEnv)
		if o.relayPassFile != "" {
			b, err := os.ReadFile(o.relayPassFile)
			if err != nil {
				return nil, fmt.Errorf("--relay-password-file: %w", err)
			}
			pass = strings.TrimRight(string(b), "\r\n")
		}
		if pass == "" {
			return nil, fmt.Errorf("%w: --relay-user needs a password: --relay-password-file FILE or $%s", errUsage, relayPasswordEnv)
		}
		r.Password = pass
	}
	return r, nil
}

// recordAck keeps an acknowledgement the relay took in its report's thread, so that a reply to
// it is recognised by its In-Reply-To.
func recordAck(ctx context.Context, threads store.Messages, r report.Receipt, msg []byte) error {
	th := mail.ReadThread(msg)
	_, _, err := threads.AddMessage(ctx, store.Message{ReportID: r.ID, Direction: store.Outbound, Kind: store.MessageAck,
		MessageID: th.MessageID, InReplyTo: first(th.InReplyTo), References: th.References, Subject: th.Subject,
		From: th.From, To: th.To, Raw: msg}, audit.Actor{Name: "keikai"})
	return err
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

// publishAdvisories publishes the embedded advisories into a new temporary folder for the web
// server to serve, signed with --key or a throwaway key. The caller removes the folder.
func publishAdvisories(env *Env, o serveOptions, set *sigma.Set, base, contact string, zone *time.Location, log *slog.Logger) (string, error) {
	advs, err := loadAdvisories("")
	if err != nil {
		return "", err
	}
	var signer *sign.Signer
	if o.keyFile != "" {
		if signer, err = loadSigner(env, o.keyFile, o.passFile); err != nil {
			return "", err
		}
	} else {
		pass := make([]byte, 32)
		rand.Read(pass)
		if _, signer, err = sign.Generate("keikai serve throwaway key", "keikai@localhost", pass, time.Now()); err != nil {
			return "", err
		}
		log.Warn("the published advisories are signed with a throwaway key made at start; give the team's key with --key")
	}
	dir, err := os.MkdirTemp("", "keikai-published-")
	if err != nil {
		return "", err
	}
	name := ""
	if len(advs.Advisories) > 0 {
		name = advs.Advisories[0].Issuer
	}
	_, err = publish.Publish(advs, dir, publish.Options{
		BaseURL:   base,
		Publisher: csaf.Publisher{Name: name, Namespace: base, ContactDetails: strings.TrimPrefix(contact, "mailto:")},
		Contact:   contact,
		Signer:    signer,
		Rules:     set,
		ReadRule:  readRuleSource,
		Engine:    buildVersion(),
		Now:       time.Now(),
		Zone:      zone,
	})
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("publish the advisories: %w", err)
	}
	return dir, nil
}

// loadCSRFKey reads the web form's CSRF key from file, creating it with a random key when
// missing, so that forms survive a restart and every server given the same file accepts them.
// Without a file, a SQLite database keeps its key beside it (keikai.db.csrf-key); with
// PostgreSQL the key is random per start unless --csrf-key-file names a shared file.
func loadCSRFKey(file, dsn string) ([]byte, error) {
	if file == "" {
		if isPostgres(dsn) {
			return nil, nil
		}
		file = dsn + ".csrf-key"
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, iofs.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		data = []byte(hex.EncodeToString(key) + "\n")
		if err := writeNewFile(file, data); err != nil && !errors.Is(err, iofs.ErrExist) {
			return nil, fmt.Errorf("--csrf-key-file: %w", err)
		}
		// Another process may have created it first: its key is the one to share.
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("--csrf-key-file: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("--csrf-key-file %s: not a key (at least 32 hexadecimal digits); remove it and keikai makes a new one", file)
	}
	return key, nil
}

// loadTLS reads --tls-cert and --tls-key, or returns nil when neither is given. The files are
// read once at start: a renewed certificate takes a restart.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s --tls-key %s: %w (both must be PEM: the certificate chain, server certificate first, and its unencrypted private key)", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// loadZone loads --tz.
func loadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: --tz %q is not a time zone (e.g. Asia/Tokyo, UTC, Local)", errUsage, name)
	}
	return loc, nil
}

// activityStats computes the activity report of a period, with the period before it for the
// change, from the store's aggregates, as keikai report activity computes it.
func activityStats(st store.Store) web.ActivityStats {
	return func(ctx context.Context, from, to time.Time) (*activity.Stats, error) {
		return activity.Compute(ctx, st, from, to, 25, true)
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
