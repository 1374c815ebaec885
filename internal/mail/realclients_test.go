package mail

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/internal/sign"
)

// The fixtures below are written from what the clients are documented or observed to write,
// built with these helpers so that each encoded word is exact.

// jisB is an ISO-2022-JP B encoded word, as Becky!, Shuriken and older Outlook write Japanese.
func jisB(t testing.TB, s string) string {
	t.Helper()
	enc, err := japanese.ISO2022JP.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(enc)) + "?="
}

// utf8B is a UTF-8 B encoded word, as Gmail, Thunderbird and Apple Mail write non-ASCII subjects.
func utf8B(s string) string {
	return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
}

// sjis is Shift_JIS bytes, as some old Japanese clients put them raw in a header.
func sjis(t testing.TB, s string) string {
	t.Helper()
	enc, err := japanese.ShiftJIS.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestRealClientSubjects(t *testing.T) {
	const n = "KK-2026-000123"
	tests := []struct {
		client, subject string // subject is the raw field value, folded as sent
		want            string // decoded
		tracking        []string
	}{
		{"swaks plain", "Re: [" + n + "] Report received", "Re: [" + n + "] Report received", []string{n}},
		{"Becky! ISO-2022-JP, the number outside the word", "Re: [" + n + "] " + jisB(t, "報告を受け付けました"),
			"Re: [" + n + "] 報告を受け付けました", []string{n}},
		{"Outlook ISO-2022-JP, the number inside the word", jisB(t, "RE: ["+n+"] 報告を受け付けました"),
			"RE: [" + n + "] 報告を受け付けました", []string{n}},
		{"ISO-2022-JP split into words on folded lines, the number across two words",
			jisB(t, "返信: [KK-2026-") + "\r\n " + jisB(t, "000123] 報告を") + "\r\n\t" + jisB(t, "受け付けました"),
			"返信: [" + n + "] 報告を受け付けました", []string{n}},
		{"Thunderbird UTF-8 Q split inside the number", "=?UTF-8?Q?Re:_[KK-2026-00?=\r\n =?UTF-8?Q?0123]_=E5=A0=B1=E5=91=8A?=",
			"Re: [" + n + "] 報告", []string{n}},
		{"Gmail UTF-8 B with a character split across words", "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("Re: [" + n + "] 報")[:22]) + "?=\r\n =?UTF-8?B?" +
			base64.StdEncoding.EncodeToString([]byte("Re: [" + n + "] 報")[22:]) + "?=", "Re: [" + n + "] 報", []string{n}},
		{"German Outlook", "AW: [" + n + "] Report received", "AW: [" + n + "] Report received", []string{n}},
		{"Swedish and Finnish", "SV: VS: [" + n + "] Report received", "SV: VS: [" + n + "] Report received", []string{n}},
		{"French Outlook Q", "=?iso-8859-1?Q?R=E9f=A0:?= [" + n + "] Report received", "Réf\u00a0: [" + n + "] Report received", []string{n}},
		{"Chinese client", utf8B("回复: 回复: [" + n + "] 报告"), "回复: 回复: [" + n + "] 报告", []string{n}},
		{"repeated forwards and an [EXT] tag", "[EXT] FW: Fw: 転送: RE: [" + n + "]", "[EXT] FW: Fw: 転送: RE: [" + n + "]", []string{n}},
		{"full-width number and brackets (Japanese IME)", jisB(t, "Re: ［ＫＫ－２０２６－０００１２３］ 報告"),
			"Re: ［ＫＫ－２０２６－０００１２３］ 報告", []string{n}},
		{"retyped with a long vowel mark and lower case", utf8B("返信: kk‐2026ー000123 の件"), "返信: kk‐2026ー000123 の件", []string{n}},
		{"raw Shift_JIS in the header", sjis(t, "Re: ["+n+"] 不正アクセスの報告について"), "Re: [" + n + "] 不正アクセスの報告について", []string{n}},
		{"raw ISO-2022-JP in the header", func() string { s, _ := japanese.ISO2022JP.NewEncoder().String("Re: [" + n + "] 報告"); return s }(),
			"Re: [" + n + "] 報告", []string{n}},
		{"an em dash and 【】 brackets", utf8B("Re: 【KK—2026—000123】"), "Re: 【KK—2026—000123】", []string{n}},
		{"a number glued to other digits is not one", "Re: KK-2026-000123456789012", "Re: KK-2026-000123456789012", nil},
		{"two numbers, both read", "Re: [" + n + "] and [KK-2026-000124]", "Re: [" + n + "] and [KK-2026-000124]", []string{n, "KK-2026-000124"}},
	}
	for _, tc := range tests {
		t.Run(tc.client, func(t *testing.T) {
			th := ReadThread([]byte("From: a@site.example\r\nSubject: " + tc.subject + "\r\n\r\nbody\r\n"))
			if th.Subject != tc.want {
				t.Errorf("subject %q, want %q", th.Subject, tc.want)
			}
			if got := TrackingNumbers(th.Subject); !reflect.DeepEqual(got, tc.tracking) {
				t.Errorf("tracking %q, want %q", got, tc.tracking)
			}
		})
	}
}

func TestRealClientReferences(t *testing.T) {
	tests := []struct {
		client, header  string
		inReplyTo, refs []string
	}{
		{"Thunderbird", "In-Reply-To: <fwd1@csirt.example>\r\nReferences: <root@r.example>\r\n <fwd1@csirt.example>\r\n",
			[]string{"fwd1@csirt.example"}, []string{"root@r.example", "fwd1@csirt.example"}},
		{"Outlook without References, with Thread-Index", "In-Reply-To: <fwd1@csirt.example>\r\nThread-Index: AQHZ1234abcd==\r\nThread-Topic: report\r\n",
			[]string{"fwd1@csirt.example"}, nil},
		{"References truncated to the last ids", "References: <c@x> <fwd1@csirt.example>\r\n", nil, []string{"c@x", "fwd1@csirt.example"}},
		{"comments and a phrase", "In-Reply-To: <fwd1@csirt.example> (message from CSIRT of \"Mon, 1 Dec\")\r\nReferences: (first) <a@x> (then)\r\n\t<b@x>\r\n",
			[]string{"fwd1@csirt.example"}, []string{"a@x", "b@x"}},
		{"no angle brackets", "In-Reply-To: fwd1@csirt.example\r\nReferences: a@x (comment <not@id>) b@x\r\n",
			[]string{"fwd1@csirt.example"}, []string{"a@x", "b@x"}},
		{"no angle brackets, a comment", "References: a@x (comment) b@x\r\n", nil, []string{"a@x", "b@x"}},
		{"several ids in In-Reply-To", "In-Reply-To: <r1@site.example> <fwd1@csirt.example>\r\n",
			[]string{"r1@site.example", "fwd1@csirt.example"}, nil},
		{"two References fields", "References: <a@x>\r\nReferences: <b@x>\r\n", nil, []string{"a@x", "b@x"}},
	}
	for _, tc := range tests {
		t.Run(tc.client, func(t *testing.T) {
			th := ReadThread([]byte("From: a@site.example\r\n" + tc.header + "Subject: Re: x\r\n\r\nbody\r\n"))
			if !reflect.DeepEqual(th.InReplyTo, tc.inReplyTo) || !reflect.DeepEqual(th.References, tc.refs) {
				t.Errorf("In-Reply-To %q References %q, want %q %q", th.InReplyTo, th.References, tc.inReplyTo, tc.refs)
			}
		})
	}
}

// dsn is a delivery status notification as Postfix writes it: multipart/report with the
// returned message's header.
const dsn = "From: MAILER-DAEMON@mx.site.example (Mail Delivery System)\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
	"Message-ID: <dsn1@mx.site.example>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"B1\"\r\n\r\n" +
	"--B1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n" +
	"--B1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.site.example\r\n\r\nFinal-Recipient: rfc822; abuse@site.example\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
	"--B1\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: info@csirt.example\r\nMessage-ID: <fwd1@csirt.example>\r\nSubject: [KK-2026-000123] report\r\n" +
	"--B1--\r\n"

func TestAutomatic(t *testing.T) {
	tests := []struct {
		name, raw string
		auto      bool
	}{
		{"RFC 3834 auto-reply (Gmail vacation, Thunderbird filters)", "Auto-Submitted: auto-replied\r\nSubject: Re: x\r\n\r\naway\r\n", true},
		{"Auto-Submitted: no is a person", "Auto-Submitted: no\r\nSubject: Re: x\r\n\r\nhi\r\n", false},
		{"vacation(1)", "X-Autoreply: yes\r\nSubject: away\r\n\r\n", true},
		{"X-Autorespond", "X-Autorespond: 1\r\nSubject: away\r\n\r\n", true},
		{"Precedence bulk", "Precedence: bulk\r\n\r\n", true},
		{"Precedence auto_reply", "Precedence: auto_reply\r\n\r\n", true},
		{"Precedence junk", "Precedence: junk\r\n\r\n", true},
		{"Precedence first-class is a person", "Precedence: first-class\r\n\r\n", false},
		{"a DSN", dsn, true},
		{"Outlook automatic reply by subject", "Subject: Automatic reply: [KK-2026-000123] report\r\n\r\n", true},
		{"Japanese groupware out-of-office", "Subject: " + jisB(t, "自動応答: 不在にしております") + "\r\n\r\n", true},
		{"a person's reply", "Subject: Re: [KK-2026-000123] report\r\nX-Auto-Response-Suppress: All\r\n\r\n", false},
	}
	for _, tc := range tests {
		if got := Automatic([]byte(tc.raw)); (got != "") != tc.auto {
			t.Errorf("%s: Automatic = %q, want automatic %v", tc.name, got, tc.auto)
		}
	}
	// AckOriginal refuses every automatic message, including what used to slip through.
	if _, ok := AckOriginal([]byte("Precedence: auto_reply\r\nSubject: away\r\n\r\n"), "taro@site.example"); ok {
		t.Error("an auto_reply would be acknowledged")
	}
}

func TestEnclosedMessageIDs(t *testing.T) {
	attached := "From: abuse@site.example\r\nMessage-ID: <r9@site.example>\r\nSubject: FW: report\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nSee attached, fixed.\r\n" +
		"--outer\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"report.eml\"\r\n\r\n" +
		"From: info@csirt.example\r\nMessage-ID: <fwd1@csirt.example>\r\nSubject: report\r\n\r\ntext\r\n--outer--\r\n"
	base64Attached := strings.Replace(attached, "Content-Type: message/rfc822\r\n", "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n", 1)
	inner := "From: info@csirt.example\r\nMessage-ID: <fwd1@csirt.example>\r\nSubject: report\r\n\r\ntext\r\n"
	base64Attached = strings.Replace(base64Attached, inner, base64.StdEncoding.EncodeToString([]byte(inner))+"\r\n", 1)
	for name, raw := range map[string]string{"DSN": dsn, "forwarded as attachment": attached, "attachment in base64": base64Attached} {
		if got := ReadThread([]byte(raw)).Enclosed; !reflect.DeepEqual(got, []string{"fwd1@csirt.example"}) {
			t.Errorf("%s: enclosed %q", name, got)
		}
	}
}

func TestEncodeSubject(t *testing.T) {
	const n = "KK-2026-000123"
	tests := []struct {
		name, subject string
		ja            bool
		charset       string // of the encoded words
	}{
		{"ASCII stays as it is", "[" + n + "] Report received", true, ""},
		{"Japanese acknowledgement", "[" + n + "] 報告を受け付けました (Re: 不正アクセスの報告)", true, "ISO-2022-JP"},
		{"outside JIS X 0208 falls back to UTF-8 for that run", "[" + n + "] 報告を受け付けました (Re: 😀)", true, "UTF-8"},
		{"a forward in UTF-8", "[" + n + "] Re: 貴組織のネットワークからのアクセスについて、ご確認をお願いいたします", false, "UTF-8"},
		{"two spaces inside Japanese", "[" + n + "] 報告  受付", true, "ISO-2022-JP"},
		{"a word that looks encoded is encoded", "[" + n + "] =?x?Q?y?= 報告", false, "UTF-8"},
		{"long Japanese", "[" + n + "] " + strings.Repeat("報告", 60), true, "ISO-2022-JP"},
	}
	dec := mime.WordDecoder{CharsetReader: charsetReader}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := encodeSubject(tc.subject, tc.ja)
			// The tracking number is readable in the raw header.
			if !strings.HasPrefix(enc, "["+n+"]") {
				t.Errorf("raw subject does not start with the tracking number: %q", enc)
			}
			if tc.charset != "" && !strings.Contains(enc, "=?"+tc.charset+"?B?") {
				t.Errorf("no %s words: %q", tc.charset, enc)
			}
			for i, line := range strings.Split("Subject: "+enc, "\r\n") {
				if len(line) > 78 || !isASCII([]byte(line)) {
					t.Errorf("line %d: %q", i, line)
				}
			}
			unfolded := strings.ReplaceAll(enc, "\r\n", "")
			if got := decodeHeaderText(unfolded); got != tc.subject {
				t.Errorf("keikai decodes %q, want %q", got, tc.subject)
			}
			if got, err := dec.DecodeHeader(unfolded); err != nil || got != tc.subject {
				t.Errorf("mime.WordDecoder decodes %q (%v), want %q", got, err, tc.subject)
			}
		})
	}
}

// TestSentMessagesParse reads what keikai sends with the standard library's parsers, as a mail
// client would: net/mail for the header, mime for the types and words, multipart for the parts.
func TestSentMessagesParse(t *testing.T) {
	date := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))
	jaAck, jaOrig := testAck("ja")
	enAck, enOrig := testAck("en")
	fwd, _, err := Compose(Outgoing{From: "CSIRT <info@csirt.example>", To: []string{"abuse@site.example"}, Subject: "貴組織のネットワークからのアクセスについて",
		Tracking: "KK-2026-000123", Lang: "ja", Body: "本文\n" + strings.Repeat("長い行", 40) + "\n", Date: date}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, tracking, charset string
		raw                     []byte
	}{
		{"ack ja", jaAck.Tracking, "iso-2022-jp", Acknowledgement(jaAck, jaOrig)},
		{"ack en", enAck.Tracking, "us-ascii", Acknowledgement(enAck, enOrig)},
		{"forward", "KK-2026-000123", "utf-8", fwd},
	}
	dec := mime.WordDecoder{CharsetReader: charsetReader}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := netmail.ReadMessage(bytes.NewReader(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
			if err != nil || !strings.Contains(subject, "["+tc.tracking+"]") {
				t.Errorf("subject %q, %v", subject, err)
			}
			if !strings.Contains(m.Header.Get("Subject"), "["+tc.tracking+"]") {
				t.Errorf("the raw subject hides the tracking number: %q", m.Header.Get("Subject"))
			}
			if id, err := m.Header.AddressList("Message-ID"); err != nil || len(id) != 1 || !strings.Contains(id[0].Address, "@") {
				t.Errorf("Message-ID %q is not a msg-id: %v", m.Header.Get("Message-ID"), err)
			}
			if _, err := m.Header.Date(); err != nil {
				t.Errorf("Date: %v", err)
			}
			if m.Header.Get("MIME-Version") != "1.0" {
				t.Errorf("MIME-Version %q", m.Header.Get("MIME-Version"))
			}
			mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
			if err != nil || mt != "text/plain" || strings.ToLower(params["charset"]) != tc.charset {
				t.Errorf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
			}
			body, _ := io.ReadAll(m.Body)
			for i, line := range bytes.Split(tc.raw, []byte("\r\n")) {
				if len(line) > 78 || bytes.IndexByte(line, '\n') >= 0 {
					t.Errorf("line %d: %q", i, line)
				}
			}
			if len(body) == 0 {
				t.Error("empty body")
			}
		})
	}
	// A signed forward parses as multipart/signed with two parts.
	_, signer, err := sign.Generate("keikai CSIRT", "info@csirt.example", []byte("pw"), date)
	if err != nil {
		t.Fatal(err)
	}
	signed, _, err := Compose(Outgoing{From: "info@csirt.example", To: []string{"abuse@site.example"}, Subject: "報告", Tracking: "KK-2026-000123", Body: "x\n", Date: date}, signer)
	if err != nil {
		t.Fatal(err)
	}
	m, err := netmail.ReadMessage(bytes.NewReader(signed))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/signed" || params["protocol"] != "application/pgp-signature" {
		t.Fatalf("Content-Type %q, %v", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		types = append(types, p.Header.Get("Content-Type"))
	}
	if len(types) != 2 || !strings.HasPrefix(types[1], "application/pgp-signature") {
		t.Errorf("parts %q", types)
	}
}

// The acknowledgement threads to a report whose References carry comments or bare ids.
func TestAckOriginalReferences(t *testing.T) {
	o, ok := AckOriginal([]byte("Message-ID: <r2@x>\r\nReferences: <r0@x> (first)\r\n\t<r1@x>\r\n\r\n"), "taro@example.jp")
	if !ok || !reflect.DeepEqual(o.References, []string{"r0@x", "r1@x"}) {
		t.Errorf("references %q", o.References)
	}
}

// The messages keikai sends in a thread are golden files in both languages;
// go test -run TestComposeGolden -update rewrites them.
func TestComposeGolden(t *testing.T) {
	date := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))
	parent := ReadThread([]byte("Message-ID: <a1@site.example>\r\nReferences: <kk-2026-000123.fwd@csirt.example>\r\n\r\n"))
	for _, o := range []Outgoing{
		{Lang: "ja", Subject: "Re: 貴組織のネットワークからのアクセスについて", Body: "ご返信ありがとうございます。\n\nFrom 203.0.113.5 のアクセスは止まりました。\n"},
		{Lang: "en", Subject: "Re: Access from your network", Body: "Thank you for your reply.\n\nFrom 203.0.113.5 the scans have stopped.\n"},
	} {
		o.From, o.To, o.Tracking, o.Date, o.Parent = "CSIRT <info@csirt.example>", []string{"abuse@site.example"}, "KK-2026-000123", date, &parent
		o.MessageID = "kk-2026-000123.20261201000000.0123456789abcdef@csirt.example"
		got, _, err := Compose(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "reply_"+o.Lang+".golden")
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
			t.Errorf("%s reply differs from %s:\n%s", o.Lang, golden, got)
		}
	}
}
