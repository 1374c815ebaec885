package web

import (
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/forward"
	"github.com/keikai-project/keikai/internal/redact"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

func TestThreadStaffPagesGolden(t *testing.T) {
	h := &handler{cfg: Config{}, pages: mustPages(t)}
	s := &staffSession{User: staff.User{ID: 2, Name: "hanako", Role: staff.RoleAnalyst}, CSRF: "CSRF"}
	at := time.Date(2000, 7, 3, 10, 0, 0, 0, time.UTC)
	for _, lang := range []string{"en", "ja"} {
		msgs := messagesPage{staffPage: h.newStaffPage(lang, "staff.thread.title", s), Ref: "KK-2000-000718", Base: "/staff/reports/KK-2000-000718",
			BackKey: "staff.thread.report", CanEdit: true, CanSend: true, Sent: true,
			Messages: []messageView{
				{ID: 1, At: at, Direction: store.Outbound, Kind: store.MessageForward, From: "info@csirt.example", To: "abuse@site.example",
					Subject: "[KK-2000-000718] Report", Shareable: true, Text: "To the administrators\n[reporter-host-1] <script>", By: "hanako"},
				{ID: 2, At: at.Add(time.Hour), Direction: store.Inbound, Kind: store.MessageReply, From: "abuse@site.example",
					Subject: "Re: [KK-2000-000718] Report", Shareable: true, Text: "Fixed.\x1b[31m", Shared: true},
				{ID: 3, At: at.Add(2 * time.Hour), Direction: store.Inbound, Kind: store.MessageReporter, Subject: text(lang, "status.add.subject"), Shareable: true,
					Text: "more", Files: []fileView{{Name: "fw.log", Size: 12, Text: "SRC=203.0.113.5"}}, By: "reporter"},
				{ID: 4, At: at.Add(3 * time.Hour), Direction: store.Inbound, Kind: store.MessageAutomatic, From: "abuse@site.example",
					Subject: "Automatic reply: [KK-2000-000718] Report", Shareable: true, Text: "I am out of the office."},
			}}
		fwd := forwardPage{staffPage: h.newStaffPage(lang, "staff.forward.title", s), Ref: "KK-2000-000718", Base: "/staff/reports/KK-2000-000718", Category: "probe",
			Analysed: true, CanSend: true, To: "abuse@site.example", Site: "203.0.113.0/24", FwdLang: "ja",
			Draft: &forward.Draft{To: "abuse@site.example", Lang: "ja", Subject: "[KK-2000-000718] 貴組織のネットワークからのアクセスについて",
				Result: redact.Result{Replacements: []redact.Replacement{{Placeholder: "[reporter-host-1]", Kind: redact.ReporterHost, Value: "ns1", Count: 3},
					{Placeholder: "[victim-addr-1]", Kind: redact.VictimAddr, Value: "192.0.2.77", Count: 1}}}},
			Body: "ネットワーク管理者 各位\n...", Error: text(lang, "staff.forward.err.notsent"), Detail: "relay 127.0.0.1:25: 554 refused"}
		for name, data := range map[string]any{"staff_messages": msgs, "staff_forward": fwd} {
			rec := httptest.NewRecorder()
			h.render(rec, 200, name, data)
			body := rec.Body.String()
			if regexp.MustCompile(`>[a-z]+\.[a-z.-]+<`).MatchString(body) {
				t.Errorf("%s.%s shows a message key instead of its text", name, lang)
			}
			golden(t, name+"."+lang+".html", body)
		}
	}
}
