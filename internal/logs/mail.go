package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/event"
)

// parseSendmail takes the mail fields out of a sendmail (sm-mta) message. Every message of the
// program is claimed; fields are set where the line has them:
//
//	j0UD1OP0026701: ruleset=check_rcpt, arg1=<x@example.com>, relay=[198.51.100.93], reject=550 5.7.1 ...
//	n1P81ACe027713: [198.51.100.133] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA
//	n1P81ACe027713: from=<a@example.org>, size=1234, ..., relay=host.example [192.0.2.1] (may be forged)
//	n1P81ACe027713: host.example [198.51.100.4]: VRFY root [rejected]           (also EXPN)
//	n1P81ACe027713: [198.51.100.4]: possible SMTP attack: command=AUTH, count=5
//	AUTH failure (LOGIN): authentication failure (-13) SASL(-13): ..., relay=[198.51.100.4]
func parseSendmail(msg []byte, e *event.Event) bool {
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
	if v, ok := sendmailValue(body, "relay="); ok {
		setRelay(e, v)
	}
	if v, ok := sendmailValue(body, "from="); ok {
		e.Set(event.MailFrom, angleValue(v))
	}
	if v, ok := sendmailValue(body, "to="); ok {
		e.Set(event.RcptTo, angleValue(v))
	}
	if v, ok := sendmailValue(body, "arg1="); ok {
		rs, _ := sendmailValue(body, "ruleset=")
		switch string(rs) {
		case "check_rcpt":
			e.Set(event.RcptTo, angleValue(v))
		case "check_mail":
			e.Set(event.MailFrom, angleValue(v))
		}
	}
	if v, ok := sendmailValue(body, "reject="); ok {
		if code := leadingDigits(v); len(code) == 3 {
			e.Set(event.Status, code)
		}
	}
	return true
}

// skipQueueID drops a leading "queueid: " (alphanumeric, as sendmail and postfix write them).
func skipQueueID(msg []byte) []byte {
	word, rest := token(msg)
	if len(word) < 2 || word[len(word)-1] != ':' {
		return msg
	}
	for _, c := range word[:len(word)-1] {
		if !(isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return msg
		}
	}
	return rest
}

// sendmailValue finds key at the start of body or after ", " and returns its value up to the next
// ", " (sendmail's separator).
func sendmailValue(body []byte, key string) ([]byte, bool) {
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

// setRelay records a client as logged ("[1.2.3.4]", "host [1.2.3.4] (may be forged)",
// "unknown[1.2.3.4]") and the address in its last brackets.
func setRelay(e *event.Event, relay []byte) {
	relay = trimSpace(relay)
	if len(relay) == 0 {
		return
	}
	e.Set(event.Relay, relay)
	shut := bytes.LastIndexByte(relay, ']')
	if shut < 0 {
		return
	}
	opening := bytes.LastIndexByte(relay[:shut], '[')
	if opening < 0 {
		return
	}
	ip := relay[opening+1 : shut]
	if hasPrefix(ip, "IPv6:") {
		ip = ip[len("IPv6:"):]
	}
	if isIP(ip) {
		e.Set(event.SourceIP, ip)
	}
}

// parsePostfix takes the mail fields out of a postfix message; every postfix/* message is claimed.
//
//	NOQUEUE: reject: RCPT from unknown[198.51.100.3]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@example.org> to=<x@example.net> proto=SMTP helo=<example>
//	connect from host.example[192.0.2.1]
//	4F3A21C0D: client=host.example[192.0.2.1]
//	warning: unknown[198.51.100.3]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
func parsePostfix(msg []byte, e *event.Event) bool {
	e.Format = event.FormatPostfix
	client, after := postfixClient(msg)
	if client != nil {
		setRelay(e, client)
		// A reject names the reply code right after the client: "]: 554 5.7.1 ...".
		if hasPrefix(after, ": ") {
			if code := leadingDigits(after[2:]); len(code) == 3 {
				e.Set(event.Status, code)
			}
		}
	}
	if v := postfixAddress(msg, "from=<"); v != nil {
		e.Set(event.MailFrom, v)
	}
	if v := postfixAddress(msg, "to=<"); v != nil {
		e.Set(event.RcptTo, v)
	}
	return true
}

// postfixClient finds "name[ip]" after "client=" or " from " and returns it and the text after it.
func postfixClient(msg []byte) (client, after []byte) {
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
func postfixAddress(msg []byte, key string) []byte {
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
