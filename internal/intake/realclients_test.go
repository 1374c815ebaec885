package intake

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/quotedprintable"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/keikai-project/keikai/internal/audit"
	"github.com/keikai-project/keikai/internal/mail"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/postgres"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
)

// The replies below are shaped after what each client writes when a site or a reporter answers
// keikai's forward (fixtures written for this test from the clients' documented behaviour).

func jisB(t *testing.T, s string) string {
	t.Helper()
	enc, err := japanese.ISO2022JP.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(enc)) + "?="
}

func encodeWith(t *testing.T, enc interface{ String(string) (string, error) }, s string) string {
	t.Helper()
	out, err := enc.String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func qp(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

type realReply struct {
	client string
	raw    string
	joined bool
	by     string // what placed it, for the reader: in-reply-to, references, enclosed, subject
	auto   bool
	text   string // a piece of the decoded body the staff thread shows
}

func realReplies(t *testing.T, tracking, fwdID string) []realReply {
	otherTracking := "KK-1999-999999"
	jisBody := encodeWith(t, japanese.ISO2022JP.NewEncoder(), "対応しました。\r\n\r\n> 貴組織のネットワークからのアクセスについて\r\n")
	sjisBody := encodeWith(t, japanese.ShiftJIS.NewEncoder(), "該当ホストを停止しました。\r\n")
	return []realReply{
		{"swaks, plain, threaded", "From: abuse@site.example\r\nTo: info@csirt.example\r\nSubject: Re: [" + tracking + "] report\r\nMessage-ID: <swaks1@site.example>\r\n" +
			"In-Reply-To: <" + fwdID + ">\r\nReferences: <" + fwdID + ">\r\nX-Mailer: swaks v20240103.0 jetmore.org/john/code/swaks/\r\n\r\nfixed\r\n",
			true, "in-reply-to", false, "fixed"},
		{"Thunderbird, UTF-8 Q subject, bottom-posted, quoted-printable", "From: Taro <taro@site.example>\r\nSubject: =?UTF-8?Q?Re:_[" + tracking + "]_=E5=A0=B1=E5=91=8A?=\r\n" +
			"Message-ID: <tb1@site.example>\r\nIn-Reply-To: <" + fwdID + ">\r\nReferences: <" + fwdID + ">\r\nUser-Agent: Mozilla Thunderbird\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			qp("On 2026/12/01 9:00, CSIRT wrote:\r\n> 貴組織のネットワーク\r\n\r\nホストを隔離しました。\r\n"),
			true, "in-reply-to", false, "ホストを隔離しました。"},
		{"Outlook, no References, Thread-Index, HTML only, base64", "From: noc@site.example\r\nSubject: RE: [" + tracking + "] report\r\nMessage-ID: <ol1@site.example>\r\n" +
			"In-Reply-To: <" + fwdID + ">\r\nThread-Topic: [" + tracking + "] report\r\nThread-Index: AQHZ9X1abcdEFGH==\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString([]byte("<html><body><p>We blocked <b>203.0.113.5</b>.</p><script>alert(1)</script></body></html>")) + "\r\n",
			true, "in-reply-to", false, "203.0.113.5"},
		{"Outlook, no In-Reply-To nor References at all, subject only", "From: noc@site.example\r\nSubject: AW: [" + tracking + "] report\r\nMessage-ID: <ol2@site.example>\r\n" +
			"Thread-Index: AQHZ9X1abcdEFGH==\r\n\r\ndone\r\n", true, "subject", false, "done"},
		{"Becky!, ISO-2022-JP subject and body", "From: yamada@site.example\r\nSubject: Re: " + jisB(t, "["+tracking+"] 不正アクセスの件") + "\r\nMessage-ID: <becky1@site.example>\r\n" +
			"In-Reply-To: <" + fwdID + ">\r\nX-Mailer: Becky! ver. 2.81.04\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + jisBody,
			true, "in-reply-to", false, "対応しました。"},
		{"Shuriken, full-width tracking number, Shift_JIS body, References truncated and folded", "From: suzuki@site.example\r\n" +
			"Subject: " + jisB(t, "返信: ［ＫＫ－"+strings.TrimPrefix(tracking, "KK-")+"］") + "\r\nMessage-ID: <shuriken1@site.example>\r\n" +
			"References: <x1@site.example>\r\n\t<" + fwdID + ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + sjisBody,
			true, "references", false, "該当ホストを停止しました。"},
		{"full-width number and nothing else", "From: sato@site.example\r\nSubject: " + jisB(t, "転送: ［ＫＫ－"+strings.TrimPrefix(tracking, "KK-")+"］ の件") + "\r\nMessage-ID: <fw1@site.example>\r\n\r\nfyi\r\n",
			true, "subject", false, "fyi"},
		{"In-Reply-To names a message keikai never sent, References one it did", "From: abuse@site.example\r\nSubject: Re: report\r\nMessage-ID: <mix1@site.example>\r\n" +
			"In-Reply-To: <internal-ticket-77@helpdesk.site.example>\r\nReferences: <" + fwdID + "> <internal-ticket-77@helpdesk.site.example>\r\n\r\nok\r\n",
			true, "references", false, "ok"},
		{"ids without angle brackets, with comments", "From: abuse@site.example\r\nSubject: Re: report\r\nMessage-ID: <bare1@site.example>\r\n" +
			"In-Reply-To: " + fwdID + " (CSIRT's message)\r\n\r\nok\r\n", true, "in-reply-to", false, "ok"},
		{"Gmail, several ids in In-Reply-To, top-posted, multipart/alternative", "From: someone@gmail.example\r\nSubject: Re: [" + tracking + "] report\r\nMessage-ID: <CAgmail1@mail.gmail.example>\r\n" +
			"In-Reply-To: <CAother@mail.gmail.example> <" + fwdID + ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"000000000000abcdef\"\r\n\r\n" +
			"--000000000000abcdef\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			qp("Thanks, patched.\r\n\r\nOn Mon, Dec 1, 2026 at 9:00 CSIRT wrote:\r\n> report\r\n") +
			"\r\n--000000000000abcdef\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n<div>Thanks, patched.</div>\r\n--000000000000abcdef--\r\n",
			true, "in-reply-to", false, "Thanks, patched."},
		{"Apple Mail, forwarded as attachment, no threading fields", "From: it@site.example\r\nSubject: Fwd: report\r\nMessage-ID: <apple1@site.example>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"Apple-Mail=_1\"\r\n\r\n--Apple-Mail=_1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee below, resolved.\r\n" +
			"--Apple-Mail=_1\r\nContent-Disposition: attachment; filename=\"report.eml\"\r\nContent-Type: message/rfc822\r\n\r\nFrom: info@csirt.example\r\nMessage-ID: <" + fwdID + ">\r\nSubject: report\r\n\r\nthe forward\r\n--Apple-Mail=_1--\r\n",
			true, "enclosed", false, "See below, resolved."},
		{"out-of-office with Auto-Submitted", "From: abuse@site.example\r\nSubject: Automatic reply: [" + tracking + "] report\r\nMessage-ID: <oof1@site.example>\r\n" +
			"In-Reply-To: <" + fwdID + ">\r\nAuto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n\r\nI am out of the office.\r\n", true, "in-reply-to", true, "out of the office"},
		{"vacation with Precedence: auto_reply, subject only", "From: abuse@site.example\r\nSubject: Re: [" + tracking + "] report\r\nMessage-ID: <vac1@site.example>\r\n" +
			"Precedence: auto_reply\r\nX-Autoreply: yes\r\n\r\naway\r\n", true, "subject", true, "away"},
		{"a bounce of the forward (multipart/report)", "From: MAILER-DAEMON@mx.site.example\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.site.example>\r\n" +
			"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n" +
			"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.site.example\r\n\r\nFinal-Recipient: rfc822; abuse@site.example\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
			"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: info@csirt.example\r\nMessage-ID: <" + fwdID + ">\r\nSubject: report\r\n--B--\r\n",
			true, "enclosed", true, "User unknown"},
		{"a tracking number that does not exist", "From: x@example.net\r\nSubject: Re: [" + otherTracking + "] report\r\nMessage-ID: <nx1@example.net>\r\n\r\nscan\r\n",
			false, "", false, ""},
		{"a full-width number that does not exist", "From: x@example.net\r\nSubject: " + jisB(t, "Re: ［ＫＫ－１９９９－９９９９９９］") + "\r\nMessage-ID: <nx2@example.net>\r\n\r\nscan\r\n",
			false, "", false, ""},
	}
}

func TestRepliesRealClients(t *testing.T) {
	ctx := context.Background()
	stores := map[string]func(t *testing.T) store.Store{
		"sqlite": openSQLite,
		"postgres": func(t *testing.T) store.Store {
			db, err := postgres.Open(ctx, pgtest.DSN(t, "keikai_replies_"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			svc := newService(t, st, nil, func(c *Config) { c.Decoders[MediaMail] = MailDecoder(DefaultLimits()) })
			replies := &Replies{Next: svc, Store: st}
			sub := func(raw string) *report.Submission {
				return &report.Submission{Channel: report.ChannelSMTP, Raw: []byte(raw), ContentType: MediaMail, MessageID: mail.MessageID([]byte(raw))}
			}
			first, err := replies.Submit(ctx, sub("From: taro@reporter.example\r\nMessage-ID: <rep1@reporter.example>\r\nSubject: probe\r\n\r\nscan from 203.0.113.5\r\n"))
			if err != nil || first.Joined {
				t.Fatalf("first report: %+v, %v", first, err)
			}
			fwdID := mail.NewMessageID(first.Tracking, "info@csirt.example", first.ReceivedAt)
			if _, _, err := st.AddMessage(ctx, store.Message{ReportID: first.ID, Direction: store.Outbound, Kind: store.MessageForward,
				MessageID: fwdID, Subject: "[" + first.Tracking + "] report", Raw: []byte("forward")}, audit.Actor{UserID: 1, Name: "analyst"}); err != nil {
				t.Fatal(err)
			}
			for _, tc := range realReplies(t, first.Tracking, fwdID) {
				t.Run(tc.client, func(t *testing.T) {
					rc, err := replies.Submit(ctx, sub(tc.raw))
					if err != nil {
						t.Fatal(err)
					}
					if rc.Joined != tc.joined {
						t.Fatalf("joined %v, want %v (by %s): %+v", rc.Joined, tc.joined, tc.by, rc)
					}
					if !tc.joined {
						if rc.ID == first.ID {
							t.Errorf("joined the report it only mentions: %+v", rc)
						}
						return
					}
					if rc.ID != first.ID || rc.Tracking != first.Tracking {
						t.Errorf("receipt %+v, want report %d", rc, first.ID)
					}
					got, err := st.MessagesByMessageID(ctx, []string{mail.MessageID([]byte(tc.raw))})
					if err != nil || len(got) != 1 {
						t.Fatalf("stored %+v, %v", got, err)
					}
					m := got[0]
					if !bytes.Equal(m.Raw, []byte(tc.raw)) {
						t.Error("the stored raw bytes differ from what arrived")
					}
					wantKind := store.MessageReply
					if tc.auto {
						wantKind = store.MessageAutomatic
					}
					if m.Kind != wantKind || m.Direction != store.Inbound {
						t.Errorf("kind %s %s, want %s in", m.Kind, m.Direction, wantKind)
					}
					c, err := mail.Decode(m.Raw)
					if err != nil {
						t.Fatal(err)
					}
					var text strings.Builder
					for _, p := range c.Parts {
						text.Write(p.Text)
					}
					if !strings.Contains(text.String(), tc.text) {
						t.Errorf("decoded text lacks %q:\n%s", tc.text, text.String())
					}
				})
			}
		})
	}
}
