package logs

import (
	"bytes"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// The mail parsers as they were before they read sendmail's fields in one pass and searched
// through rare bytes: the oracles of FuzzSendmailSameAsReference and FuzzPostfixSameAsReference.

func parseSendmailReference(msg []byte, e *event.Event) bool {
	e.Format = event.FormatSendmail
	body := skipQueueID(msg)
	if i := index(body, " did not issue "); i > 0 {
		setRelay(e, body[:i])
		return true
	}
	for _, cmd := range [...]string{"]: VRFY ", "]: EXPN ", "]: possible SMTP attack: "} {
		if i := index(head(body, 320), cmd); i > 0 {
			setRelay(e, body[:i+1])
			return true
		}
	}
	if v, ok := sendmailValueReference(body, "relay="); ok {
		setRelay(e, v)
	}
	if v, ok := sendmailValueReference(body, "from="); ok {
		e.Set(event.MailFrom, angleValue(v))
	}
	if v, ok := sendmailValueReference(body, "to="); ok {
		e.Set(event.RcptTo, angleValue(v))
	}
	if v, ok := sendmailValueReference(body, "arg1="); ok {
		rs, _ := sendmailValueReference(body, "ruleset=")
		switch string(rs) {
		case "check_rcpt":
			e.Set(event.RcptTo, angleValue(v))
		case "check_mail":
			e.Set(event.MailFrom, angleValue(v))
		}
	}
	if v, ok := sendmailValueReference(body, "reject="); ok {
		if code := leadingDigits(v); len(code) == 3 {
			e.Set(event.Status, code)
		}
	}
	return true
}

// sendmailValue finds key at the start of body or after ", " and returns its value up to the next
// ", " (sendmail's separator).
func sendmailValueReference(body []byte, key string) ([]byte, bool) {
	at := -1
	if hasPrefix(body, key) {
		at = 0
	} else {
		search := body
		off := 0
		for {
			i := index(search, key)
			if i < 0 {
				return nil, false
			}
			if off+i >= 2 && body[off+i-2] == ',' && body[off+i-1] == ' ' {
				at = off + i
				break
			}
			off += i + len(key)
			search = body[off:]
		}
	}
	v := body[at+len(key):]
	if j := index(v, ", "); j >= 0 {
		v = v[:j]
	}
	return v, true
}

func parsePostfixReference(msg []byte, e *event.Event) bool {
	e.Format = event.FormatPostfix
	client, after := postfixClientReference(msg)
	if client != nil {
		setRelay(e, client)
		// A reject names the reply code right after the client: "]: 554 5.7.1 ...".
		if hasPrefix(after, ": ") {
			if code := leadingDigits(after[2:]); len(code) == 3 {
				e.Set(event.Status, code)
			}
		}
	}
	if v := postfixAddressReference(msg, "from=<"); v != nil {
		e.Set(event.MailFrom, v)
	}
	if v := postfixAddressReference(msg, "to=<"); v != nil {
		e.Set(event.RcptTo, v)
	}
	return true
}

// postfixClient finds "name[ip]" after "client=" or " from " and returns it and the text after it.
func postfixClientReference(msg []byte) (client, after []byte) {
	// "warning: unknown[198.51.100.3]: SASL LOGIN authentication failed: ..." names the client first.
	if hasPrefix(msg, "warning: ") {
		v := msg[len("warning: "):]
		if opening := bytes.IndexByte(head(v, 300), '['); opening > 0 && bytes.IndexByte(v[:opening], ' ') < 0 {
			if shut := index(v[opening:], "]: "); shut > 0 {
				end := opening + shut + 1
				return v[:end], v[end:]
			}
		}
	}
	for _, key := range [...]string{"client=", "connect from ", " from "} {
		i := index(msg, key)
		if i < 0 {
			continue
		}
		v := msg[i+len(key):]
		opening := bytes.IndexByte(v, '[')
		if opening <= 0 || bytes.IndexByte(v[:opening], ' ') >= 0 {
			continue
		}
		shut := bytes.IndexByte(v[opening:], ']')
		if shut < 0 {
			continue
		}
		end := opening + shut + 1
		return v[:end], v[end:]
	}
	return nil, nil
}

// postfixAddress returns the address of key ("from=<", "to=<") without its brackets; key must
// start the message or follow a space.
func postfixAddressReference(msg []byte, key string) []byte {
	off := 0
	for {
		i := index(msg[off:], key)
		if i < 0 {
			return nil
		}
		at := off + i
		if at == 0 || msg[at-1] == ' ' {
			v := msg[at+len(key):]
			if j := bytes.IndexByte(v, '>'); j >= 0 {
				return v[:j]
			}
			return v
		}
		off = at + len(key)
	}
}

// FuzzSendmailSameAsReference holds parseSendmail to parseSendmailReference.
func FuzzSendmailSameAsReference(f *testing.F) {
	for _, s := range []string{
		"j0UD1OP0026701: ruleset=check_rcpt, arg1=<x@example.com>, relay=[198.51.100.93], reject=550 5.7.1 <x@example.com>... Relaying denied",
		"n1P81ACe027713: [198.51.100.133] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
		"n1P81ACe027713: from=<a@example.org>, size=1234, class=0, nrcpts=1, proto=ESMTP, relay=host.example [192.0.2.1] (may be forged)",
		"n1P81ACe027713: host.example [198.51.100.4]: VRFY root [rejected]", "q: [198.51.100.4]: possible SMTP attack: command=AUTH, count=5",
		"AUTH failure (LOGIN): authentication failure (-13) SASL(-13): x, relay=[198.51.100.4]", " did not issue x", "]: VRFY a]: EXPN b",
		"to=<b@example.net>, delay=00:00:01, relay=mx.example.net. [192.0.2.5], stat=Sent", "x,relay=a, relay=b, , ruleset=check_mail, arg1=<m>",
		"relay=, from=, to=", "from=<a>,, to=<b>,  reject=451", "ruleset=check_mail, arg1=<a>, ruleset=check_rcpt, arg1=<b>", "rrelay=x, relay=y",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var got, want event.Event
		got.Reset(msg)
		want.Reset(msg)
		parseSendmail(msg, &got)
		parseSendmailReference(msg, &want)
		checkSameEvent(t, msg, &got, &want)
	})
}

// FuzzPostfixSameAsReference holds parsePostfix to parsePostfixReference.
func FuzzPostfixSameAsReference(f *testing.F) {
	for _, s := range []string{
		"NOQUEUE: reject: RCPT from unknown[198.51.100.3]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@example.org> to=<x@example.net> proto=SMTP helo=<example>",
		"connect from host.example[192.0.2.1]", "disconnect from unknown[198.51.100.3]", "4F3A21C0D: client=host.example[192.0.2.1]",
		"warning: unknown[198.51.100.3]: SASL LOGIN authentication failed: UGFzc3dvcmQ6", "4F3A21C0D: from=<a@example.org>, size=1, nrcpt=1 (queue active)",
		"x from a b[1] connect from c[2]", "client= from a[1]", "afrom=<x> from=<y>", "to=<", "warning: a[b]:", "connect from [1]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var got, want event.Event
		got.Reset(msg)
		want.Reset(msg)
		parsePostfix(msg, &got)
		parsePostfixReference(msg, &want)
		checkSameEvent(t, msg, &got, &want)
	})
}

// FuzzIndexRareAt holds indexRareAt to bytes.Index for every choice of the rare byte.
func FuzzIndexRareAt(f *testing.F) {
	for _, s := range []string{"a from b\nfrom", "client=\nclient=", "xx\n", "\n", "aaab\naab", "ab\n"} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, in []byte, k uint8) {
		b, s, _ := bytes.Cut(in, []byte("\n"))
		if len(s) == 0 {
			return
		}
		kk := int(k) % len(s)
		if got, want := indexRareAt(b, string(s), kk), bytes.Index(b, s); got != want {
			t.Fatalf("indexRareAt(%q, %q, %d) = %d, want %d", b, s, kk, got, want)
		}
	})
}

// sendmailCommandReference is what parseSendmail searched before sendmailCommand: each phrase
// in turn, its first occurrence counting when past the first byte.
func sendmailCommandReference(b []byte) int {
	for _, cmd := range [...]string{"]: VRFY ", "]: EXPN ", "]: possible SMTP attack: "} {
		if i := index(b, cmd); i > 0 {
			return i
		}
	}
	return -1
}

// FuzzSendmailCommand holds sendmailCommand to sendmailCommandReference, and skipQueueID's
// table to the comparisons it replaced.
func FuzzSendmailCommand(f *testing.F) {
	for _, s := range []string{"h [1.2.3.4]: VRFY root", "]: VRFY x", "]: EXPN a]: VRFY b", "a]: EXPN b]: possible SMTP attack: c", "]]: EXPN ]: VRFY ",
		"q1: x", "Q_1: x", ": x", "abc:", "a\xffb: x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := sendmailCommand(b), sendmailCommandReference(b); got != want {
			t.Fatalf("sendmailCommand(%q) = %d, want %d", b, got, want)
		}
		for _, c := range b {
			if alnum[c] != (isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				t.Fatalf("alnum[%q] = %v", c, alnum[c])
			}
		}
	})
}
