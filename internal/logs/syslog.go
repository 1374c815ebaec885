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
	ns, n, ok := syslog3164Rest(b, n)
	if !ok {
		return
	}
	unix, off := p.inferYear(c)
	p.syslog3164(b[n+1:], unix*nanosPerSecond+ns, off, e)
}

// syslog3164Rest reads what follows a BSD stamp ending at n: a fraction, then the space before
// the host, whose index it returns along with the fraction's nanoseconds.
func syslog3164Rest(b []byte, n int) (int64, int, bool) {
	if n < len(b) && b[n] == ' ' {
		return 0, n, true // no fraction: most lines
	}
	// "journalctl -o short-precise" adds microseconds to the BSD time; so does tcpdump, whose
	// lines (pf logs) that the pf parser did not take are no syslog.
	ns, fn := fraction(b[n:])
	if fn > 0 && (hasPrefix(b[n+fn:], " rule ") || hasPrefix(b[n+fn:], " IP")) {
		return 0, 0, false
	}
	n += fn
	if n >= len(b) || b[n] != ' ' {
		return 0, 0, false
	}
	return ns, n, true
}

// syslog3164 fills in a BSD syslog line's time (Unix nanoseconds, offset) and parses its body.
func (p *Parser) syslog3164(body []byte, nanos int64, off int32, e *event.Event) {
	e.Time = event.Time{UnixNano: nanos, Known: true, Offset: off}
	e.Framing = event.FramingRFC3164
	e.Format = event.FormatSyslog
	p.syslogBody(body, e)
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
	if len(b) > 0 && b[0] == '<' {
		b = p.facilityPriority(b, e)
	}
	host, rest := token(b)
	if len(host) > 0 && host[len(host)-1] == ':' && !isIPv6(host[:len(host)-1]) {
		rest = b
	} else if len(host) > 0 {
		e.SetSlice(event.Host, host)
	}
	if len(rest) > 0 && rest[0] == '%' {
		// A Cisco mnemonic ("%ASA-4-106023:", "%SEC-6-IPACCESSLOGP:") where the tag would be:
		// it is message text. A tag's program starts where rest does, so its first byte tells
		// without splitting the mnemonic as a tag first (every ASA line has one).
		e.SetSlice(event.Message, rest)
		p.dispatch(nil, rest, e)
		return
	}
	prog, pid, msg, ok := syslogTag(rest)
	if ok {
		e.SetSlice(event.Program, prog)
		if pid != nil {
			e.SetSlice(event.PID, pid)
		}
	} else {
		msg = rest
	}
	if hasPrefix(msg, "[ID ") {
		msg = solarisMessageID(msg, e)
	}
	e.SetSlice(event.Message, msg)
	p.dispatch(prog, msg, e)
}

// facilityPriority skips what FreeBSD's "syslogd -v" writes after the time, "<4.6> " (numbers)
// or, with -vv, "<auth.info> " (names), and keeps a named priority as Severity.
func (p *Parser) facilityPriority(b []byte, e *event.Event) []byte {
	end := bytes.IndexByte(head(b, 24), '>')
	if end < 4 || end+1 >= len(b) || b[end+1] != ' ' {
		return b
	}
	dot := bytes.IndexByte(b[1:end], '.')
	if dot < 1 {
		return b
	}
	setSyslogSeverity(b[dot+2:end], e)
	return b[end+2:]
}

// solarisMessageID drops the "[ID 123456 auth.info] " that Solaris puts before a message and
// keeps its priority as Severity.
func solarisMessageID(msg []byte, e *event.Event) []byte {
	end := bytes.IndexByte(head(msg, 64), ']')
	if end < 0 || end+1 >= len(msg) || msg[end+1] != ' ' {
		return msg
	}
	id, fp := token(msg[len("[ID "):end])
	dot := bytes.IndexByte(fp, '.')
	if !allDigits(id) || dot < 1 {
		return msg
	}
	setSyslogSeverity(fp[dot+1:], e)
	return msg[end+2:]
}

// setSyslogSeverity records a priority given as a name ("info", "warn"). A number (-v rather
// than -vv) is left out: Severity holds the words of the line, which the rule prefilter relies on.
func setSyslogSeverity(pri []byte, e *event.Event) {
	if len(pri) > 0 && len(pri) <= 8 && allLetters(pri) {
		e.Set(event.Severity, pri)
	}
}

func allLetters(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
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
		// The last '[' (not the first byte): a loop back over the pid costs less than a call
		// of bytes.LastIndexByte.
		for i := n - 2; i > 0; i-- {
			if word[i] == '[' {
				return word[:i], word[i+1 : n-1], rest, true
			}
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
	// IOS puts the mnemonic after at most a sequence number and an uptime or clock stamp; ASA
	// and PIX after at most their own clock stamp.
	if i := bytes.IndexByte(head(msg, 96), '%'); i >= 0 {
		acl, asa := ciscoMarkers(head(msg, 96), i)
		if acl >= 0 && parseCiscoACL(msg[acl:], e) {
			return
		}
		if asa >= 0 && parseCiscoASA(msg[asa:], e, p.skipASA) {
			return
		}
	}
	cl := p.progs.class(prog)
	switch cl.packet {
	case progKernel:
		if parseKernelFirewall(msg, e) {
			return
		}
	case progPostfix:
		if parsePostfix(msg, e) {
			return
		}
	case progSendmail:
		if parseSendmail(msg, e) {
			return
		}
	case progPF:
		if p.parsePFMessage(msg, e) {
			return
		}
	case progIpfw:
		if parseIpfw(msg, e) {
			return
		}
	case progUlogd:
		if parseIptables(msg, e) {
			return
		}
	}
	if cl.login == loginOther && !anyProgramAuthStart(msg[0]) {
		return // parseAuthAs would turn the message down by its first byte; spare its call
	}
	p.parseAuthAs(int(cl.login), msg, e)
}

// ciscoMarkers returns the first "%SEC-6-IPACCESSLOG" (IOS) and the first ASA, PIX or FWSM
// packet-filter marker (isASAMarker) in b, or -1 each; b[i] is its first '%'. One pass over the
// '%'s finds both.
func ciscoMarkers(b []byte, i int) (acl, asa int) {
	acl, asa = -1, -1
	for {
		if i+1 < len(b) {
			switch b[i+1] {
			case 'S':
				if acl < 0 && hasPrefix(b[i:], "%SEC-6-IPACCESSLOG") {
					acl = i
				}
			case 'A', 'P', 'F':
				if asa < 0 && isASAMarker(b[i+1:]) {
					asa = i
				}
			}
		}
		if acl >= 0 && asa >= 0 {
			return acl, asa
		}
		j := bytes.IndexByte(b[i+1:], '%')
		if j < 0 {
			return acl, asa
		}
		i += j + 1
	}
}

// A program whose lines a packet filter or mail parser reads (progOther: none).
const (
	progOther = iota
	progKernel
	progPostfix
	progSendmail
	progPF
	progIpfw
	progUlogd
)

// packetOrMailProgram names the parser that a program's lines go to before the login parsers:
// one switch on the base name (base, from programBase) rather than a comparison per parser.
func packetOrMailProgram(prog, base []byte) int {
	if len(prog) == 0 || string(base) == "kernel" {
		return progKernel
	}
	if hasPrefix(prog, "postfix") {
		return progPostfix
	}
	switch string(base) {
	case "sendmail":
		return progSendmail
	case "pf", "pflog", "pflogd", "tcpdump":
		return progPF
	case "ipfw":
		return progIpfw
	case "ulogd", "ulogd2":
		return progUlogd
	}
	// sendmail names itself by its role: sm-mta, sm-msp-queue, and (from its process title)
	// sm-acceptingconnections on some systems.
	if hasPrefix(base, "sm-") {
		return progSendmail
	}
	return progOther
}

// parseKernelFirewall tries the packet filters that log through the kernel's syslog tag.
func parseKernelFirewall(msg []byte, e *event.Event) bool {
	if hasPrefix(msg, "ipfw: ") {
		return parseIpfw(msg, e)
	}
	if i := indexVia(head(msg, 44), "Packet log: ", 3); i >= 0 { // 'k' is rare in netfilter lines
		return parseIpchains(msg[i+len("Packet log: "):], e)
	}
	return parseIptables(msg, e)
}

// parseDateTimeHeader parses a local "yyyy-mm-dd hh:mm:ss[,mmm] host prog[pid] msg" header, the
// SystemLog format of ProFTPD 1.3.5 and later (and of other daemons that log to their own file).
func (p *Parser) parseDateTimeHeader(b []byte, e *event.Event) {
	var c clock
	var ok1, ok2, ok3 bool
	c.year, ok1 = digits(b, 4)
	c.month, ok2 = digits(b[5:], 2)
	c.day, ok3 = digits(b[8:], 2)
	if !ok1 || !ok2 || !ok3 || b[7] != '-' || !hms(b[11:], &c) || !c.valid() {
		return
	}
	n := 19
	var ns int64
	if n+1 < len(b) && b[n] == ',' {
		// Milliseconds after a comma, as log4j-style loggers write them.
		n++
		scale := int64(nanosPerSecond)
		for n < len(b) && isDigit(b[n]) {
			if scale > 1 {
				scale /= 10
				ns += int64(b[n]-'0') * scale
			}
			n++
		}
	}
	if n >= len(b) || b[n] != ' ' {
		return
	}
	// Other programs' own logs start with such a date too (dpkg.log: "2024-05-20 10:00:00 status
	// installed ..."); only a host followed by a syslog tag makes this header.
	if _, rest := token(b[n+1:]); !hasTag(rest) {
		return
	}
	unix, off := p.local(c)
	e.Time = event.Time{UnixNano: unix*nanosPerSecond + ns, Known: true, Offset: off}
	e.Framing = event.FramingRFC3164
	e.Format = event.FormatSyslog
	p.syslogBody(b[n+1:], e)
}

// hasTag reports whether b starts with a syslog tag ("prog[pid]:", "prog[pid] " or "prog:").
func hasTag(b []byte) bool {
	_, _, _, ok := syslogTag(b)
	return ok
}

// parseCtimeHeader parses lines that start with a ctime(3) stamp and a year: vsftpd's own log,
//
//	Sat Mar 10 10:01:02 2007 [pid 1234] [admin] FAIL LOGIN: Client "198.51.100.4"
//
// Pid is the pid (Program stays unset: the line does not name it), and the message goes to the FTP login parser; other such lines
// keep FormatUnknown.
func (p *Parser) parseCtimeHeader(b []byte, e *event.Event) {
	c, n, ok := bsdStamp(b[4:])
	if !ok {
		return
	}
	rest := b[4+n:]
	if len(rest) < 6 || rest[0] != ' ' {
		return
	}
	if c.year, ok = digits(rest[1:], 4); !ok {
		return
	}
	rest = rest[5:]
	if !hasPrefix(rest, " [pid ") {
		return
	}
	end := bytes.IndexByte(rest, ']')
	if end < 0 || end+2 > len(rest) {
		return
	}
	pid := rest[len(" [pid "):end]
	if !allDigits(pid) {
		return
	}
	msg := rest[end+1:]
	if len(msg) > 0 && msg[0] == ' ' {
		msg = msg[1:]
	}
	unix, off := p.local(c)
	e.Time = event.Time{UnixNano: unix * nanosPerSecond, Known: true, Offset: off}
	e.Format = event.FormatSyslog
	e.Set(event.PID, pid)
	e.Set(event.Message, msg)
	authFTP(msg, e)
}
