package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/store"
)

// TestHostileContentInert: one report whose raw submission, reporter fields, log excerpts, mail
// subject and From and a reply carry markup, an entity, control bytes, ANSI escapes, bidi
// overrides and isolates and invalid UTF-8, shown on every page that shows it: each page is
// valid UTF-8 with none of them raw, the entity as typed, and the content there, visibly.
func TestHostileContentInert(t *testing.T) {
	f := newStaffFixture(t)
	ctx := context.Background()
	// A hostile reply on the report's own thread, shared: the status page shows it.
	_, _, err := f.db.AddMessage(ctx, store.Message{ReportID: f.reports[0].ID, Direction: store.Inbound, Kind: store.MessageReply, MessageID: "hostile@site.test",
		Subject: "Re: " + incidentHostile + "\xff", From: incidentHostile + " <abuse@site.test>", ContentType: "message/rfc822", Shared: true,
		Raw: []byte("From: \"\x1b[31m\u202e\" <abuse@site.test>\r\nSubject: =?utf-8?q?=E2=80=AE=1B[31m?=\r\nMessage-ID: <hostile@site.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + incidentHostile + "\r\n\xff\xfe\r\n")},
		audit.Actor{Name: "keikai"})
	if err != nil {
		t.Fatal(err)
	}
	tracking, inc := f.reports[0].Tracking, idText(f.inc)
	f.h.cfg.MailFrom = "csirt@keikai.test"
	pages := []struct {
		name   string
		serve  func(w http.ResponseWriter, r *http.Request)
		path   string
		values map[string]string
		// shows: the page shows the hostile text (escaped), not only survives it.
		shows bool
	}{
		{"queue", staffAs(f.h.staffQueue), "/staff/?source=" + url.QueryEscape(incidentHostile), nil, true},
		{"report", staffAs(f.h.staffReport), "/staff/reports/" + tracking, map[string]string{"tracking": tracking}, true},
		{"incidents", staffAs(f.h.staffIncidents), "/staff/incidents", nil, true},
		{"incident", staffAs(f.h.staffIncident), "/staff/incidents/" + inc, map[string]string{"id": inc}, true},
		{"report thread", staffAs(f.h.reportMessages), "/staff/reports/" + tracking + "/messages", map[string]string{"tracking": tracking}, true},
		{"incident thread", staffAs(f.h.incidentMessages), "/staff/incidents/" + inc + "/messages", map[string]string{"id": inc}, true},
		{"forward preview", staffAs(f.h.reportForward), "/staff/reports/" + tracking + "/forward?to=abuse@site.test&site=198.51.100.0/24", map[string]string{"tracking": tracking}, true},
		{"incident forward preview", staffAs(f.h.incidentForward), "/staff/incidents/" + inc + "/forward?to=abuse@site.test", map[string]string{"id": inc}, true},
		{"search", staffAs(f.h.staffSearch), "/staff/search?q=" + url.QueryEscape(incidentHostile+"\xff"), nil, true},
		{"search by network", staffAs(f.h.staffSearch), "/staff/search?q=198.51.100.0/24", nil, false},
		{"audit", staffAs(f.h.staffAudit), "/staff/audit", nil, true},
		{"status", f.h.status, "/status/" + f.reports[0].StatusSecret, map[string]string{"secret": f.reports[0].StatusSecret}, true},
	}
	for _, p := range pages {
		for _, lang := range []string{"en", "ja"} {
			t.Run(p.name+"."+lang, func(t *testing.T) {
				sep := "?"
				if strings.Contains(p.path, "?") {
					sep = "&"
				}
				r := httptest.NewRequest("GET", p.path+sep+"lang="+lang, nil)
				for k, v := range p.values {
					r.SetPathValue(k, v)
				}
				w := httptest.NewRecorder()
				p.serve(w, r)
				body := w.Body.String()
				if w.Code >= 500 {
					t.Fatalf("status %d\n%s", w.Code, body)
				}
				if !utf8.ValidString(body) {
					t.Error("the page is not valid UTF-8")
				}
				for _, c := range body {
					if (c < ' ' && c != '\n' && c != '\r' && c != '\t') || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) {
						t.Errorf("the page carries %U raw", c)
						break
					}
				}
				for _, bad := range []string{"<script", "&lt;b&gt;"} {
					if strings.Contains(body, bad) {
						t.Errorf("the page carries %q: markup live or an entity decoded", bad)
					}
				}
				if p.shows {
					for _, want := range []string{"&lt;script&gt;", `\u202e`, `\u2066`} {
						if !strings.Contains(body, want) {
							t.Errorf("the page does not show %s: the hostile content is not there to check", want)
						}
					}
				}
			})
		}
	}
}

// staffAs serves a staff handler as an analyst's session.
func staffAs(fn func(http.ResponseWriter, *http.Request, *staffSession)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { fn(w, r, analystSession()) }
}
