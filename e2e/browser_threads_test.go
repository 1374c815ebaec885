package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/sqlite"
	"github.com/keikai-project/keikai/internal/testenv"
)

// siteRelay is a real SMTP server (go-smtp) standing for keikai's relay: it keeps every
// message keikai hands it, as the site would receive it.
type siteRelay struct {
	mu   sync.Mutex
	msgs [][]byte
	got  chan []byte
}

func (s *siteRelay) NewSession(*smtp.Conn) (smtp.Session, error) { return &siteSession{relay: s}, nil }

type siteSession struct{ relay *siteRelay }

func (s *siteSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *siteSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *siteSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.relay.mu.Lock()
	s.relay.msgs = append(s.relay.msgs, b)
	s.relay.mu.Unlock()
	s.relay.got <- b
	return nil
}
func (s *siteSession) Reset()        {}
func (s *siteSession) Logout() error { return nil }

func startSiteRelay(t *testing.T) (*siteRelay, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	relay := &siteRelay{got: make(chan []byte, 8)}
	srv := smtp.NewServer(relay)
	srv.Domain = "relay.test"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return relay, ln.Addr().String()
}

// threadsServer is keikai serve with its SMTP intake and a relay.
type threadsServer struct {
	base, smtp string
	mu         sync.Mutex
	log        strings.Builder
}

func (s *threadsServer) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func startServeForThreads(t *testing.T, bin, db, relay string) *threadsServer {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--workers", "2", "--form-burst", "20",
		"--smtp", "127.0.0.1:0", "--relay", relay, "--intake-address", "keikai CSIRT <info@csirt.example>")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &threadsServer{}
	ready := make(chan struct{})
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			if a, ok := strings.CutPrefix(line, "keikai serve: listening on "); ok {
				s.base, _, _ = strings.Cut(a, " ")
			}
			if a, ok := strings.CutPrefix(line, "keikai serve: taking mail on smtp://"); ok {
				s.smtp = a
				close(ready)
			}
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { <-copied; done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("keikai serve did not stop cleanly: %v", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Error("keikai serve did not stop within 20 s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("keikai serve's log:\n%s", s.logText())
		}
	})
	select {
	case <-ready:
	case <-copied:
		t.Fatalf("keikai serve exited:\n%s", s.logText())
	case <-time.After(30 * time.Second):
		t.Fatalf("keikai serve did not listen within 30 s:\n%s", s.logText())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s
}

// coordinationTexts are what the walk reads on the pages, per language.
var coordinationTexts = map[string]struct {
	noConsent, added, reporterAdded, reporterDomain string
}{
	"ja": {"報告者は名前を伝えることに同意していません", "情報を報告に追加しました", "報告者による追加", "example.co.jp"},
	"en": {"The reporter did not agree to be named", "your information was added to the report", "added by the reporter", "example.ac.uk"},
}

// TestBrowserThreads walks the whole path of issue 11 in headless Chromium, once in Japanese and
// once in English: a reporter files a report in the form; an analyst signs in, finds it in the
// queue by its source address, decides its category, groups it into an incident, prepares the
// incident's redacted forward to the attacking site, reviews and sends it through the relay (a
// real SMTP server run by the test); the forward the site receives shows nothing of the
// reporter; the site's reply, sent to keikai's SMTP listener, joins the incident's thread and
// shows on the incident's page beside the decision in its timeline; the analyst answers and
// shares it, and the reporter sees it, and the decided category, on the status page and adds
// information.
func TestBrowserThreads(t *testing.T) {
	chromium := testenv.Command(t, "chromium", "chromium")
	bin := buildKeikaiForBrowser(t)
	for _, r := range browserReporters {
		t.Run(r.lang, func(t *testing.T) { walkCoordination(t, chromium, bin, r) })
	}
}

func walkCoordination(t *testing.T, chromium, bin string, r browserReporter) {
	db := filepath.Join(t.TempDir(), "keikai.db")
	const analyst, password = "hanako", "a long analyst passphrase 2026"
	add := exec.Command(bin, "user", "add", analyst, "--role", "analyst", "--password-stdin", "--db", db)
	add.Stdin = strings.NewReader(password + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("keikai user add: %v\n%s", err, out)
	}
	relay, relayAddr := startSiteRelay(t)
	srv := startServeForThreads(t, bin, db, relayAddr)
	ctx := newBrowser(t, chromium)
	shots := t.TempDir()
	logs := collectBrowserLogs(ctx)
	texts := coordinationTexts[r.lang]
	lang := r.lang

	tracking := fileReport(t, ctx, srv.base, r, shots)
	statusLink := location(t, ctx)

	// The analyst signs in and finds the report in the queue by its source address (once
	// analysed, the queue knows its addresses), decides its category, groups it into a new
	// incident and opens the incident's forward.
	browse(t, ctx, srv.base+"/staff/login?lang="+lang+"&next=%2Fstaff%2F")
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), analyst),
		chromedp.SendKeys(chromedp.ID("password"), password),
	); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, `form.login button[type="submit"]`, 200)
	if loc := location(t, ctx); !strings.Contains(loc, "/staff/") {
		t.Fatalf("after login the browser is at %s", loc)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		browse(t, ctx, srv.base+"/staff/?lang="+lang)
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("source"), "198.51.100.0/24")); err != nil {
			t.Fatal(err)
		}
		clickAndLoad(t, ctx, `form.filter button[type="submit"]`, 200)
		if strings.Contains(pageText(t, ctx), tracking) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue filtered by the source never lists %s:\n%s", tracking, pageText(t, ctx))
		}
	}
	screenshot(t, ctx, shots, "queue-found-"+lang+".png")
	clickAndLoad(t, ctx, chromedp.CSS(`a.tracking[href^="/staff/reports/`+tracking+`"]`), 200)
	if loc := location(t, ctx); !strings.Contains(loc, "/staff/reports/"+tracking) {
		t.Fatalf("the queue's link led to %s", loc)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("category"), "intrusion")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, `form.triage button[type=submit]`, 200)
	if d := text(t, ctx, "dd.decision"); !strings.Contains(d, analyst) {
		t.Errorf("the decision does not say who made it: %q", d)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("title"), "statd intrusion from 198.51.100.23")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, `form.add-incident button[type=submit]`, 200)
	incidentPage := location(t, ctx)
	if !strings.Contains(incidentPage, "/staff/incidents/") {
		t.Fatalf("adding to a new incident led to %s", incidentPage)
	}
	incidentRef := text(t, ctx, "h1 .ref")
	clickAndLoad(t, ctx, `p.thread-links a[href*="/forward"]`, 200)
	if loc := location(t, ctx); !strings.Contains(loc, "/staff/incidents/") || !strings.Contains(loc, "/forward") {
		t.Fatalf("the incident's forward link led to %s", loc)
	}
	if body := pageText(t, ctx); !strings.Contains(body, texts.noConsent) || !strings.Contains(body, incidentRef) {
		t.Errorf("the forward page does not name the incident or say the reporter did not consent:\n%s", body)
	}
	const site = "abuse@isp.example.net"
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("to"), site),
		chromedp.SendKeys(chromedp.ID("site"), "198.51.100.0/24"),
	); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, `form[method="get"] button[type="submit"]`, 200)
	review := value(t, ctx, chromedp.ID("body"))
	if !strings.Contains(review, "198.51.100.23") || !strings.Contains(review, "[reporter-host-1]") {
		t.Errorf("the review text lacks the site's address or the placeholders:\n%s", review)
	}
	if table := text(t, ctx, `table.withheld`); !strings.Contains(table, "nfs1") {
		t.Errorf("the review does not list what is withheld:\n%s", table)
	}
	screenshot(t, ctx, shots, "forward-review-"+lang+".png")
	clickAndLoad(t, ctx, `section.review form button[type="submit"]`, 200)
	if loc := location(t, ctx); !strings.Contains(loc, "/staff/incidents/") || !strings.Contains(loc, "/messages") {
		t.Fatalf("after sending the browser is at %s", loc)
	}
	incidentThread := strings.SplitN(location(t, ctx), "?", 2)[0]

	var fwd []byte
	select {
	case fwd = <-relay.got:
	case <-time.After(30 * time.Second):
		t.Fatalf("the relay received no forward:\n%s", srv.logText())
	}
	decoded, err := mail.Decode(fwd)
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	for _, p := range decoded.Parts {
		body.Write(p.Text)
	}
	th := mail.ReadThread(fwd)
	if !strings.Contains(th.Subject, "["+tracking+"]") || th.MessageID == "" || len(th.To) != 1 || th.To[0] != site {
		t.Errorf("forward thread fields %+v", th)
	}
	withheld := append([]string{r.email, r.organization, r.phone, "nfs1", texts.reporterDomain}, r.affected...)
	withheld = append(withheld, strings.Fields(r.name)...)
	for _, secret := range withheld {
		if strings.Contains(body.String(), secret) || bytes.Contains(fwd, []byte(secret)) {
			t.Errorf("the forward the site received shows %q", secret)
		}
	}
	if !strings.Contains(body.String(), "198.51.100.23") || !strings.Contains(body.String(), "statd") {
		t.Errorf("the forward lacks the site's address or the log:\n%s", body.String())
	}

	// The site answers to keikai's intake, threaded to the forward.
	reply := fmt.Sprintf("From: ISP abuse desk <%s>\r\nTo: info@csirt.example\r\nSubject: Re: %s\r\n"+
		"Message-ID: <answer.1@isp.example.net>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\nDate: %s\r\n"+
		"Content-Type: text/plain; charset=UTF-8\r\n\r\nWe took 198.51.100.23 off the network; it was compromised.\r\n",
		site, th.Subject, th.MessageID, th.MessageID, time.Now().Format(time.RFC1123Z))
	c, err := smtp.Dial(srv.smtp)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail(site, []string{"info@csirt.example"}, strings.NewReader(reply)); err != nil {
		t.Fatalf("the site's reply: %v", err)
	}
	c.Quit()
	deadline := time.Now().Add(20 * time.Second)
	for {
		browse(t, ctx, incidentThread+"?lang="+lang)
		if strings.Contains(pageText(t, ctx), "We took 198.51.100.23 off the network") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the site's reply did not join the incident's thread:\n%s\n%s", pageText(t, ctx), srv.logText())
		}
		time.Sleep(200 * time.Millisecond)
	}
	screenshot(t, ctx, shots, "thread-"+lang+".png")
	// The reply is on the incident's thread, not only the report's.
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	joined, err := st.MessagesByMessageID(context.Background(), []string{"answer.1@isp.example.net"})
	st.Close()
	if err != nil || len(joined) != 1 || joined[0].IncidentID == 0 || joined[0].Direction != store.Inbound {
		t.Errorf("the stored reply: %+v, %v", joined, err)
	}
	// The incident's own page shows the thread inline and, in its timeline, the decision.
	browse(t, ctx, incidentPage)
	if inline := text(t, ctx, "section.thread"); !strings.Contains(inline, "We took 198.51.100.23 off the network") {
		t.Errorf("the incident page does not show the site's reply:\n%s", inline)
	}
	if tl := text(t, ctx, "section.timeline"); !strings.Contains(tl, tracking+" "+r.category) {
		t.Errorf("the incident's timeline lacks the report's decision:\n%s", tl)
	}
	screenshot(t, ctx, shots, "incident-thread-"+lang+".png")
	if lang == "en" {
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("section.thread article.in"))); err != nil {
			t.Fatal(err)
		}
		docShot(t, ctx, "staff-incident-thread.png")
	}
	browse(t, ctx, incidentThread+"?lang="+lang)
	// A reply is no new report: keikai did not acknowledge it.
	select {
	case ack := <-relay.got:
		t.Errorf("the reply was acknowledged as a new report:\n%s", ack)
	case <-time.After(500 * time.Millisecond):
	}
	// The analyst answers the site in the same thread.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`article.in details.reply summary`)),
		chromedp.SendKeys(chromedp.CSS(`article.in details.reply textarea`), "Thank you. Please tell us when 198.51.100.23 is reinstalled."),
		chromedp.SendKeys(chromedp.CSS(`article.in details.reply input[name="site"]`), "198.51.100.0/24"),
	); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, `article.in details.reply button[type="submit"]`, 200)
	select {
	case answer := <-relay.got:
		ath := mail.ReadThread(answer)
		if len(ath.InReplyTo) != 1 || ath.InReplyTo[0] != "answer.1@isp.example.net" || !strings.Contains(ath.Subject, tracking) ||
			len(ath.References) != 2 || ath.References[0] != th.MessageID {
			t.Errorf("the analyst's answer is not threaded: %+v", ath)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the analyst's answer did not reach the relay:\n%s", srv.logText())
	}
	clickAndLoad(t, ctx, `article.in form[action*="/share"] button[type="submit"]`, 200)

	// The reporter sees the shared reply and nothing else of the thread.
	browse(t, ctx, statusLink)
	page := pageText(t, ctx)
	if !strings.Contains(page, "We took 198.51.100.23 off the network") || strings.Contains(page, "[reporter-host-1]") || !strings.Contains(page, r.category) ||
		strings.Contains(page, incidentRef) || strings.Contains(page, analyst) {
		t.Errorf("the status page after sharing:\n%s", page)
	}
	screenshot(t, ctx, shots, "status-shared-"+lang+".png")

	// The reporter adds information on the same page; the analyst finds it in the thread.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("text"), "The scans came back at 14:00 from 198.51.100.24.")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, `section.add form button[type="submit"]`, 200)
	if body := pageText(t, ctx); !strings.Contains(body, texts.added) {
		t.Errorf("after adding information the status page says:\n%s", body)
	}
	browse(t, ctx, srv.base+"/staff/reports/"+tracking+"/messages?lang="+lang)
	if body := pageText(t, ctx); !strings.Contains(body, "The scans came back at 14:00 from 198.51.100.24.") || !strings.Contains(body, texts.reporterAdded) {
		t.Errorf("the analyst does not see the reporter's addition:\n%s", body)
	}
	if n := regexp.MustCompile(`(?m)^KK-`).FindAllString(page, -1); len(n) > 1 {
		t.Errorf("the status page names other reports: %v", n)
	}
	for _, e := range logs.problems() {
		t.Errorf("the browser reported a page problem: %s", e)
	}
	copyScreenshots(t, shots)
}
