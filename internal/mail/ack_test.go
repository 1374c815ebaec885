package mail

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/keikai-project/keikai/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestAckOriginal(t *testing.T) {
	reportMsg := "Message-ID: <r1@example.co.jp>\r\nReferences: <a@x> <b@y>\r\nSubject: =?ISO-2022-JP?B?GyRCSnM5cBsoQg==?=\r\nFrom: Forged <victim@example.org>\r\n\r\nbody\r\n"
	tests := []struct {
		name     string
		raw      string
		envelope string
		ok       bool
		want     Original
	}{
		{"a report", reportMsg, "<reporter@example.co.jp>", true,
			Original{To: "reporter@example.co.jp", MessageID: "r1@example.co.jp", References: []string{"a@x", "b@y"}, Subject: "報告"}},
		{"null sender (a bounce)", reportMsg, "", false, Original{}},
		{"null sender in brackets", reportMsg, "<>", false, Original{}},
		{"mailer daemon", reportMsg, "MAILER-DAEMON@mail.example.com", false, Original{}},
		{"list request address", reportMsg, "csirt-list-request@example.org", false, Original{}},
		{"auto-replied", "Auto-Submitted: auto-replied\r\n\r\nx", "a@example.com", false, Original{}},
		{"auto-submitted no", "Auto-Submitted: no\r\n\r\nx", "a@example.com", true, Original{To: "a@example.com"}},
		{"bulk", "Precedence: bulk\r\n\r\nx", "a@example.com", false, Original{}},
		{"mailing list", "List-Id: <csirt.example.org>\r\n\r\nx", "a@example.com", false, Original{}},
		{"out-of-office suppression", "X-Auto-Response-Suppress: OOF\r\n\r\nx", "a@example.com", false, Original{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := AckOriginal([]byte(tt.raw), tt.envelope)
			if ok != tt.ok || got.To != tt.want.To || got.MessageID != tt.want.MessageID || got.Subject != tt.want.Subject ||
				strings.Join(got.References, " ") != strings.Join(tt.want.References, " ") {
				t.Errorf("AckOriginal = %+v %v, want %+v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func testAck(lang string) (Ack, Original) {
	return Ack{
			Lang: lang, Tracking: "KK-2000-00718", StatusURL: "https://csirt.example/s/3q2-7HxYf0S9bVtQmPqLzw",
			From: "Incident Response <info@csirt.example>", Date: time.Date(2000, 4, 1, 10, 24, 0, 0, time.FixedZone("", 9*3600)),
		}, Original{To: "yamada@example.co.jp", MessageID: "r1@example.co.jp", References: []string{"a@x"},
			Subject: "不正アクセスの報告 (statd)"}
}

// The rendered acknowledgements are golden files; go test -run TestAcknowledgementGolden -update rewrites them.
func TestAcknowledgementGolden(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		a, o := testAck(lang)
		got := Acknowledgement(a, o)
		golden := filepath.Join("testdata", "ack_"+lang+".golden")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s acknowledgement differs from %s:\n%s", lang, golden, got)
		}
		// 7-bit, CRLF only, lines within RFC 5322's 78, ISO-2022-JP back in ASCII at every line end.
		for i, line := range bytes.Split(got, []byte("\r\n")) {
			if len(line) > 78 || bytes.ContainsAny(line, "\r\n") || !isASCII(line) {
				t.Errorf("%s line %d not 7-bit, CRLF, 78 characters: %q", lang, i, line)
			}
			if esc := bytes.LastIndex(line, []byte("\x1b")); esc >= 0 && !bytes.HasPrefix(line[esc:], []byte("\x1b(B")) {
				t.Errorf("%s line %d ends outside ASCII: %q", lang, i, line)
			}
		}
	}
}

// sink is a real SMTP server (go-smtp) that keeps what it receives.
type sink struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from string
	to   []string
	data []byte
}

type sinkSession struct {
	s   *sink
	cur received
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }
func (ss *sinkSession) Reset()                              { ss.cur = received{} }
func (ss *sinkSession) Logout() error                       { return nil }
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.cur.from = from
	return nil
}
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.to = append(ss.cur.to, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.data = b
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, ss.cur)
	ss.s.mu.Unlock()
	return nil
}

func TestSendRelayDelivers(t *testing.T) {
	sk := &sink{}
	srv := smtp.NewServer(sk)
	srv.Domain = "relay.example"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	want := map[string][]string{
		"ja": {"ご報告を受け付けました。受付番号は KK-2000-00718 です。", "https://csirt.example/s/3q2-7HxYf0S9bVtQmPqLzw", "報告者の了解なしに"},
		"en": {"Its tracking number is KK-2000-00718.", "https://csirt.example/s/3q2-7HxYf0S9bVtQmPqLzw", "without the\r\nreporter's consent"},
	}
	subjects := map[string]string{
		"ja": "[KK-2000-00718] 報告を受け付けました (Re: 不正アクセスの報告 (statd))",
		"en": "[KK-2000-00718] Report received (Re: 不正アクセスの報告 (statd))",
	}
	for i, lang := range []string{"ja", "en"} {
		a, o := testAck(lang)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := SendRelay(ctx, l.Addr().String(), "info@csirt.example", []string{o.To}, Acknowledgement(a, o))
		cancel()
		if err != nil {
			t.Fatalf("SendRelay: %v", err)
		}
		sk.mu.Lock()
		got := sk.msgs[i]
		sk.mu.Unlock()
		if got.from != "info@csirt.example" || len(got.to) != 1 || got.to[0] != "yamada@example.co.jp" {
			t.Errorf("%s envelope %q -> %q", lang, got.from, got.to)
		}
		h, _, _, _ := splitMessage(got.data)
		for name, value := range map[string]string{
			"In-Reply-To": "<r1@example.co.jp>", "Auto-Submitted": "auto-replied", "To": "<yamada@example.co.jp>",
			"From": `"Incident Response" <info@csirt.example>`, "Message-ID": "<ack.KK-2000-00718.20000401012400@csirt.example>",
			"References": "<a@x> <r1@example.co.jp>",
		} {
			if h.Get(name) != value {
				t.Errorf("%s %s: %q, want %q", lang, name, h.Get(name), value)
			}
		}
		c, err := Decode(got.data)
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != subjects[lang] || c.Lang != lang || len(c.Parts) != 1 || len(c.Warnings) > 0 {
			t.Errorf("%s: subject %q lang %q parts %d warnings %q", lang, c.Subject, c.Lang, len(c.Parts), c.Warnings)
			continue
		}
		for _, s := range want[lang] {
			if !strings.Contains(string(c.Parts[0].Text), s) {
				t.Errorf("%s body lacks %q:\n%s", lang, s, c.Parts[0].Text)
			}
		}
	}
}

func TestSendRelayFailures(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if err := SendRelay(context.Background(), addr, "a@x", []string{"b@y"}, []byte("x\r\n")); err == nil || !strings.Contains(err.Error(), "acknowledgement relay") {
		t.Errorf("closed port: %v", err)
	}
	// A relay that accepts the connection and never speaks: the context ends the wait.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		c, err := silent.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(5 * time.Second)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := SendRelay(ctx, silent.Addr().String(), "a@x", []string{"b@y"}, []byte("x\r\n")); err == nil {
		t.Error("silent relay: no error")
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("SendRelay waited %v past its context", time.Since(start))
	}
}

func TestAcknowledgerSend(t *testing.T) {
	sk := &sink{}
	srv := smtp.NewServer(sk)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	a := &Acknowledger{
		Relay: l.Addr().String(), From: "Incident Response <info@csirt.example>",
		StatusURL: func(r report.Receipt) string { return "https://csirt.example/s/" + r.Tracking },
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "oe_iso2022jp_form.eml"))
	if err != nil {
		t.Fatal(err)
	}
	receipt := report.Receipt{ID: 1, Tracking: "KK-1998-00001"}
	a.Send(context.Background(), &report.Submission{Raw: raw}, "yamada@example.co.jp", receipt)
	// A bounce gets no acknowledgement.
	a.Send(context.Background(), &report.Submission{Raw: raw}, "", receipt)
	sk.mu.Lock()
	defer sk.mu.Unlock()
	if len(sk.msgs) != 1 {
		t.Fatalf("%d acknowledgements sent, want 1", len(sk.msgs))
	}
	got := sk.msgs[0]
	if got.from != "" || got.to[0] != "yamada@example.co.jp" {
		t.Errorf("envelope %q -> %q, want the null sender", got.from, got.to)
	}
	c, err := Decode(got.data)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lang != "ja" || !strings.Contains(string(c.Parts[0].Text), "https://csirt.example/s/KK-1998-00001") ||
		c.Subject != "[KK-1998-00001] 報告を受け付けました (Re: 不正アクセスの報告 (statd))" {
		t.Errorf("acknowledgement: %q %q\n%s", c.Lang, c.Subject, c.Parts[0].Text)
	}
}
