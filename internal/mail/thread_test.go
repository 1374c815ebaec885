package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/keikai-project/keikai/internal/sign"
	"github.com/keikai-project/keikai/internal/testenv"
)

func TestReadThread(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Thread
	}{
		{"a reply", "From: Abuse Desk <abuse@site.example>\r\nTo: info@csirt.example, \"Team\" <team@csirt.example>\r\n" +
			"Subject: Re: [KK-2000-000718] Report of activity\r\nMessage-ID: <r1@site.example>\r\n" +
			"In-Reply-To: <kk-2000-000718.1@csirt.example>\r\nReferences: <a@x>\r\n <kk-2000-000718.1@csirt.example>\r\n" +
			"Date: Sat, 01 Apr 2000 12:00:00 +0900\r\n\r\nbody",
			Thread{MessageID: "r1@site.example", InReplyTo: []string{"kk-2000-000718.1@csirt.example"},
				References: []string{"a@x", "kk-2000-000718.1@csirt.example"}, Subject: "Re: [KK-2000-000718] Report of activity",
				From: "abuse@site.example", To: []string{"info@csirt.example", "team@csirt.example"},
				Date: time.Date(2000, 4, 1, 3, 0, 0, 0, time.UTC)}},
		{"old mailer's In-Reply-To phrase and an encoded subject", "From: taro@example.jp\nIn-Reply-To: Your message of \"Sat, 1 Apr\" <x1@csirt.example>\n" +
			"Subject: =?ISO-2022-JP?B?GyRCSnM5cBsoQg==?= [KK-2000-000001]\n\n",
			Thread{InReplyTo: []string{"x1@csirt.example"}, Subject: "報告 [KK-2000-000001]", From: "taro@example.jp"}},
		{"nothing", "\n\n", Thread{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ReadThread([]byte(tc.raw))
			if !got.Date.IsZero() {
				got.Date = got.Date.UTC()
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ReadThread\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestTrackingNumbers(t *testing.T) {
	tests := []struct {
		subject string
		want    []string
	}{
		{"Re: [KK-2000-000718] Report received", []string{"KK-2000-000718"}},
		{"Fwd: Re: KK-2026-1234567 and [KK-2000-000718] again KK-2026-1234567", []string{"KK-2026-1234567", "KK-2000-000718"}},
		{"XKK-2000-000718 KK-2000-718 KK-2000-0007189012345", nil},
		{"retyped: kk-2000-000718", []string{"KK-2000-000718"}},
	}
	for _, tc := range tests {
		if got := TrackingNumbers(tc.subject); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("TrackingNumbers(%q) = %q, want %q", tc.subject, got, tc.want)
		}
	}
}

func TestComposeThreads(t *testing.T) {
	parent := ReadThread([]byte("Message-ID: <p@site.example>\r\nIn-Reply-To: <root@csirt.example>\r\n\r\n"))
	msg, o, err := Compose(Outgoing{From: "CSIRT <info@csirt.example>", To: []string{"abuse@site.example"}, Subject: "Re: your reply 貴組織のネットワークからのアクセスについて、ご確認をお願いいたします",
		Tracking: "KK-2000-000718", Lang: "ja", Body: "本文\nline 2 " + strings.Repeat("x", 100) + "\n", Parent: &parent,
		Date: time.Date(2000, 4, 2, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	back := ReadThread(msg)
	if back.Subject != "[KK-2000-000718] Re: your reply 貴組織のネットワークからのアクセスについて、ご確認をお願いいたします" || back.MessageID != o.MessageID || !strings.HasPrefix(o.MessageID, "kk-2000-000718.20000402000000.") ||
		!strings.HasSuffix(o.MessageID, "@csirt.example") {
		t.Errorf("thread %+v, outgoing %+v", back, o)
	}
	if !reflect.DeepEqual(back.InReplyTo, []string{"p@site.example"}) || !reflect.DeepEqual(back.References, []string{"root@csirt.example", "p@site.example"}) {
		t.Errorf("In-Reply-To %q References %q", back.InReplyTo, back.References)
	}
	for _, line := range strings.Split(string(msg), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78: %q", line)
		}
	}
	c, err := Decode(msg)
	if err != nil || len(c.Parts) != 1 || !strings.HasPrefix(strings.ReplaceAll(string(c.Parts[0].Text), "\r\n", "\n"), "本文\nline 2 xxx") {
		t.Errorf("decoded %+v, %v", c, err)
	}
	if _, _, err := Compose(Outgoing{From: "info@csirt.example"}, nil); !errors.Is(err, ErrNoRecipient) {
		t.Errorf("no recipient: %v", err)
	}
	if _, _, err := Compose(Outgoing{From: "info@csirt.example", To: []string{"not an address"}}, nil); err == nil {
		t.Error("a bad recipient was accepted")
	}
}

// TestComposeSignedGPG checks the PGP/MIME signature the way a mail client does: the first
// part's bytes against the detached signature, with GnuPG.
func TestComposeSignedGPG(t *testing.T) {
	gpg := testenv.Command(t, "gpg", "gnupg")
	now := time.Now()
	armored, signer, err := sign.Generate("keikai CSIRT", "info@csirt.example", []byte("pw"), now)
	if err != nil {
		t.Fatal(err)
	}
	msg, _, err := Compose(Outgoing{From: "info@csirt.example", To: []string{"abuse@site.example"}, Subject: "forward", Tracking: "KK-2000-000001",
		Body: "From 203.0.113.5 with trailing space \nend\n", Date: now}, signer)
	if err != nil {
		t.Fatal(err)
	}
	hdr, body, _, _ := splitMessage(msg)
	mt, params, err := mime.ParseMediaType(hdr.Get("Content-Type"))
	if err != nil || mt != "multipart/signed" || params["protocol"] != "application/pgp-signature" || params["micalg"] != "pgp-sha256" {
		t.Fatalf("Content-Type %q", hdr.Get("Content-Type"))
	}
	// The signed bytes are the first part exactly, its CRLF before the boundary excluded.
	delim := []byte("\r\n--" + params["boundary"])
	start := bytes.Index(body, []byte("--"+params["boundary"]+"\r\n")) + len(params["boundary"]) + 4
	end := start + bytes.Index(body[start:], delim)
	signed := append([]byte(nil), body[start:end]...)
	if want, _ := textPart("From 203.0.113.5 with trailing space \nend\n"); !bytes.Equal(signed, want) {
		t.Fatalf("first part %q, want %q", signed, want)
	}
	if bytes.Contains(signed, []byte("\nFrom ")) || !bytes.Contains(signed, []byte("\n=46rom 203.0.113.5")) {
		t.Errorf("a line starting From is not protected from mbox quoting: %q", signed)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	mr.NextPart()
	sigPart, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := io.ReadAll(sigPart)
	home := t.TempDir()
	dir := t.TempDir()
	pub, err := sign.PublicFromPrivate(armored)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"pub.asc": pub, "part": signed, "part.asc": sig} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) ([]byte, error) {
		return exec.Command(gpg, append([]string{"--homedir", home, "--batch", "--no-tty"}, args...)...).CombinedOutput()
	}
	if out, err := run("--import", filepath.Join(dir, "pub.asc")); err != nil {
		t.Fatalf("gpg --import: %v\n%s", err, out)
	}
	if out, err := run("--verify", filepath.Join(dir, "part.asc"), filepath.Join(dir, "part")); err != nil {
		t.Fatalf("gpg refused the PGP/MIME signature: %v\n%s\n%s", err, out, msg)
	}
	os.WriteFile(filepath.Join(dir, "part"), bytes.Replace(signed, []byte("end"), []byte("End"), 1), 0o600)
	if _, err := run("--verify", filepath.Join(dir, "part.asc"), filepath.Join(dir, "part")); err == nil {
		t.Error("gpg accepted a changed part")
	}
	exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
}

// captureServer is a real SMTP server (go-smtp) that keeps what it receives.
type captureServer struct {
	mu       sync.Mutex
	messages [][]byte
	rcpts    [][]string
	authed   []string
	refuse   bool
}

func (c *captureServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &captureSession{srv: c}, nil
}

type captureSession struct {
	srv   *captureServer
	rcpts []string
	user  string
}

func (s *captureSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *captureSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "keikai" || pass != "secret" {
			return errors.New("bad credentials")
		}
		s.user = user
		return nil
	}), nil
}
func (s *captureSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *captureSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}
func (s *captureSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.refuse {
		return &smtp.SMTPError{Code: 554, Message: "refused"}
	}
	s.srv.messages = append(s.srv.messages, b)
	s.srv.rcpts = append(s.srv.rcpts, s.rcpts)
	s.srv.authed = append(s.srv.authed, s.user)
	return nil
}
func (s *captureSession) Reset()        { s.rcpts = nil }
func (s *captureSession) Logout() error { return nil }

func startCapture(t *testing.T) (*captureServer, string) {
	t.Helper()
	c := &captureServer{}
	srv := smtp.NewServer(c)
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return c, ln.Addr().String()
}

func TestRelaySend(t *testing.T) {
	capture, addr := startCapture(t)
	msg := []byte("Subject: x\r\n\r\n.leading dot\r\n")
	tests := []struct {
		name    string
		relay   Relay
		refuse  bool
		wantErr bool
		user    string
	}{
		{"plain", Relay{Addr: addr, Hello: "keikai.test"}, false, false, ""},
		{"auth on the loopback", Relay{Addr: addr, Username: "keikai", Password: "secret"}, false, false, "keikai"},
		{"wrong password", Relay{Addr: addr, Username: "keikai", Password: "nope"}, false, true, ""},
		{"starttls not offered", Relay{Addr: addr, StartTLS: true}, false, true, ""},
		{"refused at DATA", Relay{Addr: addr}, true, true, ""},
		{"nobody listening", Relay{Addr: "127.0.0.1:1"}, false, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			capture.mu.Lock()
			capture.refuse = tc.refuse
			before := len(capture.messages)
			capture.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := tc.relay.Send(ctx, "info@csirt.example", []string{"abuse@site.example"}, msg)
			capture.mu.Lock()
			defer capture.mu.Unlock()
			if tc.wantErr {
				if !errors.Is(err, ErrRelay) {
					t.Errorf("err = %v, want ErrRelay", err)
				}
				if len(capture.messages) != before {
					t.Error("a failed send delivered a message")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(capture.messages) != before+1 || !bytes.Equal(capture.messages[before], msg) || capture.authed[before] != tc.user {
				t.Errorf("captured %q (user %q)", capture.messages[before:], capture.authed[before:])
			}
		})
	}
}

// FuzzReadThread: any header reads without panic, and the IDs found carry no brackets or
// spaces and are bounded in number.
func FuzzReadThread(f *testing.F) {
	addTestdata(f)
	f.Add([]byte("In-Reply-To: <a@b> <c@d>\r\nReferences: <<x>> <y@z\r\nSubject: [KK-2000-000001]\r\n\r\n"))
	f.Add([]byte("In-Reply-To: a@b (c <d@e>) f@g\r\nReferences: (x(y)z) <h@i>\r\nSubject: =?UTF-8?B?77y777yr77yr77yN?=\r\n\r\n"))
	f.Add([]byte(dsn))
	f.Fuzz(func(t *testing.T, raw []byte) {
		th := ReadThread(raw)
		if len(th.Enclosed) > maxEnclosed {
			t.Fatalf("%d enclosed", len(th.Enclosed))
		}
		for _, ids := range [][]string{th.InReplyTo, th.References} {
			if len(ids) > maxThreadIDs {
				t.Fatalf("%d IDs", len(ids))
			}
			for _, id := range ids {
				if id == "" || strings.ContainsAny(id, "<> \r\n") {
					t.Fatalf("bad ID %q", id)
				}
			}
		}
		for _, n := range TrackingNumbers(th.Subject) {
			if !strings.HasPrefix(n, "KK-") {
				t.Fatalf("tracking %q", n)
			}
		}
	})
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestRelaySTARTTLSAndAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	c := &captureServer{}
	srv := smtp.NewServer(c)
	srv.Domain = "relay.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	relay := Relay{Addr: ln.Addr().String(), StartTLS: true, TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, Username: "keikai", Password: "secret"}
	if err := relay.Send(ctx, "info@csirt.example", []string{"abuse@site.example"}, []byte("Subject: x\r\n\r\nbody\r\n")); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	if len(c.messages) != 1 || c.authed[0] != "keikai" {
		t.Errorf("captured %d messages, user %q", len(c.messages), c.authed)
	}
	c.mu.Unlock()
	// A certificate keikai does not trust: nothing is sent, and the password never leaves.
	untrusted := relay
	untrusted.TLS = &tls.Config{ServerName: "127.0.0.1"}
	if err := untrusted.Send(ctx, "info@csirt.example", []string{"abuse@site.example"}, []byte("Subject: y\r\n\r\n")); !errors.Is(err, ErrRelay) {
		t.Errorf("untrusted certificate: %v", err)
	}
}

// FuzzEncodeSubject checks that any subject keikai writes reads back the same through keikai's
// decoder and the standard library's, in 7-bit lines within 78 characters.
func FuzzEncodeSubject(f *testing.F) {
	f.Add("[KK-2026-000123] 報告を受け付けました (Re: 不正アクセス)", true)
	f.Add("[KK-2026-000123] Re: 😀  x =?a?b?c?=", false)
	f.Add("a  b 報  告 ", true)
	f.Add("=?UTF-8?B?5aCx?=", false)
	dec := mime.WordDecoder{CharsetReader: charsetReader}
	f.Fuzz(func(t *testing.T, s string, ja bool) {
		s = strings.ToValidUTF8(s, "")
		enc := encodeSubject(s, ja)
		s = withoutControls(s)
		for _, line := range strings.Split(enc, "\r\n") {
			if !isASCII([]byte(line)) {
				t.Fatalf("8-bit line %q", line)
			}
			if len(line) > 78 && strings.Contains(line, "=?") {
				t.Fatalf("line of %d with encoded words: %q", len(line), line)
			}
		}
		unfolded := strings.ReplaceAll(enc, "\r\n", "")
		if got := decodeHeaderText(unfolded); got != s {
			t.Fatalf("keikai decodes %q, want %q (%q)", got, s, enc)
		}
		if got, err := dec.DecodeHeader(unfolded); err != nil || got != s {
			t.Fatalf("mime decodes %q, want %q (%q)", got, s, enc)
		}
	})
}

// FuzzTextPart checks the signed text part: it decodes to the text, keeps RFC 2045's 76
// characters a line, and has no line an mbox would quote or unquote.
func FuzzTextPart(f *testing.F) {
	f.Add("From 203.0.113.5\n>From x\n>>From " + strings.Repeat("長", 30) + "\nend")
	f.Add(strings.Repeat("x", 74) + "\nFrom " + strings.Repeat("=", 80))
	f.Fuzz(func(t *testing.T, text string) {
		part, err := textPart(text)
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ := bytes.Cut(part, []byte("\r\n\r\n"))
		for _, line := range bytes.Split(body, []byte("\r\n")) {
			if len(line) > 76 {
				t.Fatalf("line of %d: %q", len(line), line)
			}
			if bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) {
				t.Fatalf("line an mbox changes: %q", line)
			}
		}
		got, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		want := crlf([]byte(strings.ToValidUTF8(text, "\uFFFD")))
		if err != nil || !bytes.Equal(bytes.TrimSuffix(got, []byte("\r\n")), bytes.TrimSuffix(want, []byte("\r\n"))) {
			t.Fatalf("decodes to %q (%v), want %q", got, err, want)
		}
	})
}
