package cli

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/sqlite"
	"github.com/keikai-project/keikai/internal/testenv"
)

func smtpAddrOf(t *testing.T, p *serveProcess) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m := smtpListening.FindStringSubmatch(p.logText()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SMTP listener:\n%s", p.logText())
		}
	}
}

// swaksSend delivers one message with swaks, a real SMTP client, and checks it got 250.
func swaksSend(t *testing.T, swaks, addr, from string, args ...string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command(swaks, append([]string{"--server", host, "--port", port, "--helo", "mail.example.net",
		"--from", from, "--to", "info@csirt.example"}, args...)...).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("<-  250")) {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
}

// TestRepliesJoinTheThreadWithSwaks: a report mailed to keikai serve --smtp is acknowledged
// through the relay; the reporter's answer to the acknowledgement (In-Reply-To) and a message
// naming the tracking number in its subject join the report's thread, get no acknowledgement of
// their own, and make no new report; a message with an unknown tracking number is a new report.
func TestRepliesJoinTheThreadWithSwaks(t *testing.T) {
	swaks := testenv.Command(t, "swaks", "swaks")
	relay, acks := startRelay(t)
	db := filepath.Join(t.TempDir(), "keikai.db")
	p := startServe(t, db, "--smtp", "127.0.0.1:0", "--relay", relay,
		"--intake-address", "Incident Response <info@csirt.example>", "--base-url", "https://csirt.example")
	addr := smtpAddrOf(t, p)
	swaksSend(t, swaks, addr, "taro@reporter.example", "--header", "Subject: port scan from 203.0.113.5",
		"--header", "Message-Id: <scan1@reporter.example>",
		"--body", "Jun  1 12:00:00 fw kernel: SRC=203.0.113.5 DST=192.0.2.1 PROTO=TCP DPT=111 SYN\n")
	var ack relayed
	select {
	case ack = <-acks:
	case <-time.After(30 * time.Second):
		t.Fatalf("no acknowledgement:\n%s", p.logText())
	}
	ackThread := mail.ReadThread(ack.data)
	tracking := mail.TrackingNumbers(ackThread.Subject)
	if len(tracking) != 1 || ackThread.MessageID == "" || len(ackThread.InReplyTo) != 1 || ackThread.InReplyTo[0] != "scan1@reporter.example" {
		t.Fatalf("acknowledgement thread %+v", ackThread)
	}
	// The acknowledgement is recorded in the thread only after the relay took it.
	time.Sleep(300 * time.Millisecond)
	swaksSend(t, swaks, addr, "taro@reporter.example", "--header", "Subject: Re: "+ackThread.Subject,
		"--header", "Message-Id: <reply1@reporter.example>", "--header", "In-Reply-To: <"+ackThread.MessageID+">",
		"--header", "References: <scan1@reporter.example> <"+ackThread.MessageID+">",
		"--body", "One more line: Jun  1 12:00:05 fw kernel: SRC=203.0.113.5 DPT=22\n")
	swaksSend(t, swaks, addr, "taro@reporter.example", "--header", "Subject: about ["+tracking[0]+"]",
		"--header", "Message-Id: <reply2@reporter.example>", "--body", "It stopped at 13:00.\n")
	swaksSend(t, swaks, addr, "spoof@example.net", "--header", "Subject: [KK-1999-999999] not ours",
		"--header", "Message-Id: <other@example.net>", "--body", "Jun  2 01:00:00 fw kernel: SRC=198.51.100.9 DPT=23\n")
	select {
	case second := <-acks:
		if th := mail.ReadThread(second.data); th.InReplyTo[0] != "other@example.net" {
			t.Errorf("a reply was acknowledged: %+v", th)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the new report was not acknowledged:\n%s", p.logText())
	}
	select {
	case extra := <-acks:
		t.Errorf("an extra acknowledgement: %s", extra.data)
	case <-time.After(500 * time.Millisecond):
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("serve exit %d:\n%s", code, p.logText())
	}

	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := st.ByTracking(context.Background(), tracking[0])
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.List(context.Background(), store.Filter{})
	if err != nil || len(all) != 2 {
		t.Fatalf("%d reports, want 2 (the first and the one with an unknown tracking number): %v", len(all), err)
	}
	thread, err := st.Messages(context.Background(), store.MessageFilter{ReportID: rep.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range thread {
		got = append(got, fmt.Sprintf("%s %s %s", m.Direction, m.Kind, m.MessageID))
	}
	want := []string{"out ack " + ackThread.MessageID, "in reply reply1@reporter.example", "in reply reply2@reporter.example"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("thread:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(thread) == 3 && (!bytes.Equal(thread[0].Raw, ack.data) || !bytes.Contains(thread[1].Raw, []byte("One more line"))) {
		t.Error("the thread does not keep the messages byte for byte")
	}
}

// TestImportRepliesJoinTheThread: keikai import takes an archive in which a site answered a
// forward: the answer joins the report, the others are new reports.
func TestImportRepliesJoinTheThread(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "keikai.db")
	first := "From taro@reporter.example Sat Apr  1 10:00:00 2000\nFrom: taro@reporter.example\nMessage-ID: <imp1@reporter.example>\nSubject: scan\n\nscan from 203.0.113.5\n\n"
	if err := os.WriteFile(filepath.Join(dir, "a.mbox"), []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runKeikai(t, "import", "mbox", filepath.Join(dir, "a.mbox"), "--db", db); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	rs := listReports(t, db)
	if len(rs) != 1 {
		t.Fatalf("%d reports", len(rs))
	}
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddMessage(context.Background(), store.Message{ReportID: rs[0].ID, Direction: store.Outbound, Kind: store.MessageForward,
		MessageID: "fwd.imp@csirt.example", Subject: "[" + rs[0].Tracking + "] forward", Raw: []byte("forward")}, auditActor()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	second := "From abuse@site.example Mon Apr  3 09:00:00 2000\nFrom: abuse@site.example\nMessage-ID: <ans@site.example>\nIn-Reply-To: <fwd.imp@csirt.example>\nSubject: Re: forward\n\nWe fixed it.\n\n" +
		"From other@example.net Mon Apr  3 10:00:00 2000\nFrom: other@example.net\nMessage-ID: <new@example.net>\nSubject: another scan\n\nscan\n\n"
	if err := os.WriteFile(filepath.Join(dir, "b.mbox"), []byte(second), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runKeikai(t, "import", "mbox", filepath.Join(dir, "b.mbox"), "--db", db)
	if code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	if !strings.Contains(out, "2 messages read, 1 stored as new reports") || !strings.Contains(out, "1 replies to keikai's mail joined") {
		t.Errorf("import said:\n%s", out)
	}
	if rs := listReports(t, db); len(rs) != 2 {
		t.Errorf("%d reports, want 2", len(rs))
	}
}

func auditActor() audit.Actor { return audit.Actor{UserID: 1, Name: "analyst"} }

func TestServeMailFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "keikai.db")
	tests := []struct {
		name     string
		args     []string
		inStderr string
	}{
		{"STARTTLS without a relay", []string{"--relay-starttls"}, "need --relay"},
		{"signing without a key", []string{"--relay", "127.0.0.1:25", "--intake-address", "info@csirt.example", "--sign-mail"}, "give --key"},
		{"a bad From", []string{"--mail-from", "not an address"}, "--mail-from"},
		{"a relay user without a password", []string{"--relay", "127.0.0.1:25", "--intake-address", "info@csirt.example", "--relay-user", "keikai"}, "KEIKAI_RELAY_PASSWORD"},
		{"a relay without a port", []string{"--relay", "mail.csirt.example", "--intake-address", "info@csirt.example"}, "host:port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := keikai(t, "", append([]string{"serve", "--db", db, "--listen", "127.0.0.1:0"}, tc.args...)...)
			if r.code != exitError || !strings.Contains(r.stderr, tc.inStderr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tc.inStderr)
			}
		})
	}
}

// TestMailFromIsAnIntakeAddress: replies to forwards come to --mail-from, so the SMTP intake
// takes mail for it beside --intake-address, and still refuses other recipients.
func TestMailFromIsAnIntakeAddress(t *testing.T) {
	swaks := testenv.Command(t, "swaks", "swaks")
	p := startServe(t, filepath.Join(t.TempDir(), "keikai.db"), "--smtp", "127.0.0.1:0",
		"--intake-address", "info@csirt.example", "--mail-from", "Coordination <coord@csirt.example>")
	host, port, _ := net.SplitHostPort(smtpAddrOf(t, p))
	for _, tc := range []struct {
		to   string
		want string
	}{{"coord@csirt.example", "<-  250"}, {"info@csirt.example", "<-  250"}, {"other@csirt.example", "<** 550"}} {
		out, _ := exec.Command(swaks, "--server", host, "--port", port, "--from", "abuse@site.example", "--to", tc.to,
			"--header", "Subject: Re: [KK-2000-000001] x", "--body", "ok").CombinedOutput()
		if !bytes.Contains(out, []byte(tc.want)) {
			t.Errorf("mail to %s: want %q:\n%s", tc.to, tc.want, out)
		}
	}
}
