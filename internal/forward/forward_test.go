package forward

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/sqlite"
)

// outbox records what the relay took; fail makes it refuse.
type outbox struct {
	mu   sync.Mutex
	sent [][]byte
	to   [][]string
	fail error
}

func (o *outbox) Send(_ context.Context, _ string, to []string, msg []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.sent, o.to = append(o.sent, msg), append(o.to, to)
	return nil
}

func testReport(t *testing.T, st store.Store, consent bool) *report.Report {
	t.Helper()
	rc, err := st.Insert(context.Background(), &report.Submission{Channel: report.ChannelForm, Raw: []byte("x"), ReceivedAt: time.Date(2000, 4, 1, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := st.Get(context.Background(), rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep.Analysis = &report.Analysis{Category: "probe", Content: report.Content{
		Reporter:      report.Reporter{Name: "Taro Yamada", Organization: "Reporter University", Email: "taro@reporter.example", Phone: "03-1234-5678", DisclosureAllowed: consent},
		AffectedHosts: []string{"ns1.reporter.example"},
		Parts: []report.Part{{Kind: report.PartExcerpt, Name: "excerpt 1", Text: []byte(
			"Apr  1 03:12:46 ns1 sshd[99]: Failed password for taro from 203.0.113.5 port 1022 ssh2\n" +
				"Apr  1 03:12:47 ns1 kernel: DROP SRC=203.0.113.5 DST=192.0.2.77 PROTO=TCP DPT=111\n")}},
	}}
	return rep
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "keikai.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var analyst = audit.Actor{UserID: 3, Name: "hanako"}

func TestPrepareAndSend(t *testing.T) {
	st := openStore(t)
	box := &outbox{}
	_, signer, err := sign.Generate("keikai CSIRT", "info@csirt.example", []byte("pw"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc := &Service{Messages: st, Relay: box, From: "keikai CSIRT <info@csirt.example>", Signer: signer}
	rep := testReport(t, st, false)
	req := Request{Reports: []*report.Report{rep}, To: "abuse@site.example", Site: "203.0.113.0/24", Lang: "ja"}
	d, err := svc.Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.Subject, "["+rep.Tracking+"] ") || d.Consent || !strings.Contains(d.Body, "203.0.113.5") {
		t.Errorf("draft %+v", d)
	}
	for _, secret := range []string{"Taro", "taro", "Yamada", "Reporter University", "reporter.example", "ns1", "192.0.2.77", "1234-5678"} {
		if strings.Contains(d.Body, secret) {
			t.Errorf("the draft shows %q", secret)
		}
	}
	if _, clean, err := svc.Check(Request{Reports: []*report.Report{rep}, To: req.To, Site: req.Site, Body: d.Body}); err != nil || !clean {
		t.Fatalf("the prepared draft does not pass its own check: %v", err)
	}

	tests := []struct {
		name    string
		body    string
		fail    error
		wantErr error
	}{
		{"the analyst brought the reporter's name back", d.Body + "\nThanks to Taro Yamada.\n", nil, ErrNotClean},
		{"the analyst added another victim's address", d.Body + "\nalso 198.51.100.9\n", nil, ErrNotClean},
		{"the relay refuses", d.Body, errors.New("554 no"), ErrNotSent},
		{"sent", d.Body + "\n追記: よろしくお願いします。\n", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			box.fail = tc.fail
			before := len(box.sent)
			r := req
			r.Body = tc.body
			m, err := svc.Send(context.Background(), r, analyst)
			thread, _ := st.Messages(context.Background(), store.MessageFilter{ReportID: rep.ID})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if len(box.sent) != before || len(thread) != 0 {
					t.Errorf("a refused forward was sent (%d) or recorded (%d)", len(box.sent)-before, len(thread))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(box.sent) != before+1 || len(thread) != 1 || thread[0].ID != m.ID || string(thread[0].Raw) != string(box.sent[before]) ||
				thread[0].By != analyst || thread[0].Kind != store.MessageForward || thread[0].Direction != store.Outbound {
				t.Fatalf("sent %d, thread %+v", len(box.sent)-before, thread)
			}
			th := mail.ReadThread(box.sent[before])
			if th.MessageID != m.MessageID || !strings.Contains(th.Subject, rep.Tracking) || box.to[before][0] != "abuse@site.example" {
				t.Errorf("sent thread %+v", th)
			}
			if !strings.Contains(string(box.sent[before]), "multipart/signed") {
				t.Error("not signed")
			}
		})
	}
}

func TestConsentKeepsIdentity(t *testing.T) {
	st := openStore(t)
	svc := &Service{Messages: st, From: "info@csirt.example"}
	d, err := svc.Prepare(Request{Reports: []*report.Report{testReport(t, st, true)}, To: "abuse@site.example", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Consent || !strings.Contains(d.Body, "Taro Yamada (Reporter University) <taro@reporter.example>") || strings.Contains(d.Body, "192.0.2.77") {
		t.Errorf("draft with consent:\n%s", d.Body)
	}
	if _, err := svc.Send(context.Background(), Request{Reports: []*report.Report{testReport(t, st, true)}, To: "abuse@site.example", Body: d.Body}, analyst); !errors.Is(err, ErrNoRelay) {
		t.Errorf("without a relay: %v", err)
	}
}

func TestRequestErrors(t *testing.T) {
	st := openStore(t)
	svc := &Service{Messages: st, From: "info@csirt.example"}
	rep := testReport(t, st, false)
	for _, tc := range []struct {
		req  Request
		want error
	}{
		{Request{Reports: []*report.Report{rep}, To: "not a mail address"}, ErrRecipient},
		{Request{Reports: []*report.Report{rep}, To: "abuse@site.example", Site: "no_such"}, ErrSite},
		{Request{Reports: []*report.Report{{Tracking: "KK-2000-000001"}}, To: "abuse@site.example"}, ErrNotLoaded},
	} {
		if _, err := svc.Prepare(tc.req); !errors.Is(err, tc.want) {
			t.Errorf("Prepare(%+v) = %v, want %v", tc.req.To, err, tc.want)
		}
	}
}

func TestIncidentForward(t *testing.T) {
	st := openStore(t)
	box := &outbox{}
	svc := &Service{Messages: st, Relay: box, From: "info@csirt.example"}
	a, b := testReport(t, st, false), testReport(t, st, true)
	inc, err := st.CreateIncident(context.Background(), "scan", []int64{a.ID, b.ID}, analyst)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Reports: []*report.Report{a, b}, IncidentID: inc.ID, To: "abuse@site.example", Site: "203.0.113.0/24", Lang: "en"}
	d, err := svc.Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	if d.Consent || !strings.Contains(d.Body, a.Tracking+": excerpt 1") || !strings.Contains(d.Body, b.Tracking+": excerpt 1") || strings.Contains(d.Body, "Taro") {
		t.Fatalf("incident draft:\n%s", d.Body)
	}
	req.Body = d.Body
	m, err := svc.Send(context.Background(), req, analyst)
	if err != nil {
		t.Fatal(err)
	}
	if m.ReportID != a.ID || m.IncidentID != inc.ID || !strings.HasPrefix(m.Subject, "["+a.Tracking+"]") {
		t.Errorf("recorded %+v", m)
	}
	if inc, _ := st.Messages(context.Background(), store.MessageFilter{IncidentID: inc.ID}); len(inc) != 1 {
		t.Errorf("incident thread: %d messages", len(inc))
	}
}

func TestReplyInTheThread(t *testing.T) {
	st := openStore(t)
	box := &outbox{}
	svc := &Service{Messages: st, Relay: box, From: "keikai CSIRT <info@csirt.example>"}
	rep := testReport(t, st, false)
	ctx := context.Background()
	raw := "From: Abuse <abuse@site.example>\r\nSubject: Re: [" + rep.Tracking + "] Report\r\nMessage-ID: <a1@site.example>\r\n" +
		"In-Reply-To: <fwd1@csirt.example>\r\nReferences: <fwd1@csirt.example>\r\n\r\nWhich host was it?\r\n"
	parent, _, err := st.AddMessage(ctx, store.Message{ReportID: rep.ID, Direction: store.Inbound, Kind: store.MessageReply,
		MessageID: "a1@site.example", Subject: "Re: [" + rep.Tracking + "] Report", From: "abuse@site.example", Raw: []byte(raw)}, audit.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		req     ReplyRequest
		wantErr error
	}{
		{"empty", ReplyRequest{Parent: parent, Reports: []*report.Report{rep}, Body: " \n"}, ErrEmpty},
		{"the reporter named", ReplyRequest{Parent: parent, Reports: []*report.Report{rep}, Body: "Ask Taro Yamada.\n"}, ErrNotClean},
		{"no sender", ReplyRequest{Parent: store.Message{ReportID: rep.ID}, Reports: []*report.Report{rep}, Body: "x\n"}, ErrNoSender},
		{"an out-of-office reply is not answered", ReplyRequest{Parent: func() store.Message { p := parent; p.Kind = store.MessageAutomatic; return p }(),
			Reports: []*report.Report{rep}, Body: "x\n"}, ErrAutomatic},
		{"sent", ReplyRequest{Parent: parent, Reports: []*report.Report{rep}, Site: "203.0.113.0/24", Body: "It was 203.0.113.5, see the log we sent.\n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(box.sent)
			m, err := svc.Reply(ctx, tc.req, analyst)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || len(box.sent) != before {
					t.Fatalf("err = %v (sent %d), want %v", err, len(box.sent)-before, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			th := mail.ReadThread(box.sent[before])
			if th.Subject != "Re: ["+rep.Tracking+"] Report" {
				t.Errorf("subject %q", th.Subject)
			}
			if len(th.InReplyTo) != 1 || th.InReplyTo[0] != "a1@site.example" || strings.Join(th.References, " ") != "fwd1@csirt.example a1@site.example" ||
				len(th.To) != 1 || th.To[0] != "abuse@site.example" {
				t.Errorf("thread %+v", th)
			}
			if m.Direction != store.Outbound || m.Kind != store.MessageReply || m.InReplyTo != "a1@site.example" || m.ReportID != rep.ID {
				t.Errorf("recorded %+v", m)
			}
		})
	}
}
