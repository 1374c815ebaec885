package web

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"html/template"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/publish"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/sqlite"
	"github.com/keikai-project/keikai/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var (
	engineOnce sync.Once
	bundled    *engine.Engine
)

func bundledEngine(t testing.TB) *engine.Engine {
	t.Helper()
	engineOnce.Do(func() {
		set, err := sigma.LoadFS(rules.FS, ".")
		if err != nil {
			t.Fatal(err)
		}
		if bundled, err = engine.New(set); err != nil {
			t.Fatal(err)
		}
	})
	return bundled
}

type server struct {
	*httptest.Server
	store  store.Store
	intake *intake.Service
	logs   *bytes.Buffer
	logMu  *sync.Mutex
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// newServer runs the front end over a real SQLite store and real intake workers.
func newServer(t testing.TB, tune func(*Config)) *server {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	logs, mu := &bytes.Buffer{}, &sync.Mutex{}
	log := slog.New(slog.NewTextHandler(lockedWriter{mu, logs}, nil))
	svc, err := intake.New(intake.Config{
		Store: db, Decoders: intake.WebDecoders(intake.DefaultLimits()),
		Analyzer: intake.AssessAnalyzer(bundledEngine(t), time.UTC, "test"),
		Workers:  4, Poll: 10 * time.Millisecond, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Intake: svc, Store: db, Staff: db, Logger: log, CSRFKey: []byte("test key"), FormRate: 100, FormBurst: 100}
	if tune != nil {
		tune(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		svc.Stop(context.Background())
		db.Close()
	})
	return &server{Server: ts, store: db, intake: svc, logs: logs, logMu: mu}
}

func (s *server) logText() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.logs.String()
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/web -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("page differs from %s (run go test ./internal/web -update after checking the change)\n--- got ---\n%s", path, got)
	}
}

// TestPagesGolden renders every page in both languages. Pages whose content is random (the secret
// link) or comes from the store are rendered from fixed data.
func TestPagesGolden(t *testing.T) {
	s := newServer(t, nil)
	client := s.Client()
	for _, lang := range []string{"en", "ja"} {
		for _, path := range []string{"/", "/report"} {
			req, _ := http.NewRequest("GET", s.URL+path+"?lang="+lang, nil)
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("c", 43)})
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
			name := map[string]string{"/": "index", "/report": "form"}[path]
			golden(t, name+"."+lang+".html", body)
		}
	}
	h := &handler{cfg: Config{}, pages: mustPages(t)}
	received := time.Date(2000, 6, 30, 23, 59, 0, 0, time.UTC)
	jst := time.FixedZone("JST", 9*3600)
	stats := &activity.Stats{From: time.Date(2000, 4, 1, 0, 0, 0, 0, jst), To: time.Date(2000, 7, 1, 0, 0, 0, 0, jst), Total: 2,
		Categories: map[string]int64{"intrusion": 2}, TopTCPPorts: []activity.PortCount{{Port: 111, Service: "sunrpc", Count: 2}}}
	for _, lang := range []string{"en", "ja"} {
		fragment, err := activity.HTMLFragment(stats, activity.Options{Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		ap := activityPage{page: h.newPage(lang, "activity.title"), From: "2000-04-01", To: "2000-06-30",
			Earlier: "/activity?from=2000-01-01&to=2000-03-31", Later: "/activity?from=2000-07-01&to=2000-09-30", Report: fragment}
		ap.Switch = switchLink(ap.From, ap.To, ap.OtherLang)
		ap.Style = template.CSS(activity.StyleSheet())
		expired := formPage{page: h.newPage(lang, "form.title"), CSRF: "TOKEN", Expired: true, Zones: zones, MaxAttachments: 5, MaxAttachmentSize: "10 MiB",
			Form: &intake.Form{ReporterName: "山田 太郎", Description: "<script>statd</script>", TimeZone: "Asia/Tokyo", Attachments: []intake.Attachment{{Name: "messages.gz"}}}}
		for name, data := range map[string]any{
			"activity":     ap,
			"form-expired": expired,
			"submitted":    submittedPage{page: h.newPage(lang, "done.title"), Tracking: "KK-2000-000718", ReceivedAt: received, StatusLink: "http://127.0.0.1:8080/status/SECRET"},
			"status":       statusPage{page: h.newPage(lang, "status.state"), Tracking: "KK-2000-000718", ReceivedAt: received, State: report.StateAnalysed, Category: "intrusion"},
			"error":        errorPage{page: h.newPage(lang, "error.title"), Code: 404, Message: text(lang, "error.notfound")},
		} {
			rec := httptest.NewRecorder()
			h.render(rec, 200, strings.TrimSuffix(name, "-expired"), data)
			body := rec.Body.String()
			if strings.Contains(body, ".") && regexp.MustCompile(`>[a-z]+\.[a-z.]+<`).MatchString(body) {
				t.Errorf("%s.%s shows a message key instead of its text", name, lang)
			}
			golden(t, name+"."+lang+".html", body)
		}
	}
}

func mustPages(t *testing.T) map[string]*template.Template {
	t.Helper()
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// formSession opens the form like a browser: it keeps the CSRF cookie and reads the token.
func formSession(t *testing.T, s *server) (*http.Client, string) {
	t.Helper()
	jar := newJar()
	client := &http.Client{Jar: jar}
	resp, err := client.Get(s.URL + "/report?lang=ja")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in the form:\n%s", body)
	}
	return client, m[1]
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}

func multipartForm(t *testing.T, fields map[string]string, files map[string][]byte) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("attachments", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return mw.FormDataContentType(), &body
}

const firewallLines = "Jun  1 12:00:00 fw kernel: IN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.1 LEN=60 PROTO=TCP SPT=4000 DPT=111 SYN\n" +
	"Jun  1 12:00:01 fw kernel: IN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.2 LEN=60 PROTO=TCP SPT=4001 DPT=111 SYN\n"

func TestFormSubmitAndStatus(t *testing.T) {
	s := newServer(t, nil)
	client, token := formSession(t, s)
	ct, body := multipartForm(t, map[string]string{
		"csrf_token": token, "lang": "ja", "reporter_name": "<b>山田</b>", "email": "yamada@example.jp",
		"time_zone": "Asia/Tokyo", "incident_time": "2000-06-01T12:00", "description": "ポートスキャンを受けました",
	}, map[string][]byte{"fw.log": []byte(firewallLines)})
	resp, err := client.Post(s.URL+"/report", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("POST /report: %d\n%s", resp.StatusCode, page)
	}
	m := regexp.MustCompile(`class="tracking">(KK-[0-9-]+)<`).FindStringSubmatch(page)
	link := regexp.MustCompile(`href="(http://[^"]+/status/[A-Za-z0-9_-]+)"`).FindStringSubmatch(page)
	if m == nil || link == nil {
		t.Fatalf("no tracking number or status link on the page:\n%s", page)
	}
	if !strings.Contains(page, "受付番号") {
		t.Errorf("the page is not in Japanese")
	}
	var status string
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(link[1])
		if err != nil {
			t.Fatal(err)
		}
		status = readAll(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("GET status link: %d", resp.StatusCode)
		}
		if strings.Contains(status, "state-analysed") || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(status, m[1]) || !strings.Contains(status, "state-analysed") || !strings.Contains(status, "Probes, scans") {
		t.Errorf("status page lacks the tracking number, the analysed state or the category:\n%s", status)
	}
	for _, secret := range []string{"山田", "yamada@example.jp", "198.51.100.7", "ポートスキャン"} {
		if strings.Contains(status, secret) {
			t.Errorf("status page shows %q: it must show nothing of the report's content", secret)
		}
	}
	if logs := s.logText(); strings.Contains(logs, strings.TrimPrefix(link[1], s.URL)) || !strings.Contains(logs, "/status/[redacted]") {
		t.Errorf("request log shows the status secret or lacks the redacted path:\n%s", logs)
	}
	rep, err := s.store.ByTracking(context.Background(), m[1])
	if err != nil || rep.Analysis == nil || rep.Analysis.Content.Reporter.Name != "<b>山田</b>" || rep.Analysis.Category != "probe" {
		t.Fatalf("stored report: %+v, %v", rep, err)
	}
}

func TestFormRefusals(t *testing.T) {
	s := newServer(t, nil)
	client, token := formSession(t, s)
	tests := []struct {
		name   string
		client *http.Client
		fields map[string]string
		status int
		want   string
	}{
		{"no CSRF cookie", http.DefaultClient, map[string]string{"csrf_token": token, "description": "x", "lang": "ja"}, 403, "フォーム"},
		{"wrong CSRF token", client, map[string]string{"csrf_token": "forged", "description": "x"}, 403, ""},
		{"nothing to analyse", client, map[string]string{"csrf_token": token, "reporter_name": "<script>alert(1)</script>", "lang": "en"}, 400, "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"bad e-mail", client, map[string]string{"csrf_token": token, "description": "x", "email": "nobody", "lang": "ja"}, 400, "電子メールアドレスの形式"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, body := multipartForm(t, tt.fields, nil)
			resp, err := tt.client.Post(s.URL+"/report", ct, body)
			if err != nil {
				t.Fatal(err)
			}
			page := readAll(t, resp)
			if resp.StatusCode != tt.status || !strings.Contains(page, tt.want) {
				t.Fatalf("status %d, want %d with %q:\n%s", resp.StatusCode, tt.status, tt.want, page)
			}
			if strings.Contains(page, "<script>") {
				t.Fatal("outside text reached the page unescaped")
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), int(intake.DefaultLimits().MaxSubmission)+1)
		ct, body := multipartForm(t, map[string]string{"csrf_token": token}, map[string][]byte{"big.log": big})
		resp, err := client.Post(s.URL+"/report", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
	})
}

func TestFormRateLimit(t *testing.T) {
	s := newServer(t, func(c *Config) { c.FormRate, c.FormBurst = 0.01, 2 })
	client, token := formSession(t, s)
	var last *http.Response
	for range 3 {
		ct, body := multipartForm(t, map[string]string{"csrf_token": token, "description": "flood"}, nil)
		resp, err := client.Post(s.URL+"/report", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		last = resp
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("third POST: %d, Retry-After %q; want 429 with Retry-After", last.StatusCode, last.Header.Get("Retry-After"))
	}
}

func addToken(t testing.TB, s *server, name string) string {
	t.Helper()
	secret, hash, err := intake.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.AddToken(context.Background(), name, hash); err != nil {
		t.Fatal(err)
	}
	return secret
}

type apiCall struct {
	method, path, token, contentType, key, body string
}

func (s *server) call(t *testing.T, c apiCall) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(c.method, s.URL+c.path, strings.NewReader(c.body))
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.key != "" {
		req.Header.Set("Idempotency-Key", c.key)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%s %s answered %d with non-JSON: %q", c.method, c.path, resp.StatusCode, body)
	}
	return resp.StatusCode, v
}

func TestAPI(t *testing.T) {
	s := newServer(t, nil)
	tok, other := addToken(t, s, "partner"), addToken(t, s, "other")
	report := `{"description": "scan", "excerpts": [` + jsonString(firewallLines) + `]}`
	status, first := s.call(t, apiCall{"POST", "/api/v1/reports", tok, "application/json", "k-1", report})
	if status != 201 || first["tracking"] == nil || !strings.HasSuffix(first["status_url"].(string), "/api/v1/reports/1") {
		t.Fatalf("POST: %d %v", status, first)
	}
	status, again := s.call(t, apiCall{"POST", "/api/v1/reports", tok, "application/json", "k-1", report})
	if status != 200 || again["id"] != first["id"] || again["tracking"] != first["tracking"] {
		t.Fatalf("retry: %d %v; want 200 and the first receipt %v", status, again, first)
	}
	refusals := []struct {
		name   string
		call   apiCall
		status int
		field  string
	}{
		{"no token", apiCall{"POST", "/api/v1/reports", "", "application/json", "", report}, 401, ""},
		{"unknown token", apiCall{"POST", "/api/v1/reports", "nope", "application/json", "", report}, 401, ""},
		{"key reused for another body", apiCall{"POST", "/api/v1/reports", tok, "application/json", "k-1", `{"description": "other"}`}, 422, "Idempotency-Key"},
		{"invalid JSON", apiCall{"POST", "/api/v1/reports", tok, "application/json", "", `{"description": `}, 400, "body"},
		{"unknown field", apiCall{"POST", "/api/v1/reports", tok, "application/json", "", `{"desc": "x"}`}, 400, "desc"},
		{"nothing to analyse", apiCall{"POST", "/api/v1/reports", tok, "application/json", "", `{"reporter_name": "x"}`}, 400, "description"},
		{"wrong media type", apiCall{"POST", "/api/v1/reports", tok, "text/plain", "", report}, 415, "Content-Type"},
		{"bad key", apiCall{"POST", "/api/v1/reports", tok, "application/json", "a b", report}, 400, "Idempotency-Key"},
		{"someone else's report", apiCall{"GET", "/api/v1/reports/1", other, "", "", ""}, 404, "id"},
		{"no such report", apiCall{"GET", "/api/v1/reports/999", tok, "", "", ""}, 404, "id"},
		{"not a number", apiCall{"GET", "/api/v1/reports/x", tok, "", "", ""}, 404, "id"},
		{"unknown endpoint", apiCall{"GET", "/api/v2/reports", tok, "", "", ""}, 404, ""},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			status, v := s.call(t, tt.call)
			e, _ := v["error"].(map[string]any)
			if status != tt.status || e == nil || e["message"] == "" || (tt.field != "" && e["field"] != tt.field) {
				t.Fatalf("%d %v; want %d with an error on %q", status, v, tt.status, tt.field)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		big := `{"description": "` + strings.Repeat("x", int(intake.DefaultLimits().MaxSubmission)) + `"}`
		if status, _ := s.call(t, apiCall{"POST", "/api/v1/reports", tok, "application/json", "", big}); status != 413 {
			t.Fatalf("status %d, want 413", status)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		ct, body := multipartForm(t, map[string]string{"description": "scan"}, map[string][]byte{"fw.log": []byte(firewallLines)})
		if status, v := s.call(t, apiCall{"POST", "/api/v1/reports", tok, ct, "m-1", body.String()}); status != 201 {
			t.Fatalf("multipart POST: %d %v", status, v)
		}
	})
	var got map[string]any
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, got = s.call(t, apiCall{"GET", "/api/v1/reports/1", tok, "", "", ""})
		if got["state"] == "analysed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	findings, _ := got["findings"].([]any)
	if got["state"] != "analysed" || got["category"] != "probe" || got["rsit"] == "" || len(findings) == 0 || got["observables"] == nil {
		t.Fatalf("GET own report: %v", got)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestStatusUnknown(t *testing.T) {
	s := newServer(t, nil)
	secret, _, _ := intake.NewSecret()
	for _, path := range []string{"/status/" + secret, "/status/short", "/status/" + url.PathEscape("<x>")} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, resp)
		if resp.StatusCode != 404 || strings.Contains(page, "<x>") {
			t.Errorf("GET %s: %d; want 404 with the path escaped", path, resp.StatusCode)
		}
	}
}

func TestHealthz(t *testing.T) {
	s := newServer(t, nil)
	if status, v := s.call(t, apiCall{"GET", "/healthz", "", "", "", ""}); status != 200 || v["status"] != "ok" {
		t.Fatalf("healthz: %d %v", status, v)
	}
}

func TestAcceptLanguage(t *testing.T) {
	for h, want := range map[string]string{"": "en", "ja": "ja", "ja-JP,ja;q=0.9,en;q=0.8": "ja", "en-US,en;q=0.9,ja;q=0.8": "en", "fr,ja;q=0.5": "ja", "de": "en"} {
		if got := acceptLanguage(h); got != want {
			t.Errorf("acceptLanguage(%q) = %s, want %s", h, got, want)
		}
	}
}

// TestActivityPage: the activity report is a page of the site: the site's header and language
// control (keeping the period), a period picker, and the report's own style sheet allowed by its
// hash, never by 'unsafe-inline'.
func TestActivityPage(t *testing.T) {
	s := newServer(t, func(c *Config) {
		c.Activity = func(ctx context.Context, from, to time.Time) (*activity.Stats, error) {
			return activity.Compute(ctx, c.Store.(store.Store), from, to, 20, true)
		}
	})
	for _, tt := range []struct{ lang, title, switchTo, earlier string }{
		{"ja", "活動概要", `href="?from=2000-04-01&amp;lang=en&amp;to=2000-06-30"`, `href="/activity?from=2000-01-01&amp;lang=ja&amp;to=2000-03-31"`},
		{"en", "Activity report", `href="?from=2000-04-01&amp;lang=ja&amp;to=2000-06-30"`, `href="/activity?from=2000-01-01&amp;lang=en&amp;to=2000-03-31"`},
	} {
		resp, err := http.Get(s.URL + "/activity?from=2000-04-01&to=2000-06-30&lang=" + tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, resp)
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || !strings.Contains(csp, "style-src 'self' "+activity.StyleSheetHash()) || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("GET /activity (%s): %d, CSP %q", tt.lang, resp.StatusCode, csp)
		}
		for _, want := range []string{
			`<html lang="` + tt.lang + `">`, `<header>`, `<nav>`, `<article class="keikai-activity" lang="` + tt.lang + `">`,
			"<title>" + tt.title, tt.switchTo, tt.earlier,
			`<style>` + activity.StyleSheet() + `</style>`,
			`<form class="period" method="get" action="/activity">`, `name="from" type="date" value="2000-04-01"`,
			`name="to" type="date" value="2000-06-30"`, `name="lang" value="` + tt.lang + `"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("GET /activity (%s) lacks %s:\n%s", tt.lang, want, page)
			}
		}
	}
	resp, err := http.Get(s.URL + "/activity?from=2000-06-30&to=2000-04-01&lang=en")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != 400 || !strings.Contains(page, `value="2000-06-30"`) || !strings.Contains(page, "to is inclusive") || strings.Contains(page, "<article") {
		t.Fatalf("reversed period: %d, want 400 with the picker and the error:\n%s", resp.StatusCode, page)
	}
}

// TestActivityPeriodZone: the days of /activity are calendar days in the reporting zone, as
// keikai report activity --tz counts them.
func TestActivityPeriodZone(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	var gotFrom, gotTo time.Time
	s := newServer(t, func(c *Config) {
		c.Zone = jst
		c.Now = func() time.Time { return time.Date(2000, 7, 15, 0, 0, 0, 0, time.UTC) }
		c.Activity = func(_ context.Context, from, to time.Time) (*activity.Stats, error) {
			gotFrom, gotTo = from, to
			return &activity.Stats{From: from, To: to, Categories: map[string]int64{}}, nil
		}
	})
	for _, tt := range []struct {
		query    string
		from, to time.Time
	}{
		{"?from=2000-04-01&to=2000-06-30", time.Date(2000, 4, 1, 0, 0, 0, 0, jst), time.Date(2000, 7, 1, 0, 0, 0, 0, jst)},
		{"", time.Date(2000, 4, 1, 0, 0, 0, 0, jst), time.Date(2000, 7, 1, 0, 0, 0, 0, jst)},
	} {
		resp, err := http.Get(s.URL + "/activity" + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, resp)
		if resp.StatusCode != 200 || !gotFrom.Equal(tt.from) || !gotTo.Equal(tt.to) {
			t.Errorf("/activity%s: %d, [%s, %s); want [%s, %s)", tt.query, resp.StatusCode, gotFrom, gotTo, tt.from, tt.to)
		}
		// The picker shows the period's days in the zone, the last one included.
		if !strings.Contains(page, `value="2000-04-01"`) || !strings.Contains(page, `value="2000-06-30"`) {
			t.Errorf("/activity%s: the period picker does not show 2000-04-01 to 2000-06-30:\n%s", tt.query, page)
		}
	}
}

// TestCSRFRetry: a form whose CSRF token is missing or stale comes back with what the reporter
// typed, a fresh token and a message in its language, still 403 and with nothing stored; sent
// again with the new token, it is received. A cross-site post gets no values back.
func TestCSRFRetry(t *testing.T) {
	s := newServer(t, nil)
	client, _ := formSession(t, s)
	fields := map[string]string{
		"lang": "en", "reporter_name": "Jane <Doe>", "email": "jane@example.ac.uk", "organization": "Example University",
		"description": "portmap probes, then statd", "excerpts": firewallLines, "affected_hosts": "192.0.2.1\n192.0.2.2",
		"disclosure_allowed": "on",
	}
	ct, body := multipartForm(t, fields, map[string][]byte{"fw.log": []byte(firewallLines)})
	resp, err := client.Post(s.URL+"/report", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("form without a token: %d, want 403:\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{
		"This form had expired", "Choose your files again", `<html lang="en">`,
		`value="Jane &lt;Doe&gt;"`, `value="jane@example.ac.uk"`, `value="Example University"`,
		">portmap probes, then statd</textarea>", "192.0.2.1\n192.0.2.2</textarea>", "DPT=111 SYN", `name="disclosure_allowed" type="checkbox" checked`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the form sent back lacks %s:\n%s", want, page)
		}
	}
	if list, err := s.store.List(context.Background(), store.Filter{}); err != nil || len(list) != 0 {
		t.Fatalf("a form refused for its token was stored: %d reports (%v)", len(list), err)
	}
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no fresh CSRF token in the form sent back:\n%s", page)
	}
	fields["csrf_token"] = m[1]
	ct, body = multipartForm(t, fields, nil)
	resp, err = client.Post(s.URL+"/report", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	if page := readAll(t, resp); resp.StatusCode != 200 || !regexp.MustCompile(`KK-\d{4}-\d{6}`).MatchString(page) {
		t.Fatalf("the form sent again with the fresh token: %d:\n%s", resp.StatusCode, page)
	}

	// From another site: refused, and nothing of the post reflected.
	delete(fields, "csrf_token")
	for _, h := range []map[string]string{
		{"Origin": "https://attacker.example"},
		{"Origin": "null"},
		{"Sec-Fetch-Site": "cross-site", "Origin": s.URL},
	} {
		ct, body = multipartForm(t, fields, nil)
		req, _ := http.NewRequest("POST", s.URL+"/report", body)
		req.Header.Set("Content-Type", ct)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page = readAll(t, resp)
		if resp.StatusCode != http.StatusForbidden || strings.Contains(page, "Jane") || !strings.Contains(page, "The form has expired") {
			t.Fatalf("cross-site post (%v): %d, want 403 without the values:\n%s", h, resp.StatusCode, page)
		}
	}
	if list, err := s.store.List(context.Background(), store.Filter{}); err != nil || len(list) != 1 {
		t.Fatalf("%d reports stored (%v), want only the one sent with a valid token", len(list), err)
	}
}

// TestPublishedTree: the published advisories are served at the site's root beside the desk's
// own pages, and only on their paths.
func TestPublishedTree(t *testing.T) {
	tree := fstest.MapFS{
		"index.html":                              {Data: []byte("<!doctype html><title>advisories</title>")},
		".well-known/security.txt":                {Data: []byte("Contact: mailto:info@csirt.example\n")},
		".well-known/csaf/provider-metadata.json": {Data: []byte(`{"role":"csaf_trusted_provider"}`)},
		"advisories/JPCERT-E-INF-98-0001/ja.txt":  {Data: []byte("JPCERT-E-INF-98-0001\n")},
	}
	s := newServer(t, func(c *Config) { c.Published = publish.Handler(tree) })
	for path, want := range map[string]string{
		"/.well-known/security.txt":                "Contact: mailto:info@csirt.example",
		"/.well-known/csaf/provider-metadata.json": "csaf_trusted_provider",
		"/advisories/JPCERT-E-INF-98-0001/ja.txt":  "JPCERT-E-INF-98-0001",
		"/index.html": "advisories",
		"/report":     "csrf_token",
	} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, want 200 with %q:\n%s", path, resp.StatusCode, want, body)
		}
	}
	resp, err := http.Post(s.URL+"/.well-known/security.txt", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode == 200 {
		t.Errorf("POST to the published tree answered 200")
	}
}
