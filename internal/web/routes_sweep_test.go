package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/postgres"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
	"github.com/keikai-project/keikai/internal/store/sqlite"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// sweepData is what the route sweep's store holds: reports with their status links, a decision,
// an incident, its thread, an API token and a staff account the administrator's routes act on.
type sweepData struct {
	reports  []report.Receipt
	incident int64
	reply    int64 // an inbound message of the incident's thread
	victim   int64 // a read-only account
}

func seedSweep(t *testing.T, db store.Store) sweepData {
	t.Helper()
	ctx := context.Background()
	var d sweepData
	who := audit.Actor{UserID: 0, Name: "seed"}
	for i := range 2 {
		secret, hash, err := intake.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		rc, err := db.Insert(ctx, &report.Submission{Channel: report.ChannelForm, ReceivedAt: time.Date(2000, 4, 3+i, 10, 0, 0, 0, time.UTC),
			ContentType: "text/plain", Raw: []byte("scan from 198.51.100.23")}, hash)
		if err != nil {
			t.Fatal(err)
		}
		rc.StatusSecret = secret
		jobs, err := db.Claim(ctx, "sweep", 10, time.Minute)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("Claim: %v %v", jobs, err)
		}
		a := &report.Analysis{Category: taxonomy.Probe, RSIT: "information-gathering:scanner", AnalysedAt: rc.ReceivedAt.Add(time.Minute),
			Findings: []finding.Finding{{Rule: "portmap-probe", Title: "portmap probe", Category: taxonomy.Probe, SourceIP: "198.51.100.23", Time: "2000-04-03T13:00:00Z"}},
			Content:  report.Content{SourceHosts: []string{"198.51.100.23"}, Reporter: report.Reporter{Name: "Reporter", Email: "reporter@example.jp"}}}
		if err := db.Complete(ctx, jobs[0], a); err != nil {
			t.Fatal(err)
		}
		d.reports = append(d.reports, rc)
	}
	if err := db.DecideReport(ctx, d.reports[0].ID, taxonomy.Probe, "information-gathering:scanner", "", who); err != nil {
		t.Fatal(err)
	}
	in, err := db.CreateIncident(ctx, "portmap scans", []int64{d.reports[0].ID}, who)
	if err != nil {
		t.Fatal(err)
	}
	d.incident = in.ID
	m, _, err := db.AddMessage(ctx, store.Message{ReportID: d.reports[0].ID, IncidentID: in.ID, Direction: store.Inbound, Kind: store.MessageReply, MessageID: "reply@site.test",
		Subject: "Re: scans", From: "abuse@site.test", ContentType: "message/rfc822",
		Raw: []byte("From: abuse@site.test\r\nSubject: Re: scans\r\nMessage-ID: <reply@site.test>\r\n\r\nwe looked\r\n")}, who)
	if err != nil {
		t.Fatal(err)
	}
	d.reply = m.ID
	d.victim = addStaff(t, db, "victim", staff.RoleReadOnly, "the victim's long password", false).ID
	return d
}

// sweepState is everything a route could change, as text: the audit log, the accounts, the
// reports with their triage, the incidents with their notes, the threads.
func sweepState(t *testing.T, db store.Store, d sweepData) string {
	t.Helper()
	ctx := context.Background()
	entries, err := db.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	users, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.TriageList(ctx, store.TriageFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	incidents, err := db.ListIncidents(ctx, store.IncidentFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var full []any
	var threads [][]store.Message
	for _, in := range incidents {
		got, err := db.GetIncident(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		full = append(full, got)
		ms, err := db.Messages(ctx, store.MessageFilter{IncidentID: in.ID})
		if err != nil {
			t.Fatal(err)
		}
		threads = append(threads, ms)
	}
	for _, r := range rows {
		ms, err := db.Messages(ctx, store.MessageFilter{ReportID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		threads = append(threads, ms)
	}
	b, err := json.Marshal([]any{entries, users, rows, full, threads})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sweepRoute says how the sweep reaches one registered route and what guards it.
type sweepRoute struct {
	path string
	form url.Values
	// public routes are outside the staff gate: their own token (the form's, the status link's,
	// the login form's, the API's) guards a change, and a request without it is refused.
	public bool
	// own: a staff member's own session or account, open to read-only staff too.
	own bool
	// admin: administrators only.
	admin bool
}

// sweepRoutes is one entry for every pattern the front end registers: the sweep fails on a route
// that has none, so that a route added later is checked like the others.
func sweepRoutes(d sweepData) map[string]sweepRoute {
	tr := d.reports[0].Tracking
	inc := strconv.FormatInt(d.incident, 10)
	victim := strconv.FormatInt(d.victim, 10)
	msg := strconv.FormatInt(d.reply, 10)
	password := "a new long password for the sweep"
	return map[string]sweepRoute{
		"GET /{$}":                 {path: "/"},
		"GET /report":              {path: "/report"},
		"POST /report":             {path: "/report", public: true, form: url.Values{"description": {"more scans"}, "email": {"x@example.jp"}}},
		"GET /status/{secret}":     {path: "/status/" + d.reports[0].StatusSecret},
		"POST /status/{secret}":    {path: "/status/" + d.reports[0].StatusSecret, public: true, form: url.Values{"text": {"more logs"}}},
		"POST /api/v1/reports":     {path: "/api/v1/reports", public: true, form: url.Values{"description": {"scan"}}},
		"GET /api/v1/reports/{id}": {path: "/api/v1/reports/" + strconv.FormatInt(d.reports[0].ID, 10)},
		"GET /healthz":             {path: "/healthz"},
		"GET /static/":             {path: "/static/style.css"},
		"GET /activity":            {path: "/activity?from=2000-04-01&to=2000-06-30"},
		"GET /index.html":          {path: "/index.html"},
		"GET /index.en.html":       {path: "/index.en.html"},
		"GET /feed.ja.atom":        {path: "/feed.ja.atom"},
		"GET /feed.en.atom":        {path: "/feed.en.atom"},
		"GET /advisories/":         {path: "/advisories/"},
		"GET /bundles/":            {path: "/bundles/"},
		"GET /.well-known/":        {path: "/.well-known/"},
		"/":                        {path: "/no/such/page", public: true},

		"GET /staff/login":                      {path: "/staff/login"},
		"POST /staff/login":                     {path: "/staff/login", public: true, form: url.Values{"name": {"victim"}, "password": {"the victim's long password"}}},
		"POST /staff/logout":                    {path: "/staff/logout", own: true},
		"GET /staff/account":                    {path: "/staff/account"},
		"POST /staff/account/password":          {path: "/staff/account/password", own: true, form: url.Values{"current": {"wrong"}, "new": {password}, "confirm": {password}}},
		"POST /staff/account/totp":              {path: "/staff/account/totp", own: true, form: url.Values{"action": {"start"}}},
		"GET /staff/users":                      {path: "/staff/users"},
		"POST /staff/users":                     {path: "/staff/users", admin: true, form: url.Values{"name": {"mallory"}, "role": {"admin"}}},
		"POST /staff/users/{id}/role":           {path: "/staff/users/" + victim + "/role", admin: true, form: url.Values{"role": {"admin"}}},
		"POST /staff/users/{id}/disable":        {path: "/staff/users/" + victim + "/disable", admin: true},
		"POST /staff/users/{id}/password":       {path: "/staff/users/" + victim + "/password", admin: true},
		"GET /staff/{$}":                        {path: "/staff/"},
		"GET /staff/reports/{tracking}":         {path: "/staff/reports/" + tr},
		"POST /staff/reports/{tracking}/decide": {path: "/staff/reports/" + tr + "/decide", form: url.Values{"category": {"dos"}, "rsit": {"availability:dos"}}},
		"POST /staff/reports/{tracking}/incident": {path: "/staff/reports/" + d.reports[1].Tracking + "/incident",
			form: url.Values{"incident": {inc}}},
		"GET /staff/incidents":                   {path: "/staff/incidents"},
		"POST /staff/incidents":                  {path: "/staff/incidents", form: url.Values{"report": {strconv.FormatInt(d.reports[1].ID, 10)}, "title": {"new one"}}},
		"GET /staff/incidents/{id}":              {path: "/staff/incidents/" + inc},
		"POST /staff/incidents/{id}/{change}":    {path: "/staff/incidents/" + inc + "/status", form: url.Values{"status": {"triage"}}},
		"GET /staff/search":                      {path: "/staff/search?q=198.51.100.23"},
		"GET /staff/audit":                       {path: "/staff/audit"},
		"GET /staff/activity":                    {path: "/staff/activity?from=2000-04-01&to=2000-06-30"},
		"GET /staff/reports/{tracking}/messages": {path: "/staff/reports/" + tr + "/messages"},
		"GET /staff/reports/{tracking}/forward":  {path: "/staff/reports/" + tr + "/forward?to=abuse@site.test"},
		"POST /staff/reports/{tracking}/forward": {path: "/staff/reports/" + tr + "/forward", form: url.Values{"to": {"abuse@site.test"}, "body": {"hello"}}},
		"POST /staff/messages/{id}/share":        {path: "/staff/messages/" + msg + "/share", form: url.Values{"shared": {"1"}}},
		"POST /staff/messages/{id}/reply":        {path: "/staff/messages/" + msg + "/reply", form: url.Values{"body": {"thanks"}}},
		"GET /staff/incidents/{id}/messages":     {path: "/staff/incidents/" + inc + "/messages"},
		"GET /staff/incidents/{id}/forward":      {path: "/staff/incidents/" + inc + "/forward?to=abuse@site.test"},
		"POST /staff/incidents/{id}/forward":     {path: "/staff/incidents/" + inc + "/forward", form: url.Values{"to": {"abuse@site.test"}, "body": {"hello"}}},
	}
}

// TestRouteSweep, over SQLite.
func TestRouteSweep(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	routeSweep(t, db)
}

// TestRouteSweepPostgres is the same sweep over PostgreSQL (KEIKAI_TEST_POSTGRES).
func TestRouteSweepPostgres(t *testing.T) {
	dsn := pgtest.DSN(t, "keikai_web_")
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	routeSweep(t, db)
}

// routeSweep builds the real front end over db and takes every route it registers through the
// same checks: a change without a session, without or with a wrong CSRF token, or by a role
// below the route's, is refused and changes nothing; then an administrator exercises every
// route, and the audit entries that were there stay byte for byte, the chain whole.
func routeSweep(t *testing.T, db store.Store) {
	ctx := context.Background()
	svc, err := intake.New(intake.Config{Store: db, Decoders: intake.WebDecoders(intake.DefaultLimits()),
		Analyzer: intake.AssessAnalyzer(bundledEngine(t), time.UTC, "test"), Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	published := fstest.MapFS{"index.html": {Data: []byte("<p>advisories</p>")}}
	h, patterns, err := build(Config{Intake: svc, Store: db, Staff: db, Triage: db, Messages: db, MailFrom: "csirt@keikai.test",
		CSRFKey: []byte("sweep key"), FormRate: 1000, FormBurst: 1000, Published: http.FileServerFS(published),
		Activity: func(ctx context.Context, from, to time.Time) (*activity.Stats, error) {
			return db.Activity(ctx, from, to, 10)
		}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)

	d := seedSweep(t, db)
	routes := sweepRoutes(d)
	for _, p := range patterns {
		if _, ok := routes[p]; !ok {
			t.Errorf("route %q is registered but not in the sweep: add it to sweepRoutes", p)
		}
	}
	for p := range routes {
		if !slices.Contains(patterns, p) {
			t.Errorf("the sweep lists %q, which is not registered", p)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	admin, adminCSRF := signIn(t, db, ts.URL, staff.RoleAdmin)
	analyst, analystCSRF := signIn(t, db, ts.URL, staff.RoleAnalyst)
	reader, readerCSRF := signIn(t, db, ts.URL, staff.RoleReadOnly)
	anonymous := &http.Client{Jar: newJar()}

	send := func(client *http.Client, method, path string, form url.Values, csrf string) int {
		t.Helper()
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if csrf != "" {
			f.Set(csrfField, csrf)
		}
		var body *strings.Reader
		if method == http.MethodGet {
			body = strings.NewReader("")
		} else {
			body = strings.NewReader(f.Encode())
		}
		req, err := http.NewRequest(method, ts.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		if method != http.MethodGet {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := noRedirect(client).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		return resp.StatusCode
	}
	methodOf := func(pattern string) string {
		if m, _, ok := strings.Cut(pattern, " "); ok {
			return m
		}
		return http.MethodPost // a pattern without a method takes every method: try a change
	}

	before := sweepState(t, db, d)
	auditBefore, err := db.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range patterns {
		rt, method := routes[p], methodOf(p)
		staffRoute := strings.Contains(p, " /staff/") && p != "GET /staff/login" && p != "POST /staff/login"
		if method == http.MethodGet {
			// A staff page without a session leads to the login form; the others answer.
			code := send(anonymous, method, rt.path, nil, "")
			if staffRoute && code != http.StatusSeeOther {
				t.Errorf("%s without a session: %d, want 303 to the login", p, code)
			}
			continue
		}
		type attempt struct {
			who    string
			client *http.Client
			csrf   string
			want   []int
		}
		refused := []int{http.StatusForbidden}
		attempts := []attempt{
			{"no session", anonymous, "", refused},
			{"no session, a token", anonymous, strings.Repeat("x", 43), refused},
			{"no token", admin, "", refused},
			{"a wrong token", admin, strings.Repeat("x", 43), refused},
			{"another session's token", admin, analystCSRF, refused},
		}
		if rt.public {
			// Outside the staff gate: the request without the route's own token is refused
			// (403; 401 for the API's missing bearer token; 404 for no route at all).
			refused = []int{http.StatusForbidden, http.StatusUnauthorized, http.StatusNotFound}
			attempts = []attempt{{"no token", anonymous, "", refused}, {"a wrong token", anonymous, strings.Repeat("x", 43), refused}}
		} else {
			if !rt.own {
				attempts = append(attempts, attempt{"read-only", reader, readerCSRF, refused})
			}
			if rt.admin {
				attempts = append(attempts, attempt{"analyst", analyst, analystCSRF, refused})
			}
		}
		for _, a := range attempts {
			code := send(a.client, method, rt.path, rt.form, a.csrf)
			if !slices.Contains(a.want, code) {
				t.Errorf("%s (%s) with %s: %d, want one of %v", p, rt.path, a.who, code, a.want)
			}
			if now := sweepState(t, db, d); now != before {
				t.Fatalf("%s with %s changed the store", p, a.who)
			}
		}
	}

	// Every route exercised by an administrator with a valid token (the session's own logout
	// last): what they change appends entries, and never alters one.
	for _, p := range patterns {
		rt, method := routes[p], methodOf(p)
		if p == "POST /staff/logout" {
			continue
		}
		if code := send(admin, method, rt.path, rt.form, adminCSRF); code >= 500 {
			t.Errorf("%s as an administrator: %d", p, code)
		}
	}
	if code := send(admin, http.MethodPost, routes["POST /staff/logout"].path, nil, adminCSRF); code != http.StatusSeeOther {
		t.Errorf("logout: %d, want 303", code)
	}
	after, err := db.AuditLog(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) <= len(auditBefore) {
		t.Errorf("the administrator's changes appended no audit entry (%d, then %d)", len(auditBefore), len(after))
	}
	for i, e := range auditBefore {
		if i >= len(after) {
			t.Fatalf("audit entry %d is gone", e.ID)
		}
		was, _ := json.Marshal(e)
		now, _ := json.Marshal(after[i])
		if !bytes.Equal(was, now) {
			t.Errorf("audit entry %d changed:\n%s\n%s", e.ID, was, now)
		}
	}
	if id, err := audit.Verify(after); err != nil {
		t.Errorf("the audit chain is broken at %d: %v", id, err)
	}
	// What the administrator did is in the log: the decision, the status, the account changes.
	var actions []string
	for _, e := range after[len(auditBefore):] {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"report.decide", "incident.status", "incident.add_reports", "message.share", "user.role", "user.disable", "user.logout"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no %s among the administrator's entries %v", want, actions)
		}
	}
}
