package cli

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// inbox is a real SMTP server that counts what it is given.
type inbox struct {
	mu    sync.Mutex
	rcpts []string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{b: b}, nil }

type inboxSession struct{ b *inbox }

func (s *inboxSession) Reset()                               {}
func (s *inboxSession) Logout() error                        { return nil }
func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.rcpts = append(s.b.rcpts, to)
	return nil
}

func TestAdvisoryMail(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("pw\n"), 0o600)
	key := filepath.Join(dir, "key.asc")
	if r := keikai(t, "", "key", "generate", "--name", "T", "--email", "t@example.org", "--key", key, "--passphrase-file", pass); r.code != exitClean {
		t.Fatal(r.stderr)
	}
	list := filepath.Join(dir, "subscribers")
	os.WriteFile(list, []byte("a@example.org ja iso-2022-jp\nb@example.org en\n"), 0o644)
	box := &inbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	r := keikai(t, "", "advisory", "mail", "--smtp", ln.Addr().String(), "--from", "T <t@example.org>", "--subscribers", list,
		"--key", key, "--passphrase-file", pass, "JPCERT-AT-2002-0006")
	if r.code != exitClean || strings.Count(r.stdout, ": sent") != 2 {
		t.Fatalf("mail: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if len(box.rcpts) != 2 {
		t.Errorf("relay saw recipients %v", box.rcpts)
	}
	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln2.Addr().String()
	ln2.Close()
	r = keikai(t, "", "advisory", "mail", "--smtp", closed, "--from", "t@example.org", "--subscribers", list,
		"--key", key, "--passphrase-file", pass, "JPCERT-AT-2002-0006")
	if r.code != exitError || !strings.Contains(r.stderr, "connect to the SMTP relay") {
		t.Errorf("relay down: %d %s", r.code, r.stderr)
	}
}
