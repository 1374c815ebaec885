package web

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/staff"
	"github.com/keikai-project/keikai/internal/store"
)

// captureRelay is a real SMTP server (go-smtp) in the relay's place: it keeps what keikai sends.
type captureRelay struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (c *captureRelay) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &captureSession{c: c}, nil
}

type captureSession struct{ c *captureRelay }

func (s *captureSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *captureSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *captureSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	s.c.msgs = append(s.c.msgs, b)
	s.c.mu.Unlock()
	return nil
}
func (s *captureSession) Reset()        {}
func (s *captureSession) Logout() error { return nil }

func (c *captureRelay) sent() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.msgs...)
}

func startCaptureRelay(t *testing.T) (*captureRelay, string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &captureRelay{}
	srv := smtp.NewServer(c)
	srv.Domain = "relay.test"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return c, ln.Addr().String(), func() { srv.Close() }
}

func waitReportAnalysed(t *testing.T, st store.Store, tracking string) *report.Report {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rep, err := st.ByTracking(context.Background(), tracking)
		if err != nil {
			t.Fatal(err)
		}
		if rep.State == report.StateAnalysed {
			return rep
		}
		if time.Now().After(deadline) {
			t.Fatalf("report %s not analysed", tracking)
		}
	}
}

var textareaBody = regexp.MustCompile(`(?s)<textarea id="body"[^>]*>(.*?)</textarea>`)

func TestForwardThroughTheStaffPages(t *testing.T) {
	relay, relayAddr, stopRelay := startCaptureRelay(t)
	s := newServer(t, func(c *Config) {
		withThreads(c)
		c.Relay = &mail.Relay{Addr: relayAddr}
		c.MailFrom = "keikai CSIRT <info@csirt.example>"
	})
	ctx := context.Background()
	tracking, statusLink := fileReport(t, s, "Apr  1 03:12:46 ns1 sshd[99]: Failed password for taro from 198.51.100.23 port 1022 ssh2\nTaro Yamada, 03-1234-5678")
	waitReportAnalysed(t, s.store, tracking)
	analyst, csrf := signIn(t, s.store, s.URL, staff.RoleAnalyst)
	reader, readerCSRF := signIn(t, s.store, s.URL, staff.RoleReadOnly)
	noRedirect := func(c *http.Client) *http.Client {
		cc := *c
		cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return &cc
	}
	forwardURL := s.URL + "/staff/reports/" + tracking + "/forward"
	q := url.Values{"to": {"abuse@isp.example.net"}, "site": {"198.51.100.0/24"}, "fwdlang": {"en"}, "lang": {"en"}}
	resp, err := analyst.Get(forwardURL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := textareaBody.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("prepare: %d\n%s", resp.StatusCode, page)
	}
	draft := html.UnescapeString(m[1])
	if !strings.Contains(draft, "198.51.100.23") || strings.Contains(draft, "Taro") || strings.Contains(draft, "1234-5678") {
		t.Fatalf("draft:\n%s", draft)
	}
	post := func(c *http.Client, token, body string) *http.Response {
		form := url.Values{"to": {"abuse@isp.example.net"}, "site": {"198.51.100.0/24"}, "fwdlang": {"en"}, "body": {body}, "csrf_token": {token}}
		resp, err := noRedirect(c).PostForm(forwardURL+"?lang=en", form)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		return resp
	}
	thread := func() []store.Message {
		rep, _ := s.store.ByTracking(ctx, tracking)
		ms, err := s.store.Messages(ctx, store.MessageFilter{ReportID: rep.ID})
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	tests := []struct {
		name   string
		client *http.Client
		token  string
		body   string
		status int
	}{
		{"no CSRF token", analyst, "", draft, http.StatusForbidden},
		{"a read-only user", reader, readerCSRF, draft, http.StatusForbidden},
		{"no session", &http.Client{}, csrf, draft, http.StatusForbidden},
		{"the reporter's name edited back in", analyst, csrf, draft + "\nThanks to Taro Yamada\n", http.StatusBadRequest},
		{"sent", analyst, csrf, draft, http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(relay.sent())
			resp := post(tc.client, tc.token, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != http.StatusSeeOther {
				if len(relay.sent()) != before || len(thread()) != 0 {
					t.Error("a refused forward was sent or recorded")
				}
				return
			}
			sent := relay.sent()
			if len(sent) != before+1 {
				t.Fatalf("the relay got %d messages", len(sent)-before)
			}
			for _, secret := range []string{"Taro", "Yamada", "taro@reporter.example", "1234-5678", "ns1"} {
				if strings.Contains(string(sent[before]), secret) {
					t.Errorf("the forward shows %q", secret)
				}
			}
			ms := thread()
			if len(ms) != 1 || ms[0].Kind != store.MessageForward || string(ms[0].Raw) != string(sent[before]) {
				t.Errorf("thread %+v", ms)
			}
			if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/staff/reports/"+tracking+"/messages") {
				t.Errorf("redirect to %q", loc)
			}
		})
	}
	// A relay that is gone: the analyst is told, nothing is recorded.
	stopRelay()
	if resp := post(analyst, csrf, draft); resp.StatusCode != http.StatusBadGateway || len(thread()) != 1 {
		t.Errorf("relay down: status %d, %d messages", resp.StatusCode, len(thread()))
	}

	// Sharing: only an analyst, with the token; then the reporter sees it.
	id := thread()[0].ID
	share := func(c *http.Client, token string) int {
		resp, err := noRedirect(c).PostForm(s.URL+"/staff/messages/"+strconv.FormatInt(id, 10)+"/share", url.Values{"shared": {"1"}, "csrf_token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		return resp.StatusCode
	}
	if code := share(reader, readerCSRF); code != http.StatusForbidden {
		t.Errorf("read-only share: %d", code)
	}
	if code := share(analyst, "forged"); code != http.StatusForbidden {
		t.Errorf("share without the token: %d", code)
	}
	if code := share(analyst, csrf); code != http.StatusSeeOther {
		t.Errorf("share: %d", code)
	}
	status := readAll(t, must(http.Get(statusLink+"?lang=en")))
	if !strings.Contains(status, "198.51.100.23") || !strings.Contains(status, "[reporter-host-1]") {
		t.Errorf("the status page does not show the shared forward:\n%s", status)
	}
	// The thread page, for a read-only user: the messages, no share buttons.
	resp, err = reader.Get(s.URL + "/staff/reports/" + tracking + "/messages?lang=ja")
	if err != nil {
		t.Fatal(err)
	}
	page = readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, "サイトへの連絡") || strings.Contains(page, "/share") {
		t.Errorf("thread page for a reader: %d\n%s", resp.StatusCode, page)
	}
	// Without a session the pages send to the login.
	resp, err = noRedirect(&http.Client{}).Get(s.URL + "/staff/reports/" + tracking + "/messages")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/login") {
		t.Errorf("no session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestIncidentForwardThroughTheStaffPages(t *testing.T) {
	relay, relayAddr, _ := startCaptureRelay(t)
	s := newServer(t, func(c *Config) {
		withThreads(c)
		c.Triage = c.Store.(TriageStore)
		c.Relay = &mail.Relay{Addr: relayAddr}
		c.MailFrom = "keikai CSIRT <info@csirt.example>"
	})
	ctx := context.Background()
	trackA, _ := fileReport(t, s, "Apr  1 03:12:46 ns1 sshd[99]: Failed password from 198.51.100.23\n")
	trackB, _ := fileReport(t, s, "Apr  2 04:00:00 www2 httpd: GET /cgi-bin/phf from 198.51.100.23\n")
	a, b := waitReportAnalysed(t, s.store, trackA), waitReportAnalysed(t, s.store, trackB)
	analyst, csrf := signIn(t, s.store, s.URL, staff.RoleAnalyst)
	inc, err := s.store.CreateIncident(ctx, "phf and ssh from 198.51.100.23", []int64{a.ID, b.ID}, audit.Actor{Name: "analyst"})
	if err != nil {
		t.Fatal(err)
	}
	base := s.URL + "/staff/incidents/" + strconv.FormatInt(inc.ID, 10)
	q := url.Values{"to": {"abuse@isp.example.net"}, "site": {"198.51.100.0/24"}, "fwdlang": {"ja"}, "lang": {"ja"}}
	resp, err := analyst.Get(base + "/forward?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := textareaBody.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(page, inc.Ref) {
		t.Fatalf("prepare: %d\n%s", resp.StatusCode, page)
	}
	draft := html.UnescapeString(m[1])
	if !strings.Contains(draft, trackA+": ") || !strings.Contains(draft, trackB+": ") || strings.Contains(draft, "Taro") {
		t.Fatalf("incident draft:\n%s", draft)
	}
	form := url.Values{"to": {"abuse@isp.example.net"}, "site": {"198.51.100.0/24"}, "fwdlang": {"ja"}, "body": {draft}, "csrf_token": {csrf}}
	noRedirect := *analyst
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = noRedirect.PostForm(base+"/forward?lang=ja", form)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/incidents/"+strconv.FormatInt(inc.ID, 10)+"/messages") {
		t.Fatalf("send: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if len(relay.sent()) != 1 {
		t.Fatalf("the relay got %d messages", len(relay.sent()))
	}
	thread, err := s.store.Messages(ctx, store.MessageFilter{IncidentID: inc.ID})
	if err != nil || len(thread) != 1 || thread[0].ReportID != a.ID || thread[0].Kind != store.MessageForward {
		t.Fatalf("incident thread %+v, %v", thread, err)
	}
	resp, err = analyst.Get(base + "/messages?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	page = readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, "Back to the incident") || !strings.Contains(page, "forward to a site") {
		t.Errorf("incident thread page: %d\n%s", resp.StatusCode, page)
	}
	if resp, _ := analyst.Get(s.URL + "/staff/incidents/99999/messages"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown incident: %d", resp.StatusCode)
	}
}

func TestReplyThroughTheStaffPages(t *testing.T) {
	relay, relayAddr, _ := startCaptureRelay(t)
	s := newServer(t, func(c *Config) {
		withThreads(c)
		c.Relay = &mail.Relay{Addr: relayAddr}
		c.MailFrom = "keikai CSIRT <info@csirt.example>"
	})
	ctx := context.Background()
	tracking, _ := fileReport(t, s, "Apr  1 03:12:46 ns1 sshd[99]: Failed password from 198.51.100.23\n")
	rep := waitReportAnalysed(t, s.store, tracking)
	analyst, csrf := signIn(t, s.store, s.URL, staff.RoleAnalyst)
	raw := "From: Abuse <abuse@isp.example.net>\r\nSubject: Re: [" + tracking + "] Report\r\nMessage-ID: <q1@isp.example.net>\r\n" +
		"In-Reply-To: <fwd@csirt.example>\r\n\r\nWhich of our hosts?\r\n"
	parent, _, err := s.store.AddMessage(ctx, store.Message{ReportID: rep.ID, Direction: store.Inbound, Kind: store.MessageReply,
		MessageID: "q1@isp.example.net", Subject: "Re: [" + tracking + "] Report", From: "abuse@isp.example.net", Raw: []byte(raw)}, audit.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, must(analyst.Get(s.URL+"/staff/reports/"+tracking+"/messages?lang=en")))
	if !strings.Contains(page, `action="/staff/messages/`+strconv.FormatInt(parent.ID, 10)+`/reply`) {
		t.Fatalf("no reply form on the thread page:\n%s", page)
	}
	noRedirect := *analyst
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	post := func(body string) (*http.Response, string) {
		resp, err := noRedirect.PostForm(s.URL+"/staff/messages/"+strconv.FormatInt(parent.ID, 10)+"/reply?lang=en",
			url.Values{"body": {body}, "site": {"198.51.100.0/24"}, "csrf_token": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
	}
	resp, page := post("It was 198.51.100.23; Taro Yamada saw it.\n")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "It was 198.51.100.23; [reporter-name] saw it.") || len(relay.sent()) != 0 {
		t.Fatalf("a reply naming the reporter: %d, sent %d\n%s", resp.StatusCode, len(relay.sent()), page)
	}
	resp, _ = post("It was 198.51.100.23, see the log in our first message.\n")
	if resp.StatusCode != http.StatusSeeOther || len(relay.sent()) != 1 {
		t.Fatalf("reply: %d, sent %d", resp.StatusCode, len(relay.sent()))
	}
	th := mail.ReadThread(relay.sent()[0])
	if len(th.InReplyTo) != 1 || th.InReplyTo[0] != "q1@isp.example.net" || strings.Join(th.References, " ") != "fwd@csirt.example q1@isp.example.net" ||
		!strings.Contains(th.Subject, tracking) || len(th.To) != 1 || th.To[0] != "abuse@isp.example.net" {
		t.Errorf("the reply's thread fields: %+v", th)
	}
	ms, _ := s.store.Messages(ctx, store.MessageFilter{ReportID: rep.ID})
	if len(ms) != 2 || ms[1].Direction != store.Outbound || ms[1].InReplyTo != "q1@isp.example.net" {
		t.Errorf("thread %+v", ms)
	}
}
