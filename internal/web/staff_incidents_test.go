package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/intake"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/sqlite"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// incidentHostile is report content that must be shown inert on every staff page: markup, an HTML
// entity, an ANSI colour sequence, a NUL and other control bytes, a right-to-left override and
// the isolates (U+2066-2069).
const incidentHostile = "<script>alert(1)</script> &lt;b&gt; \x1b[31mred\x1b[0m \x00\x07 \u202egnp.exe \u2066a\u2067b\u2068c\u2069"

// staffFixture is a real SQLite store holding reports with incidentHostile content, one decision, an
// incident with a note, and the staff handler over it.
type staffFixture struct {
	h       *handler
	db      store.Store
	reports []report.Receipt
	inc     int64
}

var fixedNow = time.Date(2000, 7, 1, 9, 0, 0, 0, time.UTC)

func newStaffFixture(t *testing.T) *staffFixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &staffFixture{db: db}
	statd := finding.Finding{Rule: "statd-format-string", Title: "statd format string attack", TitleJa: "statd の書式文字列攻撃",
		Level: "critical", Category: taxonomy.Intrusion, RSIT: "intrusions:system-compromise", Advisories: []string{"JPCERT-E-INF-98-0001"},
		Time: "2000-04-03T12:34:56Z", SourceIP: "198.51.100.23", Excerpt: `statd[415]: attempt to create "/var/statmon/sm//../..\x90\x90` + incidentHostile}
	for i, a := range []*report.Analysis{
		{Category: taxonomy.Intrusion, RSIT: "intrusions:system-compromise", Findings: []finding.Finding{statd}, Advisories: []string{"JPCERT-E-INF-98-0001"},
			Content: report.Content{Subject: "statd " + incidentHostile, Description: "desc " + incidentHostile, SourceHosts: []string{"198.51.100.23"},
				Parts: []report.Part{{Kind: report.PartAttachment, Name: "messages " + incidentHostile, ContentType: "text/plain",
					Text: []byte("Apr  3 12:34:56 nfs1 statd[415]: attempt to create \"/var/statmon/sm//../..\x90\x90" + incidentHostile + "\xff\n")}},
				Reporter: report.Reporter{Name: "山田 " + incidentHostile, Email: "taro@example.co.jp"}},
			Observables: []report.Observable{{Kind: report.ObservableIP, Value: "198.51.100.23", Count: 2}, {Kind: report.ObservableHostname, Value: "h" + incidentHostile, Count: 1}},
			Warnings:    []string{"charset " + incidentHostile}},
		{Category: taxonomy.Intrusion, RSIT: "intrusions:system-compromise", Findings: []finding.Finding{statd},
			Content: report.Content{SourceHosts: []string{"198.51.100.23"}}},
		{Category: taxonomy.Probe, RSIT: "information-gathering:scanner", Findings: []finding.Finding{{Rule: "portmap-probe", Title: "portmap probe", Category: taxonomy.Probe, SourceIP: "198.51.100.77", Time: "2000-04-03T13:00:00Z"}},
			Observables: []report.Observable{{Kind: report.ObservableIP, Value: "198.51.100.77", Count: 1}}},
		nil,
	} {
		secret, hash, err := intake.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		rc, err := db.Insert(ctx, &report.Submission{Channel: report.ChannelSMTP, ReceivedAt: time.Date(2000, 4, 3+i, 10, 0, 0, 0, time.UTC),
			Raw: []byte("Subject: " + incidentHostile + "\r\n\r\nline two " + incidentHostile + "\r\n\xff\xfe")}, hash)
		if err != nil {
			t.Fatal(err)
		}
		rc.StatusSecret = secret
		f.reports = append(f.reports, rc)
		if a == nil {
			continue
		}
		jobs, err := db.Claim(ctx, "test", 10, time.Minute)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("Claim: %v %v", jobs, err)
		}
		a.AnalysedAt = rc.ReceivedAt.Add(time.Minute)
		if err := db.Complete(ctx, jobs[0], a); err != nil {
			t.Fatal(err)
		}
	}
	who := audit.Actor{UserID: 2, Name: "analyst " + incidentHostile}
	if err := db.DecideReport(ctx, f.reports[2].ID, taxonomy.DoS, "availability:dos", "note "+incidentHostile, who); err != nil {
		t.Fatal(err)
	}
	in, err := db.CreateIncident(ctx, "statd "+strings.ReplaceAll(incidentHostile, "\x00", ""), []int64{f.reports[0].ID}, who)
	if err != nil {
		t.Fatal(err)
	}
	f.inc = in.ID
	if _, err := db.AddIncidentNote(ctx, in.ID, "called the site "+incidentHostile, who); err != nil {
		t.Fatal(err)
	}
	// The incident's thread: a forward of the incident, a site's hostile reply to it, and what the
	// reporter added on the status page; and the first report's own decision.
	if err := db.DecideReport(ctx, f.reports[0].ID, taxonomy.Intrusion, "intrusions:system-compromise", "", who); err != nil {
		t.Fatal(err)
	}
	for _, m := range []store.Message{
		{ReportID: f.reports[0].ID, IncidentID: in.ID, Direction: store.Outbound, Kind: store.MessageForward, MessageID: "fwd-1@keikai.test",
			Subject: "[" + f.reports[0].Tracking + "] forward", From: "csirt@keikai.test", To: []string{"abuse@site.test"}, ContentType: "message/rfc822",
			Raw: []byte("From: csirt@keikai.test\r\nTo: abuse@site.test\r\nSubject: forward\r\nMessage-ID: <fwd-1@keikai.test>\r\n\r\nforwarded excerpt\r\n"), At: fixedNow},
		{ReportID: f.reports[0].ID, IncidentID: in.ID, Direction: store.Inbound, Kind: store.MessageReply, MessageID: "reply-1@site.test", InReplyTo: "fwd-1@keikai.test",
			Subject: "Re: " + incidentHostile, From: "site " + incidentHostile + " <abuse@site.test>", ContentType: "message/rfc822",
			Raw: []byte("From: abuse@site.test\r\nSubject: Re: forward\r\nMessage-ID: <reply-1@site.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nreply " + incidentHostile + "\r\n\xff\xfe\r\n"), At: fixedNow.Add(time.Minute)},
	} {
		if _, _, err := db.AddMessage(ctx, m, who); err != nil {
			t.Fatal(err)
		}
	}
	f.h = &handler{cfg: Config{Store: db, Triage: db, Messages: db, Zone: time.UTC, Now: func() time.Time { return fixedNow },
		Activity: func(ctx context.Context, from, to time.Time) (*activity.Stats, error) {
			return db.Activity(ctx, from, to, 10)
		}},
		log: slog.New(slog.DiscardHandler), pages: mustPages(t)}
	return f
}

// get runs a staff page's handler as the session s sees it.
func (f *staffFixture) get(t *testing.T, fn func(http.ResponseWriter, *http.Request, *staffSession), path string, values map[string]string, s *staffSession) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	for k, v := range values {
		r.SetPathValue(k, v)
	}
	w := httptest.NewRecorder()
	fn(w, r, s)
	return w
}

var nowRE = regexp.MustCompile(`\d{4}-\d\d-\d\d( |T)\d\d:\d\d:\d\d( UTC|Z)`)

// stable replaces the times of this run (decisions, incidents and notes are made now) and the
// year in incident references.
func stableTimes(body string) string {
	// Within a day of now rather than "today's date", so that a run across midnight UTC agrees.
	now := time.Now()
	body = nowRE.ReplaceAllStringFunc(body, func(s string) string {
		t, err := time.Parse("2006-01-02 15:04:05", strings.NewReplacer("T", " ", "Z", "", " UTC", "").Replace(s))
		if err == nil && now.Sub(t).Abs() < 24*time.Hour {
			return "NOW"
		}
		return s
	})
	return regexp.MustCompile(`IN-\d{4}-`).ReplaceAllString(body, "IN-YYYY-")
}

// staffPages renders every staff page of this part in both languages.
func (f *staffFixture) pages(t *testing.T, s *staffSession) map[string]*httptest.ResponseRecorder {
	out := map[string]*httptest.ResponseRecorder{}
	h := f.h
	tracking := f.reports[0].Tracking
	inc := idText(f.inc)
	for _, lang := range []string{"en", "ja"} {
		for name, req := range map[string]struct {
			fn     func(http.ResponseWriter, *http.Request, *staffSession)
			path   string
			values map[string]string
		}{
			"staff_queue":           {h.staffQueue, "/staff/?lang=" + lang, nil},
			"staff_queue-filtered":  {h.staffQueue, "/staff/?decided=no&category=intrusion&source=198.51.100.0/24&from=2000-04-01&to=2000-06-30&lang=" + lang, nil},
			"staff_report":          {h.staffReport, "/staff/reports/" + tracking + "?lang=" + lang, map[string]string{"tracking": tracking}},
			"staff_report-decided":  {h.staffReport, "/staff/reports/" + f.reports[2].Tracking + "?lang=" + lang, map[string]string{"tracking": f.reports[2].Tracking}},
			"staff_incidents":       {h.staffIncidents, "/staff/incidents?lang=" + lang, nil},
			"staff_incident":        {h.staffIncident, "/staff/incidents/" + inc + "?lang=" + lang, map[string]string{"id": inc}},
			"staff_search-network":  {h.staffSearch, "/staff/search?q=198.51.100.0/24&lang=" + lang, nil},
			"staff_search-advisory": {h.staffSearch, "/staff/search?q=JPCERT-E-INF-98-0001&lang=" + lang, nil},
			"staff_audit":           {h.staffAudit, "/staff/audit?lang=" + lang, nil},
			"staff_audit-incident":  {h.staffAudit, "/staff/audit?object=incident&id=" + inc + "&lang=" + lang, nil},
			"staff_activity":        {h.staffActivity, "/staff/activity?from=2000-04-01&to=2000-06-30&lang=" + lang, nil},
		} {
			out[name+"."+lang] = f.get(t, req.fn, req.path, req.values, s)
		}
	}
	return out
}

func analystSession() *staffSession {
	return &staffSession{User: staff.User{ID: 2, Name: "analyst", Role: staff.RoleAnalyst}, CSRF: "CSRF-TOKEN"}
}

// TestStaffPagesGolden renders every staff page of triage and incidents in both languages.
func TestIncidentPagesGolden(t *testing.T) {
	f := newStaffFixture(t)
	for name, w := range f.pages(t, analystSession()) {
		if w.Code != http.StatusOK {
			t.Errorf("%s: status %d\n%s", name, w.Code, w.Body.String())
			continue
		}
		if got := w.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", name, got)
		}
		body := w.Body.String()
		if regexp.MustCompile(`>[a-z]+\.[a-z.]+<`).MatchString(body) {
			t.Errorf("%s shows a message key instead of its text", name)
		}
		golden(t, name+".html", stableTimes(body))
	}
}

// TestStaffPagesInert: what a report, a note or a name says is shown as text on every page:
// no markup, no entity decoded twice, no control byte, escape sequence or direction override
// reaches the browser.
func TestIncidentPagesInert(t *testing.T) {
	f := newStaffFixture(t)
	for name, w := range f.pages(t, analystSession()) {
		body := w.Body.String()
		for _, bad := range []string{"<script", "\x1b", "\x00", "\x07", "\u202e", "&lt;b&gt;", "\xff"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q raw", name, bad)
			}
		}
	}
	report := f.get(t, f.h.staffReport, "/staff/reports/x?lang=en", map[string]string{"tracking": f.reports[0].Tracking}, analystSession()).Body.String()
	for _, want := range []string{
		`&lt;script&gt;alert(1)&lt;/script&gt;`, // markup as text
		`&amp;lt;b&amp;gt;`,                     // the entity as the reporter wrote it
		`\x1b[31mred\x1b[0m`,                    // the ANSI sequence visible
		`\x00\x07`,                              // control bytes visible
		`\u202egnp.exe`,                         // the override visible, the name not reversed
		`\xff\xfe`,                              // invalid UTF-8 of the raw submission
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report page does not show %s", want)
		}
	}
}

// idText is an ID as a path or form shows it.
func idText(v int64) string { return strconv.FormatInt(v, 10) }

// post runs a staff change's handler with a form, as the session s.
func (f *staffFixture) post(t *testing.T, fn func(http.ResponseWriter, *http.Request, *staffSession), values map[string]string, form url.Values, s *staffSession) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", "/staff/x", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range values {
		r.SetPathValue(k, v)
	}
	w := httptest.NewRecorder()
	fn(w, r, s)
	return w
}

// TestStaffChanges walks the analyst's changes through the handlers: each answers with a
// redirect to the page that shows it, and the store holds the change.
func TestIncidentChanges(t *testing.T) {
	f := newStaffFixture(t)
	ctx := context.Background()
	s := analystSession()
	h := f.h
	seeOtherTo := func(w *httptest.ResponseRecorder, prefix string) {
		t.Helper()
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), prefix) {
			t.Fatalf("answer %d to %q, want 303 to %s...\n%s", w.Code, w.Header().Get("Location"), prefix, w.Body.String())
		}
	}
	r1 := f.reports[1]
	w := f.post(t, h.staffDecide, map[string]string{"tracking": r1.Tracking},
		url.Values{"category": {"worm"}, "rsit": {""}, "note": {"slapper"}, "lang": {"ja"}}, s)
	seeOtherTo(w, "/staff/reports/"+r1.Tracking+"?lang=ja")
	row, err := f.db.TriageRow(ctx, r1.ID)
	if err != nil || row.Decision == nil || row.Decision.Category != "worm" || row.Decision.RSIT != "malicious-code:infected-system" || row.Decision.By.UserID != 2 {
		t.Fatalf("after the decision form: %+v, %v", row.Decision, err)
	}
	if w := f.post(t, h.staffDecide, map[string]string{"tracking": r1.Tracking}, url.Values{"category": {"bogus"}}, s); w.Code != http.StatusBadRequest {
		t.Errorf("an unknown category: %d, want 400", w.Code)
	}
	if w := f.post(t, h.staffDecide, map[string]string{"tracking": "KK-2000-999999"}, url.Values{"category": {"worm"}}, s); w.Code != http.StatusNotFound {
		t.Errorf("an unknown report: %d, want 404", w.Code)
	}

	// The suggestion's reports into the existing incident, then a new incident of another.
	w = f.post(t, h.staffCreateIncident, nil, url.Values{"report": {idText(f.reports[0].ID), idText(r1.ID)}, "incident": {idText(f.inc)}}, s)
	seeOtherTo(w, "/staff/incidents/"+idText(f.inc))
	w = f.post(t, h.staffReportIncident, map[string]string{"tracking": f.reports[2].Tracking}, url.Values{"incident": {"new"}, "title": {"portmap probes"}}, s)
	seeOtherTo(w, "/staff/incidents/")
	newID, _ := strconv.ParseInt(strings.TrimPrefix(strings.Split(w.Header().Get("Location"), "?")[0], "/staff/incidents/"), 10, 64)
	if w := f.post(t, h.staffReportIncident, map[string]string{"tracking": f.reports[2].Tracking}, url.Values{"incident": {idText(f.inc)}}, s); w.Code != http.StatusConflict {
		t.Errorf("a report into a second incident: %d, want 409", w.Code)
	}
	change := func(id int64, what string, form url.Values) *httptest.ResponseRecorder {
		return f.post(t, h.staffChangeIncident, map[string]string{"id": idText(id), "change": what}, form, s)
	}
	seeOtherTo(change(f.inc, "status", url.Values{"status": {"coordinating"}}), "/staff/incidents/")
	if w := change(f.inc, "status", url.Values{"status": {"new"}}); w.Code != http.StatusBadRequest {
		t.Errorf("back to new: %d, want 400", w.Code)
	}
	seeOtherTo(change(f.inc, "tlp", url.Values{"tlp": {"RED"}}), "/staff/incidents/")
	seeOtherTo(change(f.inc, "assign", url.Values{"assignee": {"me"}}), "/staff/incidents/")
	seeOtherTo(change(f.inc, "notes", url.Values{"note": {"phoned the site"}}), "/staff/incidents/")
	seeOtherTo(change(f.inc, "reports", url.Values{"tracking": {f.reports[3].Tracking}}), "/staff/incidents/")
	seeOtherTo(change(f.inc, "merge", url.Values{"from": {idText(newID)}}), "/staff/incidents/")
	in, err := f.db.GetIncident(ctx, f.inc)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != "coordinating" || in.TLP != "RED" || in.Assignee != 2 || len(in.Notes) != 2 || len(in.Reports) != 4 {
		t.Fatalf("incident after the changes: %+v", in)
	}
	w = change(f.inc, "split", url.Values{"report": {idText(f.reports[2].ID)}, "title": {"the probe, apart"}})
	seeOtherTo(w, "/staff/incidents/")
	if in, _ := f.db.GetIncident(ctx, f.inc); len(in.Reports) != 3 {
		t.Errorf("after the split the incident holds %v", in.Reports)
	}
	if w := change(f.inc, "delete", nil); w.Code != http.StatusNotFound {
		t.Errorf("an unknown change: %d, want 404", w.Code)
	}
	// The merged incident's page shows where it went and offers no change.
	page := f.get(t, h.staffIncident, "/staff/incidents/x?lang=en", map[string]string{"id": idText(newID)}, s).Body.String()
	if !strings.Contains(page, "was merged into") || strings.Contains(page, `action="/staff/incidents/`) {
		t.Errorf("the merged incident's page:\n%s", page)
	}
}

// TestStaffSearch: a tracking number and an incident reference lead to their pages; a network,
// a rule and an advisory list reports.
func TestIncidentSearch(t *testing.T) {
	f := newStaffFixture(t)
	s := analystSession()
	in, err := f.db.GetIncident(context.Background(), f.inc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q        string
		code     int
		location string
		contains string
	}{
		{strings.ToLower(f.reports[1].Tracking), http.StatusSeeOther, "/staff/reports/" + f.reports[1].Tracking, ""},
		{in.Ref, http.StatusSeeOther, "/staff/incidents/" + idText(f.inc), ""},
		{"KK-2000-999999", http.StatusOK, "", "Nothing found"},
		{"IN-2000-9999", http.StatusOK, "", "Nothing found"},
		{"198.51.100.77", http.StatusOK, "", f.reports[2].Tracking},
		{"statd-format-string", http.StatusOK, "", f.reports[1].Tracking},
		{"JPCERT-E-INF-98-0001", http.StatusOK, "", f.reports[0].Tracking},
	} {
		w := f.get(t, f.h.staffSearch, "/staff/search?lang=en&q="+url.QueryEscape(tc.q), nil, s)
		if w.Code != tc.code || !strings.HasPrefix(w.Header().Get("Location"), tc.location) || !strings.Contains(w.Body.String(), tc.contains) {
			t.Errorf("search %q: %d to %q, want %d to %q showing %q", tc.q, w.Code, w.Header().Get("Location"), tc.code, tc.location, tc.contains)
		}
	}
	if w := f.get(t, f.h.staffQueue, "/staff/?source=not-an-address", nil, s); w.Code != http.StatusBadRequest {
		t.Errorf("a queue filter with a bad source: %d, want 400", w.Code)
	}
}

// TestIncidentQueuePaging: the queue shows 50 reports a page, newest first, and links the next.
func TestIncidentQueuePaging(t *testing.T) {
	f := newStaffFixture(t)
	ctx := context.Background()
	for i := range 60 {
		if _, err := f.db.Insert(ctx, &report.Submission{Channel: report.ChannelAPI, ReceivedAt: time.Date(2000, 5, 1, 0, i, 0, 0, time.UTC), Raw: []byte{byte(i)}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	path, pages := "/staff/?lang=en&state=received", 0
	for path != "" {
		pages++
		body := f.get(t, f.h.staffQueue, path, nil, analystSession()).Body.String()
		for _, m := range regexp.MustCompile(`class="tracking" href="/staff/reports/(KK-\d+-\d+)`).FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("%s listed twice", m[1])
			}
			seen[m[1]] = true
		}
		path = ""
		if m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	// 60 new reports and the fixture's one waiting for analysis.
	if pages != 2 || len(seen) != 61 {
		t.Errorf("%d pages, %d reports; want 2 pages of 61 reports", pages, len(seen))
	}
}

// FuzzVisible: nothing a browser would interpret as a control, an escape sequence or a change
// of direction survives visible.
func FuzzVisible(f *testing.F) {
	f.Add(incidentHostile)
	f.Add("\u2066\u2067\u2068\u2069\u200e\u200f\u061c\ufeff")
	f.Fuzz(func(t *testing.T, s string) {
		v := visible(s)
		if !utf8.ValidString(v) {
			t.Fatalf("visible(%q) = %q is not valid UTF-8", s, v)
		}
		for _, r := range v {
			if r != '\n' && r != ' ' && (!unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r)) {
				t.Fatalf("visible(%q) = %q keeps %U", s, v, r)
			}
		}
	})
}

// TestIncidentRoutesGate drives the routes of this part over HTTP through the real staff gate:
// without a session a page leads to the login and a change is refused; a read-only user reads
// every page and changes nothing (403, the store and the audit log as they were); an analyst's
// change needs the session's CSRF token.
func TestIncidentRoutesGate(t *testing.T) {
	s := newServer(t, func(c *Config) {
		c.Triage = c.Store.(TriageStore)
		c.Activity = func(ctx context.Context, from, to time.Time) (*activity.Stats, error) {
			return c.Triage.(store.Activity).Activity(ctx, from, to, 10)
		}
	})
	ctx := context.Background()
	var tracking []string
	var ids []int64
	for i := range 2 {
		rc, err := s.store.Insert(ctx, &report.Submission{Channel: report.ChannelAPI, ReceivedAt: time.Date(2000, 4, 3+i, 0, 0, 0, 0, time.UTC), Raw: []byte("probe " + incidentHostile)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tracking, ids = append(tracking, rc.Tracking), append(ids, rc.ID)
	}
	in, err := s.store.CreateIncident(ctx, "statd", []int64{ids[0]}, audit.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.store.CreateIncident(ctx, "other", nil, audit.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	inc := idText(in.ID)
	pages := []string{"/staff/", "/staff/?decided=no&source=198.51.100.0/24", "/staff/reports/" + tracking[0], "/staff/incidents",
		"/staff/incidents/" + inc, "/staff/search?q=198.51.100.23", "/staff/activity?from=2000-04-01&to=2000-06-30", "/staff/audit"}
	changes := []struct {
		path string
		form url.Values
	}{
		{"/staff/reports/" + tracking[1] + "/decide", url.Values{"category": {"intrusion"}}},
		{"/staff/reports/" + tracking[1] + "/incident", url.Values{"incident": {"new"}, "title": {"t"}}},
		{"/staff/incidents", url.Values{"title": {"t"}, "report": {idText(ids[1])}}},
		{"/staff/incidents/" + inc + "/status", url.Values{"status": {"triage"}}},
		{"/staff/incidents/" + inc + "/assign", url.Values{"assignee": {"me"}}},
		{"/staff/incidents/" + inc + "/tlp", url.Values{"tlp": {"RED"}}},
		{"/staff/incidents/" + inc + "/notes", url.Values{"note": {"n"}}},
		{"/staff/incidents/" + inc + "/reports", url.Values{"tracking": {tracking[1]}}},
		{"/staff/incidents/" + inc + "/merge", url.Values{"from": {idText(other.ID)}}},
		{"/staff/incidents/" + inc + "/split", url.Values{"report": {idText(ids[0])}, "title": {"t"}}},
	}
	state := func() string {
		t.Helper()
		var entries []audit.Entry
		for _, kind := range []audit.Kind{audit.KindReport, audit.KindIncident} {
			e, err := s.store.AuditLog(ctx, store.AuditFilter{Object: kind})
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, e...)
		}
		a, _ := s.store.GetIncident(ctx, in.ID)
		b, _ := s.store.GetIncident(ctx, other.ID)
		row, _ := s.store.TriageRow(ctx, ids[1])
		return fmt.Sprintf("audit %d; %s %s %s %d %v %d; %s %s; decided %v incident %d",
			len(entries), a.Status, a.TLP, a.AssigneeName, len(a.Notes), a.Reports, a.MergedInto, b.Status, b.TLP, row.Decision != nil, row.Incident)
	}
	before := state()
	post := func(c *http.Client, path string, form url.Values, csrf string) int {
		t.Helper()
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if csrf != "" {
			f.Set("csrf_token", csrf)
		}
		resp, err := noRedirect(c).PostForm(s.URL+path, f)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		return resp.StatusCode
	}
	get := func(c *http.Client, path string) (*http.Response, string) {
		t.Helper()
		resp, err := noRedirect(c).Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
	}

	anonymous := &http.Client{Jar: newJar()}
	for _, p := range pages {
		if resp, _ := get(anonymous, p); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/login?next=") {
			t.Errorf("GET %s without a session: %d to %q, want 303 to the login", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, c := range changes {
		if code := post(anonymous, c.path, c.form, "forged"); code != http.StatusForbidden {
			t.Errorf("POST %s without a session: %d, want 403", c.path, code)
		}
	}

	ro, roCSRF := signIn(t, s.store, s.URL, staff.RoleReadOnly)
	for _, p := range pages {
		resp, body := get(ro, p)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s as read-only: %d, Cache-Control %q; want 200, no-store", p, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		if strings.Contains(body, `method="post" action="/staff/reports/`) || strings.Contains(body, `method="post" action="/staff/incidents`) {
			t.Errorf("GET %s as read-only offers a form that changes something", p)
		}
		for _, bad := range []string{"<script", "\x1b", "\u202e"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s shows %q raw", p, bad)
			}
		}
	}
	for _, c := range changes {
		if code := post(ro, c.path, c.form, roCSRF); code != http.StatusForbidden {
			t.Errorf("POST %s as read-only: %d, want 403", c.path, code)
		}
	}
	an, anCSRF := signIn(t, s.store, s.URL, staff.RoleAnalyst)
	for _, c := range changes {
		if code := post(an, c.path, c.form, ""); code != http.StatusForbidden {
			t.Errorf("POST %s as analyst without the CSRF token: %d, want 403", c.path, code)
		}
		if code := post(an, c.path, c.form, roCSRF); code != http.StatusForbidden {
			t.Errorf("POST %s as analyst with another session's CSRF token: %d, want 403", c.path, code)
		}
	}
	if after := state(); after != before {
		t.Fatalf("refused requests changed something:\n before %s\n after  %s", before, after)
	}
	// GET on a change is no change either.
	for _, c := range changes[3:4] {
		if resp, _ := get(an, c.path+"?"+c.form.Encode()); resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 405 or 404", c.path, resp.StatusCode)
		}
	}
	for _, c := range changes[:1] {
		if code := post(an, c.path, c.form, anCSRF); code != http.StatusSeeOther {
			t.Errorf("POST %s as analyst with the CSRF token: %d, want 303", c.path, code)
		}
	}
	if row, _ := s.store.TriageRow(ctx, ids[1]); row.Decision == nil || row.Decision.Category != "intrusion" {
		t.Errorf("the analyst's decision was not stored: %+v", row.Decision)
	}
	entries, _ := s.store.AuditLog(ctx, store.AuditFilter{Object: audit.KindReport, ObjectID: ids[1]})
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Actor.Name, "analyst") {
		t.Errorf("the decision's audit entry: %+v", entries)
	}
	resp, _ := get(an, "/staff/activity?from=2000-04-01&to=2000-06-30")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, activity.StyleSheetHash()) || strings.Contains(csp, "script-src") {
		t.Errorf("/staff/activity's Content-Security-Policy %q does not allow the report's style sheet by its hash alone", csp)
	}
}

// TestIncidentPageThreadAndTimeline: the incident page shows its thread inline (its own messages
// and its reports', oldest first, with the analyst's forms) and a timeline with the decisions of
// its reports; the report page shows its thread with the incident's messages.
func TestIncidentPageThreadAndTimeline(t *testing.T) {
	f := newStaffFixture(t)
	tracking := f.reports[0].Tracking
	page := f.get(t, f.h.staffIncident, "/staff/incidents/x?lang=en", map[string]string{"id": idText(f.inc)}, analystSession()).Body.String()
	fwd, reply := strings.Index(page, `id="message-1"`), strings.Index(page, `id="message-2"`)
	if fwd < 0 || reply < fwd {
		t.Fatalf("the incident page does not show its thread oldest first (forward at %d, reply at %d)", fwd, reply)
	}
	for _, want := range []string{
		`<section class="thread" id="thread">`,
		`action="/staff/messages/2/share?lang=en"`,
		"decided the category",
		tracking + " System intrusion intrusions:system-compromise",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the incident page lacks %q", want)
		}
	}
	if strings.Contains(page, f.reports[2].Tracking+" dos") {
		t.Error("the incident's timeline shows the decision of a report outside it")
	}
	ro := &staffSession{User: staff.User{ID: 3, Name: "reader", Role: staff.RoleReadOnly}, CSRF: "CSRF-TOKEN"}
	if page := f.get(t, f.h.staffIncident, "/staff/incidents/x?lang=en", map[string]string{"id": idText(f.inc)}, ro).Body.String(); strings.Contains(page, "/share?") || !strings.Contains(page, `id="message-2"`) {
		t.Error("a read-only user sees the thread without the analyst's forms: not so")
	}
	for _, tr := range []string{tracking, f.reports[2].Tracking} {
		page := f.get(t, f.h.staffReport, "/staff/reports/x?lang=ja", map[string]string{"tracking": tr}, analystSession()).Body.String()
		has := strings.Contains(page, `id="message-1"`) && strings.Contains(page, `id="message-2"`)
		if has != (tr == tracking) {
			t.Errorf("report %s shows the incident's forward and reply: %v, want %v", tr, has, tr == tracking)
		}
	}
}

// TestStatusPageShowsDecisionOnly: the reporter's status page names the analyst's decided
// category (the suggestion where there is none) and nothing else of the triage: no note, no
// analyst, no incident, no TLP, no other report, not even an incident's forward shared with them.
func TestStatusPageShowsDecisionOnly(t *testing.T) {
	f := newStaffFixture(t)
	ctx := context.Background()
	who := audit.Actor{UserID: 2, Name: "Sato Hanako"}
	if err := f.db.SetIncidentTLP(ctx, f.inc, "AMBER", who); err != nil {
		t.Fatal(err)
	}
	// The incident's forward (message 1) shared by mistake, and a message of the report's own.
	if err := f.db.ShareMessage(ctx, 1, true, who); err != nil {
		t.Fatal(err)
	}
	own, _, err := f.db.AddMessage(ctx, store.Message{ReportID: f.reports[0].ID, Direction: store.Outbound, Kind: store.MessageReply, MessageID: "own@keikai.test",
		Subject: "about your report", ContentType: "text/plain; charset=utf-8", Raw: []byte("text=thank+you"), Shared: true}, who)
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.db.GetIncident(ctx, f.inc)
	if err != nil {
		t.Fatal(err)
	}
	name := func(key string) string { c, _ := taxonomy.CategoryByKey(key); return c.En }
	for _, tc := range []struct {
		rep  report.Receipt
		want string
		not  []string
	}{
		{f.reports[2], name(taxonomy.DoS), []string{name(taxonomy.Probe), "note", "availability:dos"}},
		{f.reports[1], name(taxonomy.Intrusion), nil},
		{f.reports[0], name(taxonomy.Intrusion), []string{in.Ref, "AMBER", "called the site", "forwarded excerpt", `id="message-1"`, "abuse@site.test"}},
	} {
		r := httptest.NewRequest("GET", "/status/"+tc.rep.StatusSecret+"?lang=en", nil)
		r.SetPathValue("secret", tc.rep.StatusSecret)
		w := httptest.NewRecorder()
		f.h.status(w, r)
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, "<dd>"+tc.want+"</dd>") {
			t.Errorf("%s: status %d, want the category %q\n%s", tc.rep.Tracking, w.Code, tc.want, body)
		}
		not := append(tc.not, "Sato Hanako", "statd", "<script")
		for _, rc := range f.reports {
			if rc.ID != tc.rep.ID {
				not = append(not, rc.Tracking)
			}
		}
		for _, bad := range not {
			if strings.Contains(body, bad) {
				t.Errorf("%s: the status page shows %q", tc.rep.Tracking, bad)
			}
		}
		if tc.rep.ID == f.reports[0].ID && !strings.Contains(body, "message-"+idText(own.ID)) {
			t.Errorf("%s: the report's own shared message is missing", tc.rep.Tracking)
		}
	}
}

// TestForwardNamesTheDecision: a forward names the analyst's decided category, not keikai's
// suggestion, on the review page and in its text.
func TestForwardNamesTheDecision(t *testing.T) {
	f := newStaffFixture(t)
	f.h.cfg.MailFrom = "csirt@keikai.test"
	tr := f.reports[2].Tracking // suggested probe, decided dos
	r := httptest.NewRequest("GET", "/staff/reports/"+tr+"/forward?to=abuse@site.test&lang=en", nil)
	r.SetPathValue("tracking", tr)
	w := httptest.NewRecorder()
	f.h.reportForward(w, r, analystSession())
	dos, _ := taxonomy.CategoryByKey(taxonomy.DoS)
	probe, _ := taxonomy.CategoryByKey(taxonomy.Probe)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, dos.En) || strings.Contains(body, probe.En) {
		t.Errorf("the forward of a report decided %q: status %d, names %q: %v, names the suggestion %q: %v",
			taxonomy.DoS, w.Code, dos.En, strings.Contains(body, dos.En), probe.En, strings.Contains(body, probe.En))
	}
}

// TestIncidentForwardNotShareable: an incident's forward carries other reports' excerpts: the
// thread offers no share button for it, and a crafted request to share it is refused.
func TestIncidentForwardNotShareable(t *testing.T) {
	f := newStaffFixture(t)
	page := f.get(t, f.h.staffIncident, "/staff/incidents/x?lang=en", map[string]string{"id": idText(f.inc)}, analystSession()).Body.String()
	if strings.Contains(page, `action="/staff/messages/1/share`) {
		t.Error("the incident's forward has a share button")
	}
	w := f.post(t, f.h.shareMessage, map[string]string{"id": "1"}, url.Values{"shared": {"1"}}, analystSession())
	if w.Code != http.StatusBadRequest {
		t.Errorf("sharing the incident's forward: %d, want 400", w.Code)
	}
	if m, err := f.db.Message(context.Background(), 1); err != nil || m.Shared {
		t.Errorf("the incident's forward after the refused share: shared %v, %v", m.Shared, err)
	}
}
