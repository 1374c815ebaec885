package smtpd

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	netsmtp "net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/testenv"
)

// recorder is a Submitter that keeps what it is given, as the store would.
type recorder struct {
	mu   sync.Mutex
	subs []*report.Submission
	// block, when set, holds Submit until it is closed (to see when the 250 is written).
	block chan struct{}
	fail  error
}

func (r *recorder) Submit(ctx context.Context, s *report.Submission) (report.Receipt, error) {
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return report.Receipt{}, ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return report.Receipt{}, r.fail
	}
	r.subs = append(r.subs, s)
	return report.Receipt{ID: int64(len(r.subs)), Tracking: "KK-2026-" + strings.Repeat("0", 4) + string(rune('0'+len(r.subs)))}, nil
}

func (r *recorder) all() []*report.Submission {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*report.Submission(nil), r.subs...)
}

func start(t *testing.T, sub report.Submitter, opts Options) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Domain == "" {
		opts.Domain = "intake.example"
	}
	srv := New(l.Addr().String(), sub, opts)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

var receivedRE = regexp.MustCompile(`^Received: from (\S+) \(\[127\.0\.0\.1\]\)\r\n\tby intake\.example \(keikai\) with (ESMTP|UTF8SMTP) id [0-9a-f]{16}(\r\n\tfor <[^>]+>)?; [A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\n`)

// splitTrace checks the Received: field this server prepends and returns the bytes after it.
func splitTrace(t *testing.T, raw []byte) []byte {
	t.Helper()
	loc := receivedRE.FindIndex(raw)
	if loc == nil {
		t.Fatalf("stored message does not start with keikai's Received: field:\n%q", raw[:min(len(raw), 300)])
	}
	return raw[loc[1]:]
}

func swaks(t *testing.T, addr string, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Command(t, "swaks", "swaks")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, append([]string{"--server", addr, "--helo", "client.example"}, args...)...).CombinedOutput()
	return string(out), err
}

// A message sent with swaks is stored byte for byte after the Received: field, dot-unstuffed.
func TestSwaksPlainByteExact(t *testing.T) {
	rec := &recorder{}
	addr := start(t, rec, Options{Recipients: []string{"Info@Intake.Example"}})
	data := "From: Reporter <reporter@example.co.jp>\r\nTo: info@intake.example\r\nSubject: plain\r\n" +
		"Message-ID: <plain.1@example.co.jp>\r\n\r\n.a line that starts with a dot\r\n..two dots\r\n" +
		"Mar 13 12:34:56 host statd[44]: attempt\r\n"
	file := filepath.Join(t.TempDir(), "data.txt")
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := swaks(t, addr, "--to", "info@intake.example", "--from", "reporter@example.co.jp", "--data", "@"+file)
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	if !strings.Contains(out, "<-  250 2.0.0 Stored as KK-2026-00001") {
		t.Errorf("no 250 with the tracking number in:\n%s", out)
	}
	subs := rec.all()
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	s := subs[0]
	// swaks ends DATA with "\r\n.\r\n" after the file's own last line break, so what it sent is
	// the file plus one empty line.
	if got := splitTrace(t, s.Raw); string(got) != data+"\r\n" {
		t.Errorf("stored DATA =\n%q\nwant\n%q", got, data)
	}
	if !bytes.Contains(s.Raw, []byte("Received: from client.example ([127.0.0.1])")) || !bytes.Contains(s.Raw, []byte("\tfor <info@intake.example>;")) {
		t.Errorf("Received: field: %q", s.Raw[:200])
	}
	if s.Channel != report.ChannelSMTP || s.MessageID != "plain.1@example.co.jp" || s.ContentType != "message/rfc822" ||
		!strings.HasPrefix(s.RemoteAddr, "127.0.0.1:") || time.Since(s.ReceivedAt) > time.Minute {
		t.Errorf("submission = %+v", s)
	}
}

// An ISO-2022-JP report with a gzip attachment, the way swaks builds MIME, decodes fully.
func TestSwaksISO2022JPWithGzip(t *testing.T) {
	rec := &recorder{}
	addr := start(t, rec, Options{})
	dir := t.TempDir()
	// "不正アクセスの報告です。①ログを添付します。" in ISO-2022-JP, NEC row 13 included.
	body := "\x1b$BIT@5%\"%/%;%9$NJs9p$G$9!#\x1b(B\r\n\x1b$B-!%m%0$rE:IU$7$^$9!#\x1b(B\r\n"
	if err := os.WriteFile(filepath.Join(dir, "body.txt"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	logText := "Apr  1 10:00:00 gw kernel: DENY 203.0.113.9:1024 192.0.2.1:111\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(logText, 50)))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "messages.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := swaks(t, addr, "--to", "info@intake.example", "--from", "yamada@example.co.jp",
		"--header", "Subject: =?ISO-2022-JP?B?GyRCSVRANSUiJS8lOyU5JE5KczlwGyhC?=",
		"--attach-type", "text/plain; charset=ISO-2022-JP", "--attach-body", "@"+filepath.Join(dir, "body.txt"),
		"--attach-type", "application/gzip", "--attach", "@"+filepath.Join(dir, "messages.gz"))
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	subs := rec.all()
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	if subs[0].MessageID == "" {
		t.Errorf("no Message-ID parsed from swaks' message")
	}
	c, err := mail.Decode(subs[0].Raw)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "不正アクセスの報告" || c.Lang != "ja" {
		t.Errorf("Subject %q Lang %q", c.Subject, c.Lang)
	}
	var sawBody, sawLog bool
	for _, p := range c.Parts {
		switch {
		case p.Kind == report.PartBody && strings.Contains(string(p.Text), "不正アクセスの報告です。\r\n①ログを添付します。"):
			sawBody = true
		case p.Kind == report.PartAttachment && p.Name == "messages.gz" && strings.Count(string(p.Text), logText) == 50:
			sawLog = true
		}
	}
	if !sawBody || !sawLog {
		for _, p := range c.Parts {
			t.Logf("part %s %q %s %q", p.Kind, p.Name, p.ContentType, p.Text[:min(len(p.Text), 120)])
		}
		t.Errorf("body decoded: %v, gzip log decoded: %v; warnings %q", sawBody, sawLog, c.Warnings)
	}
}

func TestSwaksOversized(t *testing.T) {
	rec := &recorder{}
	addr := start(t, rec, Options{MaxMessageBytes: 10000})
	out, err := swaks(t, addr, "--to", "info@intake.example", "--from", "a@example.com", "--body", strings.Repeat("x", 20000))
	if err == nil {
		t.Fatalf("swaks succeeded with an oversized message:\n%s", out)
	}
	if !strings.Contains(out, "<** 552 5.3.4") {
		t.Errorf("no 552 in:\n%s", out)
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d submissions stored", n)
	}
}

func TestSwaksPipelining(t *testing.T) {
	rec := &recorder{}
	addr := start(t, rec, Options{})
	out, err := swaks(t, addr, "--pipeline", "--to", "info@intake.example,abuse@intake.example", "--from", "a@example.com", "--body", "pipelined")
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	if !strings.Contains(out, "250-PIPELINING") || !strings.Contains(out, "250-8BITMIME") || !strings.Contains(out, "250-SMTPUTF8") {
		t.Errorf("extensions not offered:\n%s", out)
	}
	// Pipelined commands go out in one write: swaks shows MAIL, RCPT, RCPT, DATA before any reply.
	if !regexp.MustCompile(`(?s)-> MAIL FROM:<a@example.com>\n\s*-> RCPT TO:<info@intake.example>\n\s*-> RCPT TO:<abuse@intake.example>\n\s*-> DATA\n\s*<-  250`).MatchString(out) {
		t.Errorf("commands were not pipelined:\n%s", out)
	}
	subs := rec.all()
	if len(subs) != 1 || bytes.Contains(subs[0].Raw, []byte("\tfor <")) {
		t.Errorf("want one message without a \"for\" clause (two recipients): %d", len(subs))
	}
}

// The 250 is written only after Submit returned: while the store has not committed, the client waits.
func TestReplyAfterDurableSubmit(t *testing.T) {
	rec := &recorder{block: make(chan struct{})}
	addr := start(t, rec, Options{})
	sent := make(chan error, 1)
	go func() {
		sent <- netsmtp.SendMail(addr, nil, "a@example.com", []string{"info@intake.example"},
			[]byte("Subject: wait\r\nMessage-ID: <w@x>\r\n\r\nbody\r\n"))
	}()
	select {
	case err := <-sent:
		t.Fatalf("client finished before the commit: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(rec.block)
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("SendMail: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("client never got its reply")
	}
	if len(rec.all()) != 1 {
		t.Fatal("not stored")
	}
}

func TestNetSMTPRejections(t *testing.T) {
	rec := &recorder{}
	addr := start(t, rec, Options{Recipients: []string{"info@intake.example"}})
	err := netsmtp.SendMail(addr, nil, "a@example.com", []string{"root@intake.example"}, []byte("Subject: x\r\n\r\nx\r\n"))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("unknown recipient: err = %v, want 550", err)
	}
	// The null sender (a bounce) is accepted: bounces of forged mail are reports too.
	if err := netsmtp.SendMail(addr, nil, "", []string{"INFO@intake.example"}, []byte("Subject: bounce\r\n\r\nx\r\n")); err != nil {
		t.Errorf("null sender: %v", err)
	}
	if len(rec.all()) != 1 {
		t.Errorf("%d stored, want 1", len(rec.all()))
	}
}

func TestSubmitFailureIs451(t *testing.T) {
	rec := &recorder{fail: errors.New("database is locked")}
	addr := start(t, rec, Options{})
	err := netsmtp.SendMail(addr, nil, "a@example.com", []string{"info@intake.example"}, []byte("Subject: x\r\n\r\nx\r\n"))
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Errorf("err = %v, want 451 (try again later)", err)
	}
}

// A SIZE declared over the limit is refused at MAIL FROM, before any data is sent.
func TestDeclaredSizeOverLimit(t *testing.T) {
	addr := start(t, &recorder{}, Options{MaxMessageBytes: 1000})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	readReply := func() string {
		var all string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			all += line
			if len(line) < 4 || line[3] != '-' {
				return all
			}
		}
	}
	readReply()
	c.Write([]byte("EHLO client.example\r\n"))
	if ehlo := readReply(); !strings.Contains(ehlo, "250-SIZE 1000") {
		t.Errorf("SIZE not advertised: %q", ehlo)
	}
	c.Write([]byte("MAIL FROM:<a@example.com> SIZE=5000\r\n"))
	if reply := readReply(); !strings.HasPrefix(reply, "552 ") {
		t.Errorf("MAIL FROM with SIZE=5000: %q, want 552", reply)
	}
}

func TestMaxConnections(t *testing.T) {
	addr := start(t, &recorder{}, Options{MaxConnections: 1})
	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	greeting, _ := bufio.NewReader(first).ReadString('\n')
	if !strings.HasPrefix(greeting, "220 ") {
		t.Fatalf("greeting %q", greeting)
	}
	second, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	second.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply, _ := bufio.NewReader(second).ReadString('\n')
	if !strings.HasPrefix(reply, "421 ") {
		t.Errorf("second connection got %q, want 421", reply)
	}
}

func TestAcknowledgeRunsAfterStore(t *testing.T) {
	rec := &recorder{}
	got := make(chan string, 1)
	addr := start(t, rec, Options{Acknowledge: func(_ context.Context, s *report.Submission, from string, r report.Receipt) {
		got <- from + " " + r.Tracking + " " + s.MessageID
	}})
	if err := netsmtp.SendMail(addr, nil, "a@example.com", []string{"info@intake.example"}, []byte("Message-ID: <m@x>\r\n\r\nx\r\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "a@example.com KK-2026-00001 m@x" {
			t.Errorf("Acknowledge got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Acknowledge not called")
	}
}

// An idle client is dropped after ReadTimeout.
func TestIdleTimeout(t *testing.T) {
	addr := start(t, &recorder{}, Options{ReadTimeout: 200 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	r.ReadString('\n') // greeting
	reply, _ := r.ReadString('\n')
	if !strings.HasPrefix(reply, "421 ") {
		t.Errorf("after idling: %q, want 421", reply)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("connection still open")
	}
}

// SMTPUTF8: a UTF-8 envelope and header are taken as they are and marked in Received:.
func TestSMTPUTF8(t *testing.T) {
	rec := &recorder{}
	addr := start(t, rec, Options{})
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := "From: 山田 <山田@example.jp>\r\nSubject: 報告\r\nMessage-ID: <u@example.jp>\r\n\r\n本文\r\n"
	if err := c.Mail("山田@example.jp", &smtp.MailOptions{UTF8: true}); err != nil {
		t.Fatalf("MAIL FROM with SMTPUTF8: %v", err)
	}
	if err := c.Rcpt("info@intake.example", nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, msg)
	if err := w.Close(); err != nil {
		t.Fatalf("DATA: %v", err)
	}
	subs := rec.all()
	if len(subs) != 1 {
		t.Fatalf("%d stored", len(subs))
	}
	if !bytes.Contains(subs[0].Raw, []byte("with UTF8SMTP id")) || string(splitTrace(t, subs[0].Raw)) != msg {
		t.Errorf("stored %q", subs[0].Raw)
	}
}

// A Shutdown that comes before Serve has started (a signal at start-up) still ends Serve, and a
// Shutdown racing Serve's start ends it too: go-smtp alone would accept forever in both cases.
func TestShutdownBeforeServe(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delay time.Duration // between starting Serve and calling Shutdown; <0: Shutdown first
	}{{"shutdown first", -1}, {"at once", 0}, {"a moment later", time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			for range 50 {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				srv := New(l.Addr().String(), &recorder{}, Options{})
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if tc.delay < 0 {
					if err := srv.Shutdown(ctx); err != nil {
						t.Fatalf("Shutdown: %v", err)
					}
				}
				done := make(chan error, 1)
				go func() { done <- srv.Serve(l) }()
				if tc.delay >= 0 {
					time.Sleep(tc.delay)
					if err := srv.Shutdown(ctx); err != nil {
						t.Fatalf("Shutdown: %v", err)
					}
				}
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("Serve: %v", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("Serve still accepting 5 s after Shutdown")
				}
				cancel()
				if _, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
					t.Fatal("the listener still accepts after Shutdown")
				}
			}
		})
	}
}
