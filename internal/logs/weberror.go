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
	sc := &p.errStamp
	var stamp []byte
	sec, cached := 0, false
	if k := sc.n + 1; sc.ok && len(b) > k && b[0] == '[' && b[k] == ']' {
		// A stamp of the cached one's minute ends where that one did and holds no ']' (the
		// cached stamp held none, and the seconds are digits): its end needs no search.
		stamp = b[1:k]
		sec, cached = sc.lookup(stamp)
	}
	end := len(stamp) + 1
	if !cached {
		end = bytes.IndexByte(b, ']')
		if len(b) == 0 || b[0] != '[' || end < 1 {
			return false
		}
		stamp = b[1:end]
		// "Www Mmm dd hh:mm:ss[.ffffff] yyyy"
		if len(stamp) < 24 || stamp[3] != ' ' {
			return false
		}
		sec, cached = sc.lookup(stamp)
	}
	var c clock
	var n int
	var ns, unix int64
	var off int32
	if cached {
		unix, off, ns = sc.base+int64(sec), sc.offset, sc.ns
	} else {
		var ok bool
		if c, n, ok = bsdStamp(stamp[4:]); !ok {
			return false
		}
		tail := stamp[4+n:]
		var fn int
		ns, fn = fraction(tail)
		tail = tail[fn:]
		if len(tail) != 5 || tail[0] != ' ' {
			return false
		}
		if c.year, ok = digits(tail[1:], 4); !ok {
			return false
		}
	}
	rest := b[end+1:]
	if !hasPrefix(rest, " [") {
		return false
	}
	lvlEnd := bytes.IndexByte(rest, ']')
	if lvlEnd < 0 {
		return false
	}
	level, ok := apacheLevel(rest[2:lvlEnd])
	if !ok {
		return false
	}
	if !cached {
		unix, off = p.local(c)
		sc.fill(p, stamp, 4+n-2, c, ns, unix, off)
	}
	e.Format = event.FormatWebError
	// Values here are slices of the (non-empty) line, never nil: SetSlice.
	e.Time = event.Time{UnixNano: unix*nanosPerSecond + ns, Known: true, Offset: off}
	e.SetSlice(event.Severity, level)
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
	e.SetSlice(event.Message, msg)
	if !e.Has(event.SourceIP) {
		// mod_ssl 2.8: "(server www.example.jp:443, client 198.51.100.7)"
		if i := index(msg, ", client "); i >= 0 {
			v := msg[i+len(", client "):]
			if k := bytes.IndexByte(v, ')'); k >= 0 {
				v = v[:k]
			}
			if isIP(v) {
				e.SetSlice(event.SourceIP, v)
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
		e.SetSlice(event.PID, pid)
	case hasPrefix(inner, "client "):
		e.SetSlice(event.SourceIP, stripPort(inner[len("client "):]))
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
	// One ':' and no other: the first, and none after it (the second search is over the few
	// bytes of a port, and an address without a port is searched once, not counted).
	if i := bytes.IndexByte(b, ':'); i >= 0 && bytes.IndexByte(b[i+1:], ':') < 0 {
		return b[:i]
	}
	return b
}

// apacheLevel returns the severity that an error line's level field names, and whether it is
// one: "error", or "ssl:error" (Apache 2.4 names the module first). A severity word holds no
// ':', so the field is first taken whole: most logs name no module, and their fields are then
// not searched for one.
func apacheLevel(field []byte) ([]byte, bool) {
	if isSeverityWord(field) {
		return field, true
	}
	if i := bytes.LastIndexByte(field, ':'); i >= 0 {
		field = field[i+1:]
		return field, isSeverityWord(field)
	}
	return field, false
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
	e.SetSlice(event.Severity, rest[2:j])
	rest = skipSpaces(rest[j+1:])
	if h := bytes.IndexByte(rest, '#'); h > 0 && allDigits(rest[:h]) {
		e.SetSlice(event.PID, rest[:h])
		if k := index(rest, ": "); k > h {
			rest = rest[k+2:]
		}
	}
	if len(rest) > 1 && rest[0] == '*' {
		if sp := bytes.IndexByte(rest, ' '); sp > 0 && allDigits(rest[1:sp]) {
			rest = rest[sp+1:] // connection number
		}
	}
	e.SetSlice(event.Message, rest)
	if i := index(rest, ", client: "); i >= 0 {
		v := rest[i+len(", client: "):]
		if k := bytes.IndexByte(v, ','); k >= 0 {
			v = v[:k]
		}
		e.SetSlice(event.SourceIP, v)
	}
	return true
}

// errStampCache holds the last error-log stamp whose minute local resolved the same way for
// every second: error lines come in bursts, and another second of that minute is then two digits
// added to the minute's start rather than a stamp parsed and resolved again.
type errStampCache struct {
	ok     bool
	stamp  [errStampMax]byte
	n      int   // the stamp's length
	sec    int   // where its seconds' two digits are
	base   int64 // the Unix time of its minute's first second
	offset int32
	ns     int64 // its fraction of a second, in nanoseconds
}

const errStampMax = 48

// lookup returns the seconds of stamp when it is the cached stamp in all other bytes.
func (sc *errStampCache) lookup(stamp []byte) (int, bool) {
	if !sc.ok || len(stamp) != sc.n {
		return 0, false
	}
	i := sc.sec
	hi, lo := stamp[i]-'0', stamp[i+1]-'0'
	if hi > 5 || lo > 9 || string(stamp[:i]) != string(sc.stamp[:i]) || string(stamp[i+2:]) != string(sc.stamp[i+2:sc.n]) {
		return 0, false
	}
	return int(hi)*10 + int(lo), true
}

// fill caches stamp, which local resolved to unix and off, its seconds at sec, when every second
// of its minute resolves at the same offset (no change of offset within it).
func (sc *errStampCache) fill(p *Parser, stamp []byte, sec int, c clock, ns, unix int64, off int32) {
	sc.ok = false
	if len(stamp) > errStampMax || c.sec > 59 || sec < 0 || sec+2 > len(stamp) {
		return
	}
	first, last := c, c
	first.sec, last.sec = 0, 59
	u0, off0 := p.local(first)
	u59, off59 := p.local(last)
	if off0 != off || off59 != off || u59-u0 != 59 || unix-u0 != int64(c.sec) {
		return
	}
	*sc = errStampCache{ok: true, n: len(stamp), sec: sec, base: u0, offset: off, ns: ns}
	copy(sc.stamp[:], stamp)
}
