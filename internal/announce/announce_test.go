package announce

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/advisories"
	"github.com/keikai-project/keikai/internal/advisory"
	"github.com/keikai-project/keikai/internal/sign"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// relay is a real SMTP server (go-smtp) that keeps what it receives.
type relay struct {
	mu       sync.Mutex
	received []received
}

type received struct {
	from string
	to   []string
	data []byte
}

type session struct {
	r   *relay
	cur received
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{r: r}, nil }
func (s *session) Reset()                                    { s.cur = received{} }
func (s *session) Logout() error                             { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "refused@") {
		return &smtp.SMTPError{Code: 550, Message: "no such user"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.r.mu.Lock()
	s.r.received = append(s.r.received, s.cur)
	s.r.mu.Unlock()
	return nil
}

func startRelay(t *testing.T) (*relay, string) {
	t.Helper()
	r := &relay{}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r, ln.Addr().String()
}

func TestParseSubscribers(t *testing.T) {
	good := "# list\na@example.org ja iso-2022-jp\nb@example.org en\n\nc@example.org ja utf-8 # comment\n"
	subs, err := ParseSubscribers(strings.NewReader(good))
	if err != nil || len(subs) != 3 || subs[0].Charset != ISO2022JP || subs[1].Charset != UTF8 {
		t.Fatalf("%+v %v", subs, err)
	}
	for _, bad := range []string{"a@example.org", "a@example.org fr", "a@example.org en iso-2022-jp", "Name <a@example.org> ja", "a@example.org ja\na@example.org en", "a@example.org ja koi8-r"} {
		if _, err := ParseSubscribers(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSendToSubscribers(t *testing.T) {
	c, err := advisory.LoadFS(advisories.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := c.Lookup("JPCERT-AT-2002-0006")
	_, signer, err := sign.Generate("Test CSIRT", "csirt@example.org", []byte("p"), now)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := signer.PublicKey()
	kr, _ := sign.ReadKeyring(pub)
	subs := []Subscriber{
		{"jis@example.org", advisory.Ja, ISO2022JP},
		{"refused@example.org", advisory.Ja, UTF8},
		{"utf8@example.org", advisory.Ja, UTF8},
		{"en@example.org", advisory.En, UTF8},
	}
	msgs := map[string][]byte{}
	var order []string
	for _, s := range subs {
		m, err := Compose(a, s, "Test CSIRT <csirt@example.org>", signer, now)
		if err != nil {
			t.Fatal(err)
		}
		msgs[s.Address] = m
		order = append(order, s.Address)
	}
	r, addr := startRelay(t)
	deliveries, err := Relay{Addr: addr, Hello: "keikai.test"}.Send("csirt@example.org", msgs, order)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deliveries {
		var se *smtp.SMTPError
		if refused := d.Address == "refused@example.org"; refused != (d.Err != nil) || refused && !(errors.As(d.Err, &se) && se.Code == 550) {
			t.Errorf("%s: %v", d.Address, d.Err)
		}
	}
	if len(r.received) != 3 {
		t.Fatalf("relay received %d messages, want 3", len(r.received))
	}
	dec := mime.WordDecoder{CharsetReader: func(charset string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "iso-2022-jp") {
			return japanese.ISO2022JP.NewDecoder().Reader(in), nil
		}
		return nil, errors.New("unexpected charset " + charset)
	}}
	for _, m := range r.received {
		if len(m.to) != 1 {
			t.Errorf("a message went to %v; one recipient per message", m.to)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.data))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Errorf("%s: subject: %v", m.to, err)
		}
		body, _ := io.ReadAll(msg.Body)
		if msg.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		}
		v, err := kr.VerifyClearsigned(body)
		if err != nil {
			t.Errorf("%s: signature as received: %v", m.to, err)
			continue
		}
		text := v.Text
		switch m.to[0] {
		case "jis@example.org":
			for _, b := range body {
				if b >= 0x80 {
					t.Fatal("ISO-2022-JP body has an 8-bit byte")
				}
			}
			if text, err = japanese.ISO2022JP.NewDecoder().Bytes(text); err != nil {
				t.Fatal(err)
			}
			fallthrough
		case "utf8@example.org":
			if subject != "[JPCERT-AT-2002-0006 Ver.02] 緊急報告 - OpenSSL の脆弱性を使って伝播する Apache/mod_ssl ワーム" {
				t.Errorf("%s: subject %q", m.to, subject)
			}
			if !bytes.Contains(text, []byte("発 行 日: 2002-09-20 (Ver.02)")) || !bytes.Contains(text, []byte("OpenPGP 鍵指紋: "+sign.FormatFingerprint(signer.Fingerprint()))) {
				t.Errorf("%s: text lacks the edition or fingerprint", m.to)
			}
		case "en@example.org":
			if !strings.HasPrefix(subject, "[JPCERT-AT-2002-0006 Ver.02] Alert - Apache/mod_ssl worm") || !bytes.Contains(text, []byte("Revision history")) {
				t.Errorf("English message: subject %q", subject)
			}
		}
	}
}

func FuzzParseSubscribers(f *testing.F) {
	f.Add("a@example.org ja iso-2022-jp\n# c\nb@example.org en\n")
	f.Fuzz(func(t *testing.T, list string) {
		subs, err := ParseSubscribers(strings.NewReader(list))
		if err != nil {
			return
		}
		for _, s := range subs {
			if _, err := mail.ParseAddress(s.Address); err != nil {
				t.Fatalf("accepted %q", s.Address)
			}
		}
	})
}
