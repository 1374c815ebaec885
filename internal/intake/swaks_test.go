package intake

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/smtpd"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/testenv"
)

// relaySink is a real SMTP server (go-smtp) standing where the site's relay would: it keeps
// what keikai sends.
type relaySink struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (s *relaySink) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySinkSession{s}, nil }

func (s *relaySink) sent() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.msgs...)
}

type relaySinkSession struct{ s *relaySink }

func (ss *relaySinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *relaySinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *relaySinkSession) Reset()                               {}
func (ss *relaySinkSession) Logout() error                        { return nil }
func (ss *relaySinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, b)
	ss.s.mu.Unlock()
	return err
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestSwaksRepliesToTheAcknowledgement runs the path a reporter's mail client takes: swaks
// files a Japanese report with keikai's SMTP listener, keikai acknowledges it through a relay,
// and replies written as clients write them (the acknowledgement's subject as it came, folded
// ISO-2022-JP words and all; an auto-reply) come back through swaks and join the thread without
// being acknowledged again.
func TestSwaksRepliesToTheAcknowledgement(t *testing.T) {
	bin := testenv.Command(t, "swaks", "swaks")
	ctx := context.Background()
	st := openSQLite(t)
	svc := newService(t, st, nil, func(c *Config) { c.Decoders[MediaMail] = MailDecoder(DefaultLimits()) })
	replies := &Replies{Next: svc, Store: st}

	sink := &relaySink{}
	sl := listen(t)
	relay := smtp.NewServer(sink)
	relay.Domain = "relay.example"
	go relay.Serve(sl)
	t.Cleanup(func() { relay.Close() })

	ack := &mail.Acknowledger{Relay: sl.Addr().String(), From: "CSIRT <info@csirt.example>",
		StatusURL: func(r report.Receipt) string { return "https://csirt.example/status/" + r.StatusSecret },
		Sent: func(ctx context.Context, r report.Receipt, msg []byte) {
			th := mail.ReadThread(msg)
			if _, _, err := st.AddMessage(ctx, store.Message{ReportID: r.ID, Direction: store.Outbound, Kind: store.MessageAck,
				MessageID: th.MessageID, Subject: th.Subject, Raw: msg}, audit.Actor{Name: "keikai"}); err != nil {
				t.Errorf("record the acknowledgement: %v", err)
			}
		}}
	il := listen(t)
	srv := smtpd.New(il.Addr().String(), replies, smtpd.Options{Domain: "csirt.example", Acknowledge: ack.Send})
	go srv.Serve(il)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	send := func(t *testing.T, raw string) {
		t.Helper()
		file := filepath.Join(t.TempDir(), "msg.eml")
		if err := os.WriteFile(file, []byte(raw), 0o644); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(cctx, bin, "--server", il.Addr().String(), "--helo", "client.example",
			"--from", "yamada@reporter.example", "--to", "info@csirt.example", "--data", "@"+file).CombinedOutput()
		if err != nil {
			t.Fatalf("swaks: %v\n%s", err, out)
		}
	}
	waitSent := func(n int) [][]byte {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got := sink.sent(); len(got) >= n {
				return got
			}
		}
		t.Fatalf("the relay did not get %d messages", n)
		return nil
	}

	jis := func(s string) string { return encodeWith(t, japanese.ISO2022JP.NewEncoder(), s) }
	send(t, "From: Yamada <yamada@reporter.example>\r\nTo: info@csirt.example\r\nSubject: "+jisB(t, "不正アクセスの報告")+"\r\n"+
		"Message-ID: <report1@reporter.example>\r\nDate: Tue, 01 Dec 2026 09:00:00 +0900\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"+
		jis("弊社サーバへの不正アクセスを報告します。\r\n203.0.113.5 から SSH の試行がありました。\r\n"))
	ackRaw := waitSent(1)[0]

	// The acknowledgement as a client parses it.
	m, err := netmail.ReadMessage(bytes.NewReader(ackRaw))
	if err != nil {
		t.Fatal(err)
	}
	rawSubject := m.Header.Get("Subject")
	dec := mime.WordDecoder{CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
		return japanese.ISO2022JP.NewDecoder().Reader(r), nil
	}}
	subject, err := dec.DecodeHeader(rawSubject)
	tracking := mail.TrackingNumbers(rawSubject)
	if err != nil || len(tracking) != 1 || !strings.Contains(subject, "報告を受け付けました") || !strings.HasPrefix(rawSubject, "["+tracking[0]+"]") {
		t.Fatalf("acknowledgement subject %q (raw %q): %v", subject, rawSubject, err)
	}
	if _, params, err := mime.ParseMediaType(m.Header.Get("Content-Type")); err != nil || params["charset"] != "ISO-2022-JP" {
		t.Errorf("Content-Type %q", m.Header.Get("Content-Type"))
	}
	if _, err := m.Header.Date(); err != nil || m.Header.Get("MIME-Version") != "1.0" || m.Header.Get("Auto-Submitted") != "auto-replied" {
		t.Errorf("header %v: %v", m.Header, err)
	}
	ackID := mail.MessageID(ackRaw)
	// The header fields as they stood, folding kept, for the reply to quote.
	foldedSubject := string(ackRaw[bytes.Index(ackRaw, []byte("Subject: "))+len("Subject: "):])
	foldedSubject = foldedSubject[:strings.Index(foldedSubject, "\r\nDate:")]

	tests := []struct {
		name, raw string
		kind      store.MessageKind
	}{
		{"Becky!: Re: and the acknowledgement's folded subject, In-Reply-To, ISO-2022-JP body",
			"From: Yamada <yamada@reporter.example>\r\nTo: info@csirt.example\r\nSubject: Re: " + foldedSubject + "\r\n" +
				"Message-ID: <reply1@reporter.example>\r\nIn-Reply-To: <" + ackID + ">\r\nReferences: <report1@reporter.example> <" + ackID + ">\r\n" +
				"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + jis("追加のログです。\r\n"),
			store.MessageReply},
		{"a mailer that dropped the threading fields and re-encoded the subject in UTF-8",
			"From: yamada@reporter.example\r\nTo: info@csirt.example\r\nSubject: =?UTF-8?B?UmU6IFs=?=" + "\r\n =?UTF-8?Q?" + tracking[0] + "]_=E5=A0=B1=E5=91=8A?=\r\n" +
				"Message-ID: <reply2@reporter.example>\r\n\r\nmore\r\n",
			store.MessageReply},
		{"an out-of-office reply to the acknowledgement",
			"From: yamada@reporter.example\r\nTo: info@csirt.example\r\nSubject: " + jisB(t, "自動応答: 不在にしております") + " Re: [" + tracking[0] + "]\r\n" +
				"Message-ID: <oof@reporter.example>\r\nAuto-Submitted: auto-replied\r\nPrecedence: auto_reply\r\n\r\naway\r\n",
			store.MessageAutomatic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			send(t, tc.raw)
			id := mail.MessageID([]byte(tc.raw))
			got, err := st.MessagesByMessageID(ctx, []string{id})
			if err != nil || len(got) != 1 || got[0].Kind != tc.kind {
				t.Fatalf("stored %+v, %v", got, err)
			}
			rep, err := st.Get(ctx, got[0].ReportID)
			if err != nil || rep.Tracking != tracking[0] {
				t.Errorf("joined %+v, %v", rep, err)
			}
			// The listener adds its Received: field; the message itself is kept byte for byte
			// (swaks ends DATA with a line break of its own after the file's last one).
			if !bytes.HasSuffix(got[0].Raw, []byte(tc.raw+"\r\n")) || !bytes.HasPrefix(got[0].Raw, []byte("Received: ")) {
				t.Errorf("stored raw bytes differ:\n%q", got[0].Raw)
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // an acknowledgement, if one were wrongly sent, would arrive by now
	if n := len(sink.sent()); n != 1 {
		t.Errorf("the relay got %d messages; replies and auto-replies must not be acknowledged", n)
	}
}
