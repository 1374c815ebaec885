package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/internal/demo"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/store/sqlite"
	"github.com/keikai-project/keikai/internal/taxonomy"
	"github.com/keikai-project/keikai/internal/testenv"
)

// listedReport is one line of keikai report list --format json.
type listedReport struct {
	ID         int64     `json:"id"`
	Tracking   string    `json:"tracking"`
	ReceivedAt time.Time `json:"received_at"`
	State      string    `json:"state"`
	Category   string    `json:"category"`
	Channel    string    `json:"channel"`
}

func listReports(t *testing.T, db string) []listedReport {
	t.Helper()
	out, errOut, code := runKeikai(t, "report", "list", "--db", db, "--format", "json", "--limit", "0")
	if code != 0 {
		t.Fatalf("report list: exit %d: %s", code, errOut)
	}
	var rs []listedReport
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		// One object per line is the other shape a list may take.
		rs = nil
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var r listedReport
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("report list output: %v\n%s", err, out)
			}
			rs = append(rs, r)
		}
	}
	return rs
}

// TestDemoQuarterThroughThePipeline is the Done-when: seed 002's quarter, generated as
// the mail and API submissions of the time, goes through intake (stored raw, then decoded and
// analysed from the content by the workers of the real binary), and keikai report activity
// reproduces the counts it was built with: 718 reports exactly, every category within 2%.
func TestDemoQuarterThroughThePipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses 718 reports")
	}
	db := filepath.Join(t.TempDir(), "demo.db")
	if _, errOut, code := runKeikai(t, "demo", "--db", db); code != 0 {
		t.Fatalf("keikai demo: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runKeikai(t, "demo", "--db", db); code != 2 || !strings.Contains(errOut, "fresh") {
		t.Errorf("keikai demo on a filled database: exit %d, %q; want 2 and the reason", code, errOut)
	}
	out, errOut, code := runKeikai(t, "report", "activity", "--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--format", "json")
	if code != 0 {
		t.Fatalf("report activity: exit %d: %s", code, errOut)
	}
	var stats struct {
		Total      int64            `json:"total"`
		Categories map[string]int64 `json:"categories"`
	}
	if err := json.Unmarshal([]byte(out), &stats); err != nil {
		t.Fatalf("activity JSON: %v\n%s", err, out)
	}
	corpus := demo.Quarter(demoSeed, demoStart, demo.SeedTotal, nil)
	built := map[string]int64{}
	for _, g := range corpus {
		built[g.Category]++
	}
	failed := stats.Total != demo.SeedTotal
	if failed {
		t.Errorf("total %d, want %d", stats.Total, demo.SeedTotal)
	}
	for _, k := range taxonomy.CategoryKeys() {
		diff := stats.Categories[k] - built[k]
		if diff < 0 {
			diff = -diff
		}
		if diff > 0 && float64(diff) > 0.02*float64(built[k]) {
			failed = true
			t.Errorf("category %s: counted %d, built %d (off by more than 2%%)", k, stats.Categories[k], built[k])
		}
	}
	if failed {
		t.Log(confusion(t, db, corpus))
	}
}

// confusion pairs the stored reports with the generated ones by receipt time and channel and
// prints how each category was classified.
func confusion(t *testing.T, db string, corpus []demo.Generated) string {
	builtAt := map[string][]string{}
	for _, g := range corpus {
		k := g.Submission.ReceivedAt.UTC().Format(time.RFC3339) + " " + string(g.Submission.Channel)
		builtAt[k] = append(builtAt[k], g.Category)
	}
	m := map[[2]string]int{}
	for _, r := range listReports(t, db) {
		k := r.ReceivedAt.UTC().Format(time.RFC3339) + " " + r.Channel
		if len(builtAt[k]) == 0 {
			m[[2]string{"?", r.Category}]++
			continue
		}
		m[[2]string{builtAt[k][0], r.Category}]++
		builtAt[k] = builtAt[k][1:]
	}
	keys := append(taxonomy.CategoryKeys(), "?")
	var b strings.Builder
	fmt.Fprintf(&b, "confusion (rows: built as, columns: classified as)\n%-12s", "")
	for _, k := range keys {
		fmt.Fprintf(&b, "%12s", k)
	}
	for _, row := range keys {
		fmt.Fprintf(&b, "\n%-12s", row)
		for _, col := range keys {
			fmt.Fprintf(&b, "%12d", m[[2]string{row, col}])
		}
	}
	return b.String()
}

// statdLog is a syslog excerpt with the line of JPCERT-E-INF-98-0001 section III: the
// traversal out of /var/statmon/sm and the shellcode's unprintable bytes.
const statdLog = "Mar 13 12:34:50 nfs1 statd[44]: Version 1.0 Starting\n" +
	"Mar 13 12:34:56 nfs1 statd[44]: attempt to create \"/var/statmon/sm//../../../../../../../../../../tmp/.nfs09\x01D\x90H\xeb$\x07$\x9a$\xff$\x08`\x80O\x02*\xc0*\x0b*\x90*\x11#\xe8#\x04P\xa0*`\x0ec\x926\x13)\x10#\x05#\x9c;\xbf#\x1bXbinXsh\x03tirdwr\x82\"\n"

// isoMail composes a report as a Japanese mail client of the time sent it: ISO-2022-JP text in
// 7bit, an encoded subject, and the logs as a gzip attachment in base64; CRLF line ends, as on
// the wire.
func isoMail(t *testing.T, from, to, msgID string) []byte {
	t.Helper()
	jis := func(s string) string {
		b, err := japanese.ISO2022JP.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(statdLog))
	zw.Close()
	b64 := base64.StdEncoding.EncodeToString(gz.Bytes())
	var att strings.Builder
	for len(b64) > 76 {
		att.WriteString(b64[:76] + "\n")
		b64 = b64[76:]
	}
	att.WriteString(b64 + "\n")
	body := jis("お世話になっております。\n弊社の NFS サーバ nfs1 のログに以下の記録が残っていました。\nログを添付いたします。ご確認をお願いいたします。\n")
	msg := "Date: Mon, 13 Mar 2000 15:02:11 +0900\n" +
		"From: " + from + "\n" +
		"To: " + to + "\n" +
		"Subject: " + mime.BEncoding.Encode("ISO-2022-JP", jis("statd への攻撃の報告")) + "\n" +
		"Message-ID: <" + msgID + ">\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=\"--Next_Part(Mon_Mar_13_15:02:11_2000)--\"\n" +
		"Content-Transfer-Encoding: 7bit\n" +
		"\n" +
		"----Next_Part(Mon_Mar_13_15:02:11_2000)--\n" +
		"Content-Type: text/plain; charset=ISO-2022-JP\n" +
		"Content-Transfer-Encoding: 7bit\n" +
		"\n" + body + "\n" +
		"----Next_Part(Mon_Mar_13_15:02:11_2000)--\n" +
		"Content-Type: application/x-gzip; name=\"messages.gz\"\n" +
		"Content-Transfer-Encoding: base64\n" +
		"Content-Disposition: attachment; filename=\"messages.gz\"\n" +
		"\n" + att.String() + "\n" +
		"----Next_Part(Mon_Mar_13_15:02:11_2000)----\n"
	if strings.Contains(msg, "\n.") {
		t.Fatal("a line starts with a dot: the comparison after dot-stuffing would not be exact")
	}
	return []byte(strings.ReplaceAll(msg, "\n", "\r\n"))
}

// relayed is one message the test's relay received.
type relayed struct {
	from string
	to   []string
	data []byte
}

// relayBackend is a real SMTP server (go-smtp) standing where the site's relay would be.
type relayBackend struct{ got chan relayed }

func (b *relayBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &relaySession{b: b}, nil
}

type relaySession struct {
	b *relayBackend
	m relayed
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error { s.m.from = from; return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.to = append(s.m.to, to)
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.data = data
	s.b.got <- s.m
	return nil
}
func (s *relaySession) Reset()        { s.m = relayed{} }
func (s *relaySession) Logout() error { return nil }

func startRelay(t *testing.T) (addr string, got chan relayed) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	be := &relayBackend{got: make(chan relayed, 4)}
	srv := smtp.NewServer(be)
	srv.Domain = "relay.test"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), be.got
}

var smtpListening = regexp.MustCompile(`taking mail on smtp://(\S+)`)

// TestSMTPIntakeWithSwaks: a real SMTP client (swaks) delivers an ISO-2022-JP report with a gzip
// attachment of logs to keikai serve --smtp. The report is stored byte-for-byte after the
// Received: line keikai adds, analysed as the statd intrusion of JPCERT-E-INF-98-0001, and the
// acknowledgement reaches a real SMTP server given as --relay: in Japanese, with the tracking
// number in the subject and the status link in the text.
func TestSMTPIntakeWithSwaks(t *testing.T) {
	swaks := testenv.Command(t, "swaks", "swaks")
	relay, acks := startRelay(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "keikai.db")
	p := startServe(t, db, "--smtp", "127.0.0.1:0", "--relay", relay,
		"--intake-address", "Incident Response <info@csirt.example>", "--base-url", "https://csirt.example")
	var smtpAddr string
	for deadline := time.Now().Add(10 * time.Second); smtpAddr == ""; {
		if m := smtpListening.FindStringSubmatch(p.logText()); m != nil {
			smtpAddr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no SMTP listener:\n%s", p.logText())
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	raw := isoMail(t, "Yamada Taro <yamada@example.co.jp>", "info@csirt.example", "20000313150211.B4711@example.co.jp")
	file := filepath.Join(dir, "report.eml")
	// --no-data-fixup sends the file as it is, so it carries the closing dot itself.
	if err := os.WriteFile(file, append(slices.Clip(raw), ".\r\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(smtpAddr)
	out, err := exec.Command(swaks, "--server", host, "--port", port, "--helo", "mail.example.co.jp",
		"--from", "yamada@example.co.jp", "--to", "info@csirt.example",
		"--data", "@"+file, "--no-data-fixup").CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v\n%s\nserver log:\n%s", err, out, p.logText())
	}
	if !bytes.Contains(out, []byte("<-  250")) {
		t.Fatalf("swaks did not get 250 for the message:\n%s", out)
	}

	// The acknowledgement is sent after the commit, through the relay.
	var ack relayed
	select {
	case ack = <-acks:
	case <-time.After(30 * time.Second):
		t.Fatalf("no acknowledgement at the relay within 30 s:\n%s", p.logText())
	}
	var rep listedReport
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		rs := listReports(t, db)
		if len(rs) == 1 && rs[0].State == "analysed" {
			rep = rs[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("report not analysed within 60 s: %+v\n%s", rs, p.logText())
		}
	}
	if rep.Channel != "smtp" || rep.Category != taxonomy.Intrusion {
		t.Errorf("report: channel %s, category %s; want smtp, intrusion", rep.Channel, rep.Category)
	}
	show, errOut, code := runKeikai(t, "report", "show", rep.Tracking, "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("report show: exit %d: %s", code, errOut)
	}
	var shown struct {
		Analysis struct {
			Category   string   `json:"category"`
			Advisories []string `json:"advisories"`
			Parts      []struct {
				Name string `json:"name"`
			} `json:"parts"`
		} `json:"analysis"`
	}
	if err := json.Unmarshal([]byte(show), &shown); err != nil {
		t.Fatalf("report show JSON: %v\n%s", err, show)
	}
	if !slices.Contains(shown.Analysis.Advisories, "JPCERT-E-INF-98-0001") {
		t.Errorf("advisories %v; want JPCERT-E-INF-98-0001 (the statd line in the gzip attachment)", shown.Analysis.Advisories)
	}

	// Stored byte-for-byte: keikai's Received: line, then exactly what swaks sent.
	p.stop(t)
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sub, err := st.Submission(context.Background(), rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sub.Raw, []byte("Received: ")) {
		t.Fatalf("stored message does not start with Received:: %q", sub.Raw[:min(80, len(sub.Raw))])
	}
	after := sub.Raw
	for {
		i := bytes.Index(after, []byte("\r\n"))
		if i < 0 {
			t.Fatal("no end of the Received: field")
		}
		after = after[i+2:]
		if len(after) == 0 || (after[0] != ' ' && after[0] != '\t') {
			break
		}
	}
	if !bytes.Equal(after, raw) {
		t.Errorf("stored message differs from the one sent (%d bytes stored after Received:, %d sent)", len(after), len(raw))
	}

	// The acknowledgement: null envelope sender, to the reporter, in Japanese, tracking number
	// in the subject, the status link in the text.
	if ack.from != "" || !slices.Equal(ack.to, []string{"yamada@example.co.jp"}) {
		t.Errorf("acknowledgement envelope: from %q to %v; want <> to yamada@example.co.jp", ack.from, ack.to)
	}
	content, err := mail.Decode(ack.data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(content.Subject, rep.Tracking) {
		t.Errorf("acknowledgement subject %q lacks the tracking number %s", content.Subject, rep.Tracking)
	}
	if !bytes.Contains(ack.data, []byte("charset=ISO-2022-JP")) && !bytes.Contains(ack.data, []byte("charset=\"ISO-2022-JP\"")) {
		t.Errorf("acknowledgement is not ISO-2022-JP:\n%s", ack.data)
	}
	text := ""
	for _, part := range content.Parts {
		text += string(part.Text)
	}
	if !strings.Contains(text, "ご報告を受け付けました。受付番号は "+rep.Tracking) {
		t.Errorf("acknowledgement text is not the Japanese one with the tracking number %s:\n%s", rep.Tracking, text)
	}
	if !strings.Contains(text, "https://csirt.example/status/") {
		t.Errorf("acknowledgement text lacks the status link:\n%s", text)
	}
}

// TestImportMboxTwice imports a small mbox (an ISO-2022-JP report with Received:, a report with
// mboxrd-quoted From lines, a question) twice: the second run stores nothing, and every report
// is dated by its From_ line (in the zone of its newest Received:, else UTC).
func TestImportMboxTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "keikai.db")
	mbox := filepath.Join("testdata", "import", "reports.mbox")
	out, errOut, code := runKeikai(t, "import", "mbox", mbox, "--db", db, "--analyse")
	if code != 0 {
		t.Fatalf("first import: exit %d: %s%s", code, out, errOut)
	}
	if !strings.Contains(out, "3 messages read, 3 stored as new reports, 0 already stored") {
		t.Errorf("first import said:\n%s", out)
	}
	out, errOut, code = runKeikai(t, "import", "mbox", mbox, "--db", db, "--lang", "ja")
	if code != 0 {
		t.Fatalf("second import: exit %d: %s%s", code, out, errOut)
	}
	if !strings.Contains(out, "3 通を読み、0 通を新しい報告として保存、3 通は保存済み") {
		t.Errorf("second import said:\n%s", out)
	}
	rs := listReports(t, db)
	want := []struct {
		at       string
		category string
	}{
		{"2000-04-01T01:15:00Z", taxonomy.Probe},
		{"2000-05-16T23:40:12Z", taxonomy.MailRelay},
		{"2000-06-30T23:59:30Z", taxonomy.Other},
	}
	if len(rs) != len(want) {
		t.Fatalf("%d reports stored, want %d: %+v", len(rs), len(want), rs)
	}
	for i, w := range want {
		if got := rs[i].ReceivedAt.UTC().Format(time.RFC3339); got != w.at || rs[i].Channel != "import" {
			t.Errorf("report %d: received %s via %s; want %s via import", i+1, got, rs[i].Channel, w.at)
		}
		if rs[i].State != "analysed" || rs[i].Category != w.category {
			t.Errorf("report %d: %s, category %s; want analysed, %s", i+1, rs[i].State, rs[i].Category, w.category)
		}
	}
}

// TestServeDemo is the README's first command: keikai serve --demo on a fresh database serves
// the quarter's activity report at /activity (days in Japan time, as keikai report activity counts
// them), the published advisories and security.txt with the intake address; a second --demo on
// the same database is refused.
func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses 718 reports")
	}
	db := filepath.Join(t.TempDir(), "keikai.db")
	p := startServe(t, db, "--demo", "--intake-address", "info@csirt.example")
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rs := listReports(t, db)
		analysed := 0
		for _, r := range rs {
			if r.State == "analysed" {
				analysed++
			}
		}
		if analysed == demo.SeedTotal {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d demo reports analysed after 90 s:\n%s", analysed, len(rs), p.logText())
		}
	}
	get := func(path string) (string, http.Header) {
		t.Helper()
		resp, err := http.Get(p.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b), resp.Header
	}
	page, hdr := get("/activity?from=2000-04-01&to=2000-06-30&lang=en")
	for _, want := range []string{"718 reports", "30 June 2000 (JST)", `<nav>`, `<form class="period"`, `<article class="keikai-activity" lang="en">`} {
		if !strings.Contains(page, want) {
			t.Errorf("/activity lacks %q", want)
		}
	}
	if csp := hdr.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "'sha256-") {
		t.Errorf("/activity CSP %q; want the style sheet's hash, not 'unsafe-inline'", csp)
	}
	if txt, _ := get("/.well-known/security.txt"); !strings.Contains(txt, "Contact: mailto:info@csirt.example") || !strings.Contains(txt, "BEGIN PGP SIGNATURE") {
		t.Errorf("security.txt:\n%s", txt)
	}
	get("/.well-known/csaf/provider-metadata.json")
	get("/advisories/JPCERT-E-INF-98-0001/ja.txt")
	if code := p.stop(t); code != 0 {
		t.Errorf("serve exited %d:\n%s", code, p.logText())
	}
	_, errOut, code := runKeikai(t, "serve", "--demo", "--db", db, "--listen", "127.0.0.1:0")
	if code != 2 || !strings.Contains(errOut, "already holds reports") {
		t.Errorf("second serve --demo: exit %d, %q; want 2 and the reason", code, errOut)
	}
}
