package logs

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/keikai-project/keikai/internal/event"
)

// parseAccess parses Apache/nginx common, combined and vhost_combined access log lines:
//
//	client ident user [dd/Mon/yyyy:hh:mm:ss -zzzz] "request" status size ["referer" "agent"]
//	vhost:port client ident user [...] ...
func (p *Parser) parseAccess(b []byte, e *event.Event) bool {
	var br int
	var client, user []byte
	if s := nextSpace(b, 0); s+8 <= len(b) && s+4 <= 512 &&
		binary.LittleEndian.Uint64(b[s:])&0xffffffffffff == noIdentNoUser {
		// The head of nearly every line, "client - - [": its spaces are the first three, and
		// the time follows. Taken here, without accessSplit's call and results.
		br, client, user = s+4, b[:s], b[s+3:s+4]
	} else {
		var ok bool
		if br, client, user, ok = accessSplit(b); !ok {
			return false
		}
	}
	if !accessClient(client) {
		return false
	}
	rest := b[br+2:]
	ns, off, n, ok := p.clfTime(rest)
	if !ok || !hasPrefix(rest[n:], "] \"") {
		return false
	}
	rest = rest[n+3:]
	// closingQuote's first step, in place: the request's first quote ends it unless a
	// backslash precedes it.
	reqEnd := bytes.IndexByte(rest, '"')
	if reqEnd > 0 && rest[reqEnd-1] == '\\' {
		reqEnd = closingQuote(rest)
	}
	if reqEnd < 0 {
		return false
	}
	request := rest[:reqEnd]
	rest = rest[reqEnd+1:]
	if !hasPrefix(rest, " ") {
		return false
	}
	rest = rest[1:]
	var status []byte
	if len(rest) > 3 && rest[3] == ' ' && isDigit(rest[0]) && isDigit(rest[1]) && isDigit(rest[2]) {
		status, rest = rest[:3], rest[4:] // what token gives for three digits and a space
	} else {
		status, rest = token(rest)
		if len(status) != 3 || !allDigits(status) {
			if !(len(status) == 1 && status[0] == '-') {
				return false
			}
		}
	}
	e.Format = event.FormatWebAccess
	// Every value below is a slice of the line (or of a decoded copy of a non-empty target), never
	// nil: SetSlice leaves out Set's nil test.
	e.Time = event.Time{UnixNano: ns, Known: true, Zoned: true, Offset: off}
	e.SetSlice(event.SourceIP, client)
	if !isNil(user) {
		e.SetSlice(event.User, user)
	}
	e.SetSlice(event.Status, status)
	setRequest(e, request, &p.urls)
	if p.skipAgent {
		return true
	}
	_, rest = token(rest) // response size, "-" when none
	if hasPrefix(rest, "\"") {
		if end := closingQuote(rest[1:]); end >= 0 {
			e.SetSlice(event.Referer, rest[1:1+end])
			rest = rest[2+end:]
			if hasPrefix(rest, " \"") {
				if end := closingQuote(rest[2:]); end >= 0 {
					e.SetSlice(event.UserAgent, rest[2:2+end])
				} else {
					e.SetSlice(event.UserAgent, rest[2:]) // truncated line
				}
			}
		}
	}
	return true
}

// lows7 is 0x7f in every byte: adding it to a byte's low seven bits sets the high bit unless they
// are all zero.
const lows7 = 0x7f7f7f7f7f7f7f7f

// accessHead splits what precedes the time into three words (client ident user) or four (vhost
// first) at single spaces, found eight bytes at a time in one forward pass; a fifth word or an
// empty user refuses the line.
func accessHead(head []byte) (client, user []byte, ok bool) {
	// Up to four spaces: the fourth may only end the head (the words were taken one by one,
	// each with the space after it).
	var sp [4]int
	n := 0
	i := 0
	for ; i+8 <= len(head); i += 8 {
		x := binary.LittleEndian.Uint64(head[i:]) ^ (' ' * ones)
		// High bit set exactly in the zero bytes of x, the spaces (no borrow between bytes).
		for m := ^((x&^highs + lows7) | x | lows7); m != 0; m &= m - 1 {
			if n == len(sp) {
				return nil, nil, false
			}
			sp[n] = i + bits.TrailingZeros64(m)>>3
			n++
		}
	}
	for ; i < len(head); i++ {
		if head[i] == ' ' {
			if n == len(sp) {
				return nil, nil, false
			}
			sp[n] = i
			n++
		}
	}
	return headWords(head, sp, n)
}

// headWords picks client and user from the head of an access line given the places of its n
// spaces (at most four).
func headWords(head []byte, sp [4]int, n int) (client, user []byte, ok bool) {
	end := len(head)
	if n == 4 {
		if sp[3] != len(head)-1 {
			return nil, nil, false
		}
		end = sp[3]
	}
	// The third word (user, or ident when a vhost leads) must not be empty.
	switch n {
	case 2:
		user = head[sp[1]+1 : end]
		return head[:sp[0]], user, len(user) > 0
	case 3, 4:
		w3, w4 := head[sp[1]+1:sp[2]], head[sp[2]+1:end]
		if len(w4) > 0 {
			return head[sp[0]+1 : sp[1]], w4, len(w3) > 0
		}
		return head[:sp[0]], w3, len(w3) > 0
	}
	return nil, nil, false
}

// accessSplit finds the " [" before an access line's time (the first one, at most 512 bytes in)
// and splits what precedes it as accessHead does, in one forward pass over the line's spaces,
// eight bytes at a time: the space before the time is the first one followed by '['. As
// accessHead, a fifth space before it refuses the line.
func accessSplit(b []byte) (br int, client, user []byte, ok bool) {
	var sp [4]int
	n := 0
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ (' ' * ones)
		for m := ^((x&^highs + lows7) | x | lows7); m != 0; m &= m - 1 {
			s := i + bits.TrailingZeros64(m)>>3
			if s+1 < len(b) && b[s+1] == '[' {
				return accessSplitAt(b, s, sp, n)
			}
			if n == len(sp) {
				return 0, nil, nil, false
			}
			sp[n] = s
			n++
		}
	}
	for ; i < len(b); i++ {
		if b[i] == ' ' {
			if i+1 < len(b) && b[i+1] == '[' {
				return accessSplitAt(b, i, sp, n)
			}
			if n == len(sp) {
				return 0, nil, nil, false
			}
			sp[n] = i
			n++
		}
	}
	return 0, nil, nil, false
}

// noIdentNoUser is " - - [" in the low six bytes of a little-endian word: what follows the client
// when neither ident nor user is known.
const noIdentNoUser = ' ' | '-'<<8 | ' '<<16 | '-'<<24 | ' '<<32 | '['<<40

// accessSplitAt finishes accessSplit once the space before the time is found at br.
func accessSplitAt(b []byte, br int, sp [4]int, n int) (int, []byte, []byte, bool) {
	if br > 512 {
		return 0, nil, nil, false
	}
	client, user, ok := headWords(b[:br], sp, n)
	return br, client, user, ok
}

// accessClient reports whether client is an address or a host name: isIP || looksLikeHostname.
// A client of 8 to 16 digits and dots, nearly every IPv4 address, passes looksLikeHostname:
// two words of eight bytes tell it, without isIPv4's count of dots and digits.
func accessClient(client []byte) bool {
	if n := len(client); n >= 8 && n <= 16 {
		lo, hi := binary.LittleEndian.Uint64(client), binary.LittleEndian.Uint64(client[n-8:])
		if (digitBytes(lo)|dotBytes(lo))&(digitBytes(hi)|dotBytes(hi)) == highs {
			return true
		}
	}
	return isIP(client) || looksLikeHostname(client)
}

// looksLikeHostname accepts a client logged by name (HostnameLookups On).
func looksLikeHostname(b []byte) bool {
	if len(b) == 0 || len(b) > 255 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// closingQuote finds the '"' that ends a quoted access-log field; Apache and nginx escape quotes
// inside as \" and backslashes as \\. A quote is escaped when an odd run of backslashes precedes
// it, so the search jumps from quote to quote (bytes.IndexByte) instead of stepping through every
// byte of long user agents.
func closingQuote(b []byte) int {
	for off := 0; off < len(b); {
		q := bytes.IndexByte(b[off:], '"')
		if q < 0 {
			return -1
		}
		q += off
		backslashes := 0
		for j := q - 1; j >= 0 && b[j] == '\\'; j-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q
		}
		off = q + 1
	}
	return -1
}

// setRequest splits "METHOD target PROTOCOL"; "-", TLS handshakes sent to a plain port and other
// garbage leave method and URL unset. A missing protocol ("GET /") is accepted. The target is
// decoded through urls. req is a slice of the line, never nil: the values are set by SetSlice.
func setRequest(e *event.Event, req []byte, urls *urlCache) {
	var sp int
	if len(req) > 4 && binary.LittleEndian.Uint32(req) == 'G'|'E'<<8|'T'<<16|' '<<24 {
		sp = 3 // most requests: a method that needs no checking
	} else {
		sp = nextSpace(req, 0) // methods are short: the first word holds the space
		if sp == 0 || sp == len(req) || !isMethod(req[:sp]) {
			return
		}
	}
	e.SetSlice(event.HTTPMethod, req[:sp])
	target := req[sp+1:]
	target = trimProtocol(target)
	e.SetSlice(event.URLRaw, target)
	// A target without '%' is its own decoding: decodeURL's search for an escape would find
	// none, and its call and its search's setup are left out for most requests.
	url := target
	if bytes.IndexByte(target, '%') >= 0 {
		url = urls.decodeURL(e, target)
	}
	e.SetSlice(event.URL, url)
	if q := bytes.IndexByte(url, '?'); q >= 0 {
		url = url[:q]
	}
	e.SetSlice(event.URLPath, url)
}

// trimProtocol drops " HTTP/..." after the request's last space. A target usually ends in
// " HTTP/1.1" or " HTTP/1.0", seen from its last nine bytes; only other endings are searched
// backwards byte by byte.
func trimProtocol(target []byte) []byte {
	if n := len(target); n >= 9 && target[n-9] == ' ' && string(target[n-8:n-3]) == "HTTP/" &&
		target[n-3] != ' ' && target[n-2] != ' ' && target[n-1] != ' ' {
		return target[:n-9]
	}
	if last := bytes.LastIndexByte(target, ' '); last >= 0 && hasPrefix(target[last+1:], "HTTP/") {
		return target[:last]
	}
	return target
}

// isMethod accepts a method token (GET, POST, PROPFIND, M-SEARCH, ...) in any letter case:
// scanners send "get" and "Get", and servers log the method as sent.
func isMethod(b []byte) bool {
	if len(b) > 32 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// clfTime parses "dd/Mon/yyyy:hh:mm:ss -zzzz" and returns the bytes consumed. Lines of one log
// share the date and the offset for hours on end: when both are the bytes of the previous stamp,
// only the clock is read.
func (p *Parser) clfTime(b []byte) (int64, int32, int, bool) {
	if len(b) < 26 {
		return 0, 0, 0, false
	}
	// The first word is loaded before its slashes are tested, and they are tested in it: tested
	// first, they let the compiler build the word from its other six bytes, one load each.
	date0 := binary.LittleEndian.Uint64(b)
	if byte(date0>>16) != '/' || byte(date0>>48) != '/' || b[11] != ':' || b[20] != ' ' {
		return 0, 0, 0, false
	}
	d := &p.clfDay
	zone := binary.LittleEndian.Uint64(b[18:]) &^ 0xffffff // the offset's five bytes, not the seconds
	// Another second of the last stamp's minute: only the seconds' two digits are read.
	if d.ok && b[17] == ':' && zone == d.zone && date0 == d.minute0 &&
		b[8] == d.minute8 && binary.LittleEndian.Uint64(b[9:]) == d.minute1 {
		if s1, s0 := b[18]-'0', b[19]-'0'; s1 <= 6 && s0 <= 9 && s1*10+s0 <= 60 {
			return (d.minuteBase + int64(s1*10+s0)) * nanosPerSecond, d.offset, 26, true
		}
	}
	var c clock
	if !hms(b[12:], &c) || c.hour > 23 || c.min > 59 || c.sec > 60 {
		return 0, 0, 0, false
	}
	seconds := int64(c.hour*3600 + c.min*60 + c.sec)
	date1 := binary.LittleEndian.Uint64(b[3:])
	if d.ok && date0 == d.date0 && date1 == d.date1 && zone == d.zone {
		d.setMinute(b, seconds-int64(c.sec))
		return (d.base + seconds) * nanosPerSecond, d.offset, 26, true
	}
	var ok1, ok2 bool
	c.day, ok1 = digits(b, 2)
	c.month = monthIndex(b[3:])
	c.year, ok2 = digits(b[7:], 4)
	if !ok1 || !ok2 || !c.valid() {
		return 0, 0, 0, false
	}
	sign := b[21]
	h, okh := digits(b[22:], 2)
	m, okm := digits(b[24:], 2)
	if (sign != '+' && sign != '-') || !okh || !okm {
		return 0, 0, 0, false
	}
	off := h*3600 + m*60
	if sign == '-' {
		off = -off
	}
	*d = clfDayCache{ok: true, date0: date0, date1: date1, zone: zone, base: zonedUnix(c, off) - seconds, offset: int32(off)}
	d.setMinute(b, seconds-int64(c.sec))
	return (d.base + seconds) * nanosPerSecond, d.offset, 26, true
}

// setMinute remembers the minute of stamp b, of the cached day, which starts clock seconds
// after its midnight.
func (d *clfDayCache) setMinute(b []byte, clock int64) {
	d.minute0, d.minute8, d.minute1 = binary.LittleEndian.Uint64(b), b[8], binary.LittleEndian.Uint64(b[9:])
	d.minuteBase = d.base + clock
}

// clfDayCache is the date and offset of the last access-log stamp: base is the Unix time of its
// midnight in that offset.
type clfDayCache struct {
	ok           bool
	date0, date1 uint64 // "dd/Mon/yyyy" as two overlapping words (bytes 0-7 and 3-10)
	zone         uint64 // bytes 18-25 with the first three (seconds and space) cleared: "-zzzz"
	base         int64
	offset       int32
	// minute0, minute8 and minute1 are "dd/Mon/yyyy:hh:mm" of the last stamp (bytes 0-7, 8 and
	// 9-16), and minuteBase the Unix time of that minute's start.
	minute0, minute1 uint64
	minute8          byte
	minuteBase       int64
}
