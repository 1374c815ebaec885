package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/event"
)

// parsePRI handles a line that starts with "<PRI>": RFC 5424 when a version follows, otherwise an
// RFC 3164 header (as network syslog sends it).
func (p *Parser) parsePRI(b []byte, e *event.Event) {
	end := bytes.IndexByte(b, '>')
	if end < 2 || end > 4 || !allDigits(b[1:end]) {
		return
	}
	rest := b[end+1:]
	if len(rest) > 2 && rest[0] == '1' && rest[1] == ' ' {
		p.parse5424(rest[2:], e)
		return
	}
	if len(rest) > 10 && rest[4] == '-' && rest[10] == 'T' {
		p.parseSyslogPrecise(rest, e)
		return
	}
	if c, n, ok := bsdStamp(rest); ok {
		p.parseSyslog3164(rest, c, n, e)
	}
}

// parseSyslog3164 parses "Mmm dd hh:mm:ss host tag: msg"; the caller has parsed the timestamp
// (c, ending at n).
func (p *Parser) parseSyslog3164(b []byte, c clock, n int, e *event.Event) {
	if n >= len(b) || b[n] != ' ' {
		return
	}
	unix, off := p.inferYear(c)
	e.Time = event.Time{UnixNano: unix * nanosPerSecond, Known: true, Offset: off}
	e.Framing = event.FramingRFC3164
	e.Format = event.FormatSyslog
	p.syslogBody(b[n+1:], e)
}

// parseSyslogPrecise parses rsyslog's high-precision header: an RFC 3339 time in place of the BSD one.
func (p *Parser) parseSyslogPrecise(b []byte, e *event.Event) {
	ns, off, n, ok := rfc3339(b)
	if !ok || n >= len(b) || b[n] != ' ' {
		return
	}
	e.Time = event.Time{UnixNano: ns, Known: true, Zoned: true, Offset: off}
	e.Framing = event.FramingRFC3164
	e.Format = event.FormatSyslog
	p.syslogBody(b[n+1:], e)
}

// syslogBody parses "host tag: msg" after a 3164-style timestamp. The host is missing in some
// local logs; a first word that ends in ':' is taken as the tag then.
func (p *Parser) syslogBody(b []byte, e *event.Event) {
	b = skipSpaces(b)
	host, rest := token(b)
	if len(host) > 0 && host[len(host)-1] == ':' && !isIPv6(host[:len(host)-1]) {
		rest = b
	} else if len(host) > 0 {
		e.Set(event.Host, host)
	}
	prog, pid, msg, ok := syslogTag(rest)
	if ok && prog[0] == '%' {
		// A Cisco mnemonic ("%SEC-6-IPACCESSLOGP:") where the tag would be: it is message text.
		prog, pid, msg, ok = nil, nil, nil, false
	}
	if ok {
		e.Set(event.Program, prog)
		if pid != nil {
			e.Set(event.PID, pid)
		}
	} else {
		msg = rest
	}
	e.Set(event.Message, msg)
	p.dispatch(prog, msg, e)
}

// syslogTag splits "prog[pid]: msg", "prog: msg" or "prog[pid] msg". The program may contain
// slashes and parentheses ("/kernel", "postfix/smtpd", "sshd(pam_unix)").
func syslogTag(b []byte) (prog, pid, msg []byte, ok bool) {
	word, rest := token(b)
	if len(word) == 0 {
		return nil, nil, nil, false
	}
	colon := word[len(word)-1] == ':'
	if colon {
		word = word[:len(word)-1]
	}
	if n := len(word); n > 0 && word[n-1] == ']' {
		if i := bytes.LastIndexByte(word, '['); i > 0 {
			return word[:i], word[i+1 : n-1], rest, true
		}
	}
	if !colon || len(word) == 0 {
		return nil, nil, nil, false
	}
	return word, nil, rest, true
}

// parse5424 parses what follows "<PRI>1 ": TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG].
func (p *Parser) parse5424(b []byte, e *event.Event) {
	stamp, rest := token(b)
	if len(stamp) == 0 {
		return
	}
	var t event.Time
	if !(len(stamp) == 1 && stamp[0] == '-') {
		ns, off, n, ok := rfc3339(stamp)
		if !ok || n != len(stamp) {
			return
		}
		t = event.Time{UnixNano: ns, Known: true, Zoned: true, Offset: off}
	}
	host, rest := token(rest)
	app, rest := token(rest)
	procid, rest := token(rest)
	_, rest = token(rest) // MSGID: not a normalised field
	if len(host) == 0 || len(app) == 0 || len(procid) == 0 {
		return
	}
	msg, ok := skipStructuredData(rest)
	if !ok {
		return
	}
	e.Time = t
	e.Framing = event.FramingRFC5424
	e.Format = event.FormatSyslog
	if !isNil(host) {
		e.Set(event.Host, host)
	}
	var prog []byte
	if !isNil(app) {
		prog = app
		e.Set(event.Program, app)
	}
	if !isNil(procid) {
		e.Set(event.PID, procid)
	}
	if hasPrefix(msg, "\xef\xbb\xbf") {
		msg = msg[3:]
	}
	e.Set(event.Message, msg)
	p.dispatch(prog, msg, e)
}

func isNil(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// skipStructuredData skips "-" or one or more "[id k="v" ...]" elements (inside quoted values a
// backslash escapes '"', '\' and ']') and returns the message after them.
func skipStructuredData(b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return b, true // SD missing entirely: tolerate, as relays truncate
	}
	if b[0] == '-' {
		return after(b[1:])
	}
	if b[0] != '[' {
		return nil, false
	}
	i, inQuote := 0, false
	for i < len(b) {
		c := b[i]
		switch {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == ']':
			if i+1 >= len(b) || b[i+1] != '[' {
				return after(b[i+1:])
			}
		}
		i++
	}
	return nil, false
}

// after returns the message following the structured data: nothing, or one space then the text.
func after(b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return b, true
	}
	if b[0] != ' ' {
		return nil, false
	}
	return b[1:], true
}

// programBase returns the last path element of a syslog program name ("/kernel" → "kernel").
func programBase(prog []byte) []byte {
	if i := bytes.LastIndexByte(prog, '/'); i >= 0 {
		return prog[i+1:]
	}
	return prog
}

// dispatch hands a syslog message to the parser its program or content selects. Parsers are keyed
// on the program first so that text a user can put into a message of another program (a user name
// in a login failure, say) does not turn into firewall or mail fields.
func (p *Parser) dispatch(prog, msg []byte, e *event.Event) {
	if len(msg) == 0 {
		return
	}
	// IOS puts the mnemonic after at most a sequence number and an uptime or clock stamp.
	if i := indexRare(head(msg, 96), "%SEC-6-IPACCESSLOG"); i >= 0 {
		if parseCiscoACL(msg[i:], e) {
			return
		}
	}
	base := programBase(prog)
	switch {
	case len(prog) == 0 || string(base) == "kernel":
		if parseKernelFirewall(msg, e) {
			return
		}
	case hasPrefix(prog, "postfix"):
		if parsePostfix(msg, e) {
			return
		}
	case string(base) == "sendmail" || string(base) == "sm-mta" || string(base) == "sm-msp-queue":
		if parseSendmail(msg, e) {
			return
		}
	case string(base) == "pf" || string(base) == "pflog" || string(base) == "pflogd" || string(base) == "tcpdump":
		if p.parsePFMessage(msg, e) {
			return
		}
	case string(base) == "ipfw":
		if parseIpfw(msg, e) {
			return
		}
	case string(base) == "ulogd" || string(base) == "ulogd2":
		if parseIptables(msg, e) {
			return
		}
	}
	parseAuth(base, msg, e)
}

// parseKernelFirewall tries the packet filters that log through the kernel's syslog tag.
func parseKernelFirewall(msg []byte, e *event.Event) bool {
	if hasPrefix(msg, "ipfw: ") {
		return parseIpfw(msg, e)
	}
	if i := index(head(msg, 44), "Packet log: "); i >= 0 {
		return parseIpchains(msg[i+len("Packet log: "):], e)
	}
	return parseIptables(msg, e)
}
