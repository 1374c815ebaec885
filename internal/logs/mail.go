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
	// 'u' is rare in sendmail's other messages (in under a third of them, once), ']' in any:
	// searching through them costs less than bytes.Index, which starts from ' '.
	if i := indexRareAt(body, " did not issue ", 12); i > 0 {
		setRelay(e, body[:i])
		return true
	}
	if i := sendmailCommand(head(body, 320)); i > 0 {
		setRelay(e, body[:i+1])
		return true
	}
	var f sendmailFields
	f.read(body)
	if f.has&hasRelay != 0 {
		setRelay(e, f.relay)
	}
	if f.has&hasFrom != 0 {
		e.Set(event.MailFrom, angleValue(f.from))
	}
	if f.has&hasTo != 0 {
		e.Set(event.RcptTo, angleValue(f.to))
	}
	if f.has&hasArg1 != 0 {
		switch string(f.ruleset) {
		case "check_rcpt":
			e.Set(event.RcptTo, angleValue(f.arg1))
		case "check_mail":
			e.Set(event.MailFrom, angleValue(f.arg1))
		}
	}
	if f.has&hasReject != 0 {
		if code := leadingDigits(f.reject); len(code) == 3 {
			e.Set(event.Status, code)
		}
	}
	return true
}

// sendmailCommand returns the first "]: VRFY " in b when it is past b's first byte, else the
// first "]: EXPN " when it is, else the first "]: possible SMTP attack: " when it is, else -1:
// the three searches of the phrases in turn, made in one pass over b's ']'s.
func sendmailCommand(b []byte) int {
	first := [3]int{-1, -1, -1}
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], ']')
		if i < 0 {
			break
		}
		at := off + i
		if r := b[at:]; hasPrefix(r, "]: ") {
			switch {
			case first[0] < 0 && hasPrefix(r, "]: VRFY "):
				first[0] = at
			case first[1] < 0 && hasPrefix(r, "]: EXPN "):
				first[1] = at
			case first[2] < 0 && hasPrefix(r, "]: possible SMTP attack: "):
				first[2] = at
			}
		}
		off = at + 1
	}
	for _, i := range first {
		if i > 0 {
			return i
		}
	}
	return -1
}

// skipQueueID drops a leading "queueid: " (alphanumeric, as sendmail and postfix write them).
func skipQueueID(msg []byte) []byte {
	word, rest := token(msg)
	if len(word) < 2 || word[len(word)-1] != ':' {
		return msg
	}
	for _, c := range word[:len(word)-1] {
		if !alnum[c] {
			return msg
		}
	}
	return rest
}

// alnum marks the ASCII letters and digits: one load a byte where skipQueueID's test took six
// comparisons.
var alnum = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isDigit(byte(c)) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	return t
}()

// sendmailFields holds the values parseSendmail reads. Sendmail separates its fields with ", ";
// a key counts at the start of the body or after ", ", and its value runs to the next ", ". The
// first such field of each key is kept.
type sendmailFields struct {
	relay, from, to, arg1, ruleset, reject []byte
	has                                    uint8 // hasRelay etc.: which keys were found
}

const (
	hasRelay = 1 << iota
	hasFrom
	hasTo
	hasArg1
	hasRuleset
	hasReject
)

// read goes through body's fields once, rather than searching the whole body for each key.
func (f *sendmailFields) read(body []byte) {
	for p := 0; ; {
		field := body[p:]
		end := indexCommaSpace(field)
		if end >= 0 {
			field = field[:end] // no key holds ',', so its value ends here too
		}
		f.take(field)
		if end < 0 {
			return
		}
		p += end + 2
	}
}

// take keeps the value of the field if it starts with a key not seen before.
func (f *sendmailFields) take(field []byte) {
	if len(field) < 3 {
		return
	}
	var key string
	var bit uint8
	var dst *[]byte
	switch field[0] {
	case 'r':
		switch {
		case hasPrefix(field, "relay="):
			key, bit, dst = "relay=", hasRelay, &f.relay
		case hasPrefix(field, "reject="):
			key, bit, dst = "reject=", hasReject, &f.reject
		case hasPrefix(field, "ruleset="):
			key, bit, dst = "ruleset=", hasRuleset, &f.ruleset
		}
	case 'f':
		key, bit, dst = "from=", hasFrom, &f.from
	case 't':
		key, bit, dst = "to=", hasTo, &f.to
	case 'a':
		key, bit, dst = "arg1=", hasArg1, &f.arg1
	}
	if dst == nil || f.has&bit != 0 || !hasPrefix(field, key) {
		return
	}
	f.has |= bit
	*dst = field[len(key):]
}

// indexCommaSpace returns the index of the first ", " in b, or -1.
func indexCommaSpace(b []byte) int {
	off := 0
	for {
		i := bytes.IndexByte(b[off:], ',')
		if i < 0 {
			return -1
		}
		off += i + 1
		if off < len(b) && b[off] == ' ' {
			return off - 1
		}
	}
}

// setRelay records a client as logged ("[1.2.3.4]", "host [1.2.3.4] (may be forged)",
// "unknown[1.2.3.4]") and the address in its last brackets.
func setRelay(e *event.Event, relay []byte) {
	relay = trimSpace(relay)
	if len(relay) == 0 {
		return
	}
	e.SetSlice(event.Relay, relay)
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
		e.SetSlice(event.SourceIP, ip)
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
	// Both keys end in '<', which most messages (connect, disconnect) lack: one search for it
	// spares them two.
	if bytes.IndexByte(msg, '<') < 0 {
		return true
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
			if shut := indexRare(v[opening:], "]: "); shut > 0 {
				end := opening + shut + 1
				return v[:end], v[end:]
			}
		}
	}
	// Each key is searched through a byte that is rare in postfix's messages ('=', 'f').
	for _, key := range [...]struct {
		s string
		k int
	}{{"client=", 6}, {"connect from ", 8}, {" from ", 1}} {
		i := indexRareAt(msg, key.s, key.k)
		if i < 0 {
			continue
		}
		v := msg[i+len(key.s):]
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
		i := indexRareAt(msg[off:], key, len(key)-1) // '<'
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
