// Package web is keikai serve's HTTP front end: the public report form, the reporter's secret
// status page, the partners' JSON API and the activity report. Handlers parse, validate, hand the
// submission to intake and render; they hold no business logic. Every text from outside reaches
// a page only through html/template.
package web

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/forward"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Intake is what the front end needs of the intake service.
type Intake interface {
	report.Submitter
	Limits() intake.Limits
}

// Store is what the front end reads: reports for the status pages and the API, tokens for API
// authentication.
type Store interface {
	store.Reports
	store.Tokens
}

// Config assembles the front end.
type Config struct {
	Intake Intake
	Store  Store
	// Activity serves GET /activity when set: the report of a period inside the site's layout.
	Activity ActivityStats
	// Zone is the reporting zone: the days of /activity?from=...&to=... are its calendar days, as
	// in keikai report activity --tz. nil means UTC.
	Zone *time.Location
	// Published serves the advisories' published tree (publish.Handler) at the site's root:
	// /index.html, /advisories/, /bundles/, the feeds and /.well-known/ (security.txt, CSAF).
	Published http.Handler
	// Health is called by GET /healthz; nil reports healthy while the process answers.
	Health func(ctx context.Context) error
	Logger *slog.Logger
	// CSRFKey signs the form's CSRF tokens; nil means a random key (forms then do not survive a
	// restart, and every process behind one address needs the same key).
	CSRFKey []byte
	// FormRate and FormBurst bound form submissions per client address (a token bucket): FormRate
	// per second on average, FormBurst at once. 0 means one a minute and a burst of 5.
	FormRate  float64
	FormBurst int
	Now       func() time.Time
	// Staff serves the staff pages (/staff/...) when set: accounts, sessions, login limits.
	Staff store.Staff
	// Triage serves the staff pages of triage and incidents (/staff/, /staff/reports/,
	// /staff/incidents, /staff/search, /staff/activity) when set.
	Triage TriageStore

	// Messages keeps the mail threads: the reporter's status page shows what analysts shared
	// and takes the reporter's additions; the staff's thread and forward pages use it too.
	// nil leaves the status page as it was (status only).
	Messages store.Messages
	// Relay sends forwards to sites; nil lets analysts prepare and review them, not send.
	Relay forward.Outbox
	// MailFrom is the From: of forwards (the address sites reply to); MailSigner, when set,
	// signs them as PGP/MIME.
	MailFrom   string
	MailSigner *sign.Signer
}

// handler serves every route; each route is one method.
type handler struct {
	cfg     Config
	log     *slog.Logger
	pages   map[string]*template.Template
	limits  intake.Limits
	csrfKey []byte
	limiter *rateLimiter
}

// New builds the front end. Templates are parsed here, once; a broken template fails New.
func New(cfg Config) (http.Handler, error) {
	h, _, err := build(cfg)
	return h, err
}

// routeMux is the front end's mux that also keeps the pattern of every route registered on it:
// the tests sweep them all, so that no route escapes the checks of the staff gate.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *routeMux) HandleFunc(pattern string, fn func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(fn))
}

// build is New, also returning the patterns of the routes registered.
func build(cfg Config) (http.Handler, []string, error) {
	if cfg.Intake == nil || cfg.Store == nil {
		return nil, nil, errors.New("web: intake and store are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	if cfg.FormRate <= 0 {
		cfg.FormRate = 1.0 / 60
	}
	if cfg.FormBurst <= 0 {
		cfg.FormBurst = 5
	}
	h := &handler{cfg: cfg, log: cfg.Logger, limits: cfg.Intake.Limits(), csrfKey: cfg.CSRFKey}
	if h.csrfKey == nil {
		h.csrfKey = make([]byte, 32)
		if _, err := rand.Read(h.csrfKey); err != nil {
			return nil, nil, fmt.Errorf("web: CSRF key: %w", err)
		}
	}
	pages, err := parsePages()
	if err != nil {
		return nil, nil, err
	}
	h.pages = pages
	h.limiter = newRateLimiter(cfg.FormRate, cfg.FormBurst, cfg.Now)

	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, nil, err
	}
	mux := &routeMux{ServeMux: http.NewServeMux()}
	mux.HandleFunc("GET /{$}", h.index)
	mux.HandleFunc("GET /report", h.reportForm)
	mux.HandleFunc("POST /report", h.submitForm)
	mux.HandleFunc("GET /status/{secret}", h.status)
	if cfg.Messages != nil {
		mux.HandleFunc("POST /status/{secret}", h.statusAdd)
	}
	mux.HandleFunc("POST /api/v1/reports", h.apiSubmit)
	mux.HandleFunc("GET /api/v1/reports/{id}", h.apiReport)
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	if cfg.Activity != nil {
		mux.HandleFunc("GET /activity", h.activityReport)
	}
	if cfg.Staff != nil {
		h.staffRoutes(mux)
		h.threadRoutes(mux)
	}
	if cfg.Published != nil {
		for _, p := range publishedRoutes {
			mux.Handle("GET "+p, cfg.Published)
		}
	}
	h.incidentRoutes(mux)
	mux.HandleFunc("/", h.notFound)
	return h.logRequests(securityHeaders(mux)), mux.patterns, nil
}

// publishedRoutes are the paths of a published tree (see package publish).
var publishedRoutes = []string{
	"/index.html", "/index.en.html", "/feed.ja.atom", "/feed.en.atom",
	"/advisories/", "/bundles/", "/.well-known/",
}

var pageNames = []string{"index", "form", "submitted", "status", "error", "activity"}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t":  text,
		"tf": func(lang, key string, args ...any) string { return fmt.Sprintf(text(lang, key), args...) },
		"lines": func(ss []string) string {
			return strings.Join(ss, "\n")
		},
		"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"inert":   inert,
		"kindKey": kindKey,
		"when":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
		"category": func(lang, key string) string {
			c, ok := taxonomy.CategoryByKey(key)
			if !ok {
				return key
			}
			if lang == "ja" {
				return c.Ja
			}
			return c.En
		},
	}
	maps.Copy(funcs, incidentFuncs)
	layout, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts_*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		files := []string{"templates/" + name + ".html"}
		if strings.HasPrefix(name, "staff_") {
			// Staff pages have their own layout, with the staff navigation.
			files = append([]string{"templates/staff_layout.html"}, files...)
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what every template sees; Data differs per page and is embedded by the handlers.
type page struct {
	Lang      string
	OtherLang string
	Title     string
	Activity  bool
	// Advisories is set when the published advisories are served.
	Advisories bool
	// Switch is the language control's link: the same page in OtherLang.
	Switch string
	// Style is a page's own style sheet, inlined; the page's Content-Security-Policy must allow
	// it by its hash.
	Style template.CSS
}

func (h *handler) newPage(lang, titleKey string) page {
	other := "ja"
	if lang == "ja" {
		other = "en"
	}
	return page{Lang: lang, OtherLang: other, Title: text(lang, titleKey), Activity: h.cfg.Activity != nil, Advisories: h.cfg.Published != nil, Switch: "?lang=" + other}
}

// render executes a page into memory first, so that a template error becomes a clean 500 and
// never half a page.
func (h *handler) render(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := h.pages[name].ExecuteTemplate(&b, "layout", data); err != nil {
		h.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, b.String())
}

type errorPage struct {
	page
	Code    int
	Message string
}

func (h *handler) renderError(w http.ResponseWriter, lang string, status int, message string) {
	h.render(w, status, "error", errorPage{page: h.newPage(lang, "error.title"), Code: status, Message: message})
}

// setLang remembers a language chosen with ?lang= for the next pages.
func setLang(w http.ResponseWriter, r *http.Request, lang string) {
	if r.URL.Query().Get("lang") != "" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: r.TLS != nil})
	}
}

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	setLang(w, r, lang)
	h.render(w, http.StatusOK, "index", h.newPage(lang, "index.title"))
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSONError(w, http.StatusNotFound, "", "not_found", "no such API endpoint; see POST /api/v1/reports and GET /api/v1/reports/{id}")
		return
	}
	h.renderError(w, pickLang(r), http.StatusNotFound, text(pickLang(r), "error.notfound"))
}

func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if h.cfg.Health != nil {
		if err := h.cfg.Health(r.Context()); err != nil {
			h.log.Error("health check", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// securityHeaders keeps pages from being framed, sniffed or leaking the status link in a
// Referer.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		// The activity report carries its own style sheet, allowed by its hash beside the site's;
		// no page runs scripts.
		style := "'self'"
		if r.URL.Path == "/activity" || r.URL.Path == "/staff/activity" {
			style += " " + activity.StyleSheetHash()
		}
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+style+"; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}
