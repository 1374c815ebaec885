package mailbox

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/report"
)

// recorder is a Submitter that keeps what it is given and, like the store, stores a Message-ID once.
type recorder struct {
	mu    sync.Mutex
	subs  []*report.Submission
	seen  map[string]int64
	fail  error
	calls int
}

func (r *recorder) Submit(_ context.Context, s *report.Submission) (report.Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail != nil {
		return report.Receipt{}, r.fail
	}
	if r.seen == nil {
		r.seen = map[string]int64{}
	}
	if id, ok := r.seen[s.MessageID]; ok && s.MessageID != "" {
		return report.Receipt{ID: id, Duplicate: true}, nil
	}
	r.subs = append(r.subs, s)
	id := int64(len(r.subs))
	if s.MessageID != "" {
		r.seen[s.MessageID] = id
	}
	return report.Receipt{ID: id, ReceivedAt: s.ReceivedAt}, nil
}

const wantFirst = "Return-Path: <yamada@example.co.jp>\n" +
	"Received: from mail.example.co.jp (mail.example.co.jp [192.0.2.25])\n" +
	"\tby relay.jpcert.example (8.9.3/3.7W) with ESMTP id KAA01234\n" +
	"\tfor <info@jpcert.example>; Sat, 1 Apr 2000 10:23:44 +0900 (JST)\n" +
	"Message-Id: <200004010123.KAA01234@example.co.jp>\n" +
	"From: yamada@example.co.jp\n" +
	"To: info@jpcert.example\n" +
	"Subject: scan\n" +
	"Date: Sat, 1 Apr 2000 10:23:00 +0900\n" +
	"\n" +
	"Scans from 203.0.113.9.\n" +
	"From the log:\n" +
	"Apr  1 10:00:00 gw kernel: DENY 203.0.113.9:1024 192.0.2.1:111\n" +
	"\n" +
	"%s\n" +
	"From here on this line was never quoted\n"

func TestMboxReader(t *testing.T) {
	for _, tt := range []struct {
		format Format
		quoted string
	}{
		{MboxRD, ">From a reply I quoted"},
		{MboxO, ">>From a reply I quoted"},
	} {
		f, err := os.Open(filepath.Join("testdata", "archive.mboxrd"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		mr := NewMboxReader(f, tt.format, 0)
		var msgs []*Message
		for {
			m, err := mr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, m)
		}
		if len(msgs) != 4 {
			t.Fatalf("format %d: %d messages, want 4", tt.format, len(msgs))
		}
		want := strings.Replace(wantFirst, "%s", tt.quoted, 1)
		if string(msgs[0].Raw) != want {
			t.Errorf("format %d: first message =\n%q\nwant\n%q", tt.format, msgs[0].Raw, want)
		}
		if msgs[0].FromLine != "From yamada@example.co.jp  Sat Apr  1 10:23:45 2000" || msgs[0].Offset != 0 {
			t.Errorf("first From_ line %q at %d", msgs[0].FromLine, msgs[0].Offset)
		}
		if got, want := string(msgs[3].Raw), "From: someone@example.net\nSubject: no id, no date\n\ntext\n"; got != want {
			t.Errorf("last message = %q, want %q", got, want)
		}
		if mr.AmbiguousLines != 2 {
			t.Errorf("AmbiguousLines = %d, want 2", mr.AmbiguousLines)
		}
		raw, _ := os.ReadFile(filepath.Join("testdata", "archive.mboxrd"))
		if off := msgs[1].Offset; !bytes.HasPrefix(raw[off:], []byte("From MAILER-DAEMON ")) {
			t.Errorf("offset %d does not point at the second From_ line", off)
		}
	}
}

func TestMboxReaderErrors(t *testing.T) {
	if _, err := NewMboxReader(strings.NewReader("Subject: x\n\nbody\n"), MboxRD, 0).Next(); err != ErrNotMbox {
		t.Errorf("plain message: err = %v, want ErrNotMbox", err)
	}
	if _, err := NewMboxReader(strings.NewReader(""), MboxRD, 0).Next(); err != io.EOF {
		t.Errorf("empty: err = %v, want io.EOF", err)
	}
	// A message over the limit is skipped and the next one is still read.
	in := "From a Sat Apr  1 10:00:00 2000\n\n" + strings.Repeat("x", 200) + "\n\nFrom b Sat Apr  1 11:00:00 2000\n\nsmall\n"
	mr := NewMboxReader(strings.NewReader(in), MboxRD, 100)
	if _, err := mr.Next(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	m, err := mr.Next()
	if err != nil || string(m.Raw) != "\nsmall\n" {
		t.Fatalf("after a skipped message: %v %+v", err, m)
	}
	// A line longer than the read buffer is kept whole.
	long := strings.Repeat("y", 200<<10)
	m, err = NewMboxReader(strings.NewReader("From a Sat Apr  1 10:00:00 2000\nX: "+long+"\n"), MboxRD, 0).Next()
	if err != nil || string(m.Raw) != "X: "+long+"\n" {
		t.Fatalf("long line: %v, %d bytes", err, len(m.Raw))
	}
}

func TestImportMbox(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "archive.mboxrd"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := &recorder{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st, err := ImportMbox(context.Background(), f, rec, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Messages: 4, Stored: 3, Duplicates: 1, AmbiguousLines: 2}
	if st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
	jst := time.FixedZone("", 9*3600)
	wantSubs := []struct {
		id string
		at time.Time
	}{
		{"200004010123.KAA01234@example.co.jp", time.Date(2000, 4, 1, 10, 23, 45, 0, jst)},
		{"200007030102.BAA1@mail.example.com", time.Date(2000, 7, 3, 1, 2, 3, 0, time.UTC)},
		{"", time.Date(2000, 6, 25, 23, 59, 59, 0, time.UTC)},
	}
	if len(rec.subs) != len(wantSubs) {
		t.Fatalf("%d submissions", len(rec.subs))
	}
	for i, w := range wantSubs {
		s := rec.subs[i]
		if s.MessageID != w.id || !s.ReceivedAt.Equal(w.at) || s.Channel != report.ChannelImport || s.ContentType != "message/rfc822" {
			t.Errorf("submission %d = %q %v %s %s, want %q %v", i, s.MessageID, s.ReceivedAt, s.Channel, s.ContentType, w.id, w.at)
		}
	}
	if string(rec.subs[0].Raw) != strings.Replace(wantFirst, "%s", ">From a reply I quoted", 1) {
		t.Errorf("first raw message changed: %q", rec.subs[0].Raw)
	}
}

func TestImportMboxGzip(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "archive.mboxrd"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	rec := &recorder{}
	st, err := ImportMbox(context.Background(), &gz, rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Messages != 4 || st.Stored != 3 || string(rec.subs[1].Raw) != "Received: from localhost by mail.example.com (8.9.3/8.9.3) id BAA1;\n\tMon, 3 Jul 2000 01:02:03 GMT\nMessage-Id: <200007030102.BAA1@mail.example.com>\nFrom: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.com>\nSubject: Returned mail: User unknown\n\nbounce body\n" {
		t.Errorf("gzip mbox: %+v, second message %q", st, rec.subs[1].Raw)
	}
}

func TestImportMboxStoreFailure(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "archive.mboxrd"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	boom := errors.New("disk full")
	rec := &recorder{fail: boom}
	st, err := ImportMbox(context.Background(), f, rec, Options{})
	if !errors.Is(err, boom) || rec.calls != 1 || st.Messages != 1 || st.Stored != 0 {
		t.Errorf("err = %v, calls = %d, stats %+v", err, rec.calls, st)
	}
}

func TestImportMaildir(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		// delivered second, dated by Received:
		"cur/954552000.M1P100.relay:2,S": "Received: from x by relay; Sat, 1 Apr 2000 10:00:05 +0900\nMessage-ID: <b@example>\n\nsecond\n",
		// delivered first, no date in it: dated by its file name
		"new/954500000.M2P200.relay": "Message-ID: <a@example>\n\nfirst\n",
		// a duplicate of the first, with flags
		"cur/954600000.M3P300.relay:2,RS": "Message-ID: <a@example>\n\nfirst\n",
		// in progress: never read
		"tmp/954700000.M4P400.relay": "Message-ID: <tmp@example>\n\nhalf\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{}
	st, err := ImportMaildir(context.Background(), dir, rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Messages: 3, Stored: 2, Duplicates: 1, Undated: 2}); st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
	if len(rec.subs) != 2 || rec.subs[0].MessageID != "a@example" || rec.subs[1].MessageID != "b@example" {
		t.Fatalf("submissions: %+v", rec.subs)
	}
	if got := rec.subs[0].ReceivedAt; !got.Equal(time.Unix(954500000, 0)) {
		t.Errorf("first dated %v, want the file name's time", got)
	}
	if got, want := rec.subs[1].ReceivedAt, time.Date(2000, 4, 1, 1, 0, 5, 0, time.UTC); !got.Equal(want) {
		t.Errorf("second dated %v, want %v", got, want)
	}
	if string(rec.subs[1].Raw) != files["cur/954552000.M1P100.relay:2,S"] {
		t.Errorf("raw changed: %q", rec.subs[1].Raw)
	}
	if _, err := ImportMaildir(context.Background(), t.TempDir(), rec, Options{}); err == nil || !strings.Contains(err.Error(), "not a maildir") {
		t.Errorf("empty dir: err = %v", err)
	}
}

func TestParseMaildirName(t *testing.T) {
	e := parseMaildirName("/m/cur/1262304000.M20P1234Q5.host,S=1234:2,RS")
	if !e.delivered.Equal(time.Unix(1262304000, 0)) || e.info != "RS" {
		t.Errorf("got %v %q", e.delivered, e.info)
	}
	if e := parseMaildirName("/m/new/garbage"); !e.delivered.IsZero() || e.info != "" {
		t.Errorf("garbage: %+v", e)
	}
}

// writeMboxrd is the writer side of mboxrd, used to check that reading inverts it.
func writeMboxrd(msgs [][]byte) []byte {
	var out bytes.Buffer
	for _, m := range msgs {
		out.WriteString("From fuzz@example Sat Apr  1 10:00:00 2000\n")
		for _, line := range bytes.SplitAfter(m, []byte("\n")) {
			trimmed := bytes.TrimLeft(line, ">")
			if bytes.HasPrefix(trimmed, []byte("From ")) {
				out.WriteByte('>')
			}
			out.Write(line)
		}
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func FuzzMbox(f *testing.F) {
	raw, err := os.ReadFile(filepath.Join("testdata", "archive.mboxrd"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw, "a\n>From b\n")
	f.Add([]byte("From x Sat Apr  1 10:00:00 2000\r\n\r\nbody\r\n\r\n"), "From 10:00\n\nFrom a 10:00\n")
	f.Fuzz(func(t *testing.T, mbox []byte, message string) {
		// Any input: no panic, every message within the input's size.
		mr := NewMboxReader(bytes.NewReader(mbox), MboxRD, 1<<20)
		for i := 0; i < 10000; i++ {
			m, err := mr.Next()
			if err != nil {
				break
			}
			if len(m.Raw) > len(mbox) {
				t.Fatalf("message larger than the input")
			}
		}
		// Round trip: what an mboxrd writer wrote reads back byte for byte.
		msg := []byte(message)
		if !bytes.HasSuffix(msg, []byte("\n")) {
			msg = append(msg, '\n')
		}
		msgs := [][]byte{msg, msg}
		mr = NewMboxReader(bytes.NewReader(writeMboxrd(msgs)), MboxRD, 0)
		for i := range msgs {
			m, err := mr.Next()
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if !bytes.Equal(m.Raw, msgs[i]) {
				t.Fatalf("message %d = %q, want %q", i, m.Raw, msgs[i])
			}
		}
		if _, err := mr.Next(); err != io.EOF {
			t.Fatalf("after the last message: %v", err)
		}
	})
}
