package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/event"
)

// parseApacheError parses Apache error log lines:
//
//	[Sat Sep 14 10:00:00 2002] [error] [client 1.2.3.4] msg
//	[Sat Sep 14 10:00:00 2002] [error] mod_ssl: SSL handshake failed (server www.example.jp:443, client 198.51.100.7) ...
//	[Sat Sep 14 10:00:00.123456 2002] [ssl:error] [pid 123:tid 456] [client 1.2.3.4:5678] AH02039: ...
func (p *Parser) parseApacheError(b []byte, e *event.Event) bool {
	end := bytes.IndexByte(b, ']')
	if len(b) == 0 || b[0] != '[' || end < 1 {
		return false
	}
	stamp := b[1:end]
	// "Www Mmm dd hh:mm:ss[.ffffff] yyyy"
	if len(stamp) < 24 || stamp[3] != ' ' {
		return false
	}
	c, n, ok := bsdStamp(stamp[4:])
	if !ok {
		return false
	}
	tail := stamp[4+n:]
	ns, fn := fraction(tail)
	tail = tail[fn:]
	if len(tail) != 5 || tail[0] != ' ' {
		return false
	}
	if c.year, ok = digits(tail[1:], 4); !ok {
		return false
	}
	rest := b[end+1:]
	if !hasPrefix(rest, " [") {
		return false
	}
	lvlEnd := bytes.IndexByte(rest, ']')
	if lvlEnd < 0 {
		return false
	}
	level := rest[2:lvlEnd]
	if i := bytes.LastIndexByte(level, ':'); i >= 0 {
		level = level[i+1:] // "ssl:error" names the module first
	}
	if !isSeverityWord(level) {
		return false
	}
	unix, off := p.local(c)
	e.Format = event.FormatWebError
	e.Time = event.Time{UnixNano: unix*nanosPerSecond + ns, Known: true, Offset: off}
	e.Set(event.Severity, level)
	rest = rest[lvlEnd+1:]
	// Bracketed prefixes: [pid N(:tid M)], [client ip(:port)], [remote ip:port].
	for hasPrefix(rest, " [") {
		j := bytes.IndexByte(rest, ']')
		if j >= 0 && hasPrefix(rest[2:], "client [") {
			// A bracketed IPv6 client closes its own bracket first: "[client [2001:db8::1]:5678]".
			if k := bytes.IndexByte(rest[j+1:], ']'); k >= 0 {
				j += 1 + k
			}
		}
		if j < 0 || !apachePrefix(rest[2:j], e) {
			break
		}
		rest = rest[j+1:]
	}
	msg := skipSpaces(rest)
	e.Set(event.Message, msg)
	if !e.Has(event.SourceIP) {
		// mod_ssl 2.8: "(server www.example.jp:443, client 198.51.100.7)"
		if i := index(msg, ", client "); i >= 0 {
			v := msg[i+len(", client "):]
			if k := bytes.IndexByte(v, ')'); k >= 0 {
				v = v[:k]
			}
			if isIP(v) {
				e.Set(event.SourceIP, v)
			}
		}
	}
	return true
}

// apachePrefix takes the fields out of one bracketed prefix after the level: [pid N(:tid M)],
// [client ip(:port)], [remote ip:port]. Anything else is message text.
func apachePrefix(inner []byte, e *event.Event) bool {
	switch {
	case hasPrefix(inner, "pid "):
		pid := inner[4:]
		if k := bytes.IndexByte(pid, ':'); k >= 0 {
			pid = pid[:k]
		}
		e.Set(event.PID, pid)
	case hasPrefix(inner, "client "):
		e.Set(event.SourceIP, stripPort(inner[len("client "):]))
	case hasPrefix(inner, "remote "):
	default:
		return false
	}
	return true
}

// stripPort drops ":port" from "1.2.3.4:5678" and "[2001:db8::1]:5678"; a bare IPv6 address is
// kept whole because its last group cannot be told from a port.
func stripPort(b []byte) []byte {
	if len(b) > 0 && b[0] == '[' {
		if j := bytes.IndexByte(b, ']'); j > 0 {
			return b[1:j]
		}
	}
	if bytes.Count(b, []byte(":")) == 1 {
		return b[:bytes.IndexByte(b, ':')]
	}
	return b
}

func isSeverityWord(b []byte) bool {
	switch string(b) {
	case "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug":
		return true
	}
	return hasPrefix(b, "trace") && len(b) == 6 && isDigit(b[5])
}

// parseNginxError parses "2024/01/02 03:04:05 [error] 1234#0: *5 msg, client: 1.2.3.4, server: ...".
func (p *Parser) parseNginxError(b []byte, e *event.Event) bool {
	if len(b) < 22 {
		return false
	}
	var c clock
	var ok1, ok2, ok3 bool
	c.year, ok1 = digits(b, 4)
	c.month, ok2 = digits(b[5:], 2)
	c.day, ok3 = digits(b[8:], 2)
	if b[10] != ' ' || !ok1 || !ok2 || !ok3 || !hms(b[11:], &c) || !c.valid() {
		return false
	}
	rest := b[19:]
	if !hasPrefix(rest, " [") {
		return false
	}
	j := bytes.IndexByte(rest, ']')
	if j < 0 || !isSeverityWord(rest[2:j]) {
		return false
	}
	unix, off := p.local(c)
	e.Format = event.FormatWebError
	e.Time = event.Time{UnixNano: unix * nanosPerSecond, Known: true, Offset: off}
	e.Set(event.Severity, rest[2:j])
	rest = skipSpaces(rest[j+1:])
	if h := bytes.IndexByte(rest, '#'); h > 0 && allDigits(rest[:h]) {
		e.Set(event.PID, rest[:h])
		if k := index(rest, ": "); k > h {
			rest = rest[k+2:]
		}
	}
	if len(rest) > 1 && rest[0] == '*' {
		if sp := bytes.IndexByte(rest, ' '); sp > 0 && allDigits(rest[1:sp]) {
			rest = rest[sp+1:] // connection number
		}
	}
	e.Set(event.Message, rest)
	if i := index(rest, ", client: "); i >= 0 {
		v := rest[i+len(", client: "):]
		if k := bytes.IndexByte(v, ','); k >= 0 {
			v = v[:k]
		}
		e.Set(event.SourceIP, v)
	}
	return true
}
