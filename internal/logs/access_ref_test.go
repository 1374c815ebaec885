package logs

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/keikai-project/keikai/internal/event"
)

// trimProtocolReference is the backward search that trimProtocol's look at the last nine bytes
// stands in front of, kept as the oracle of FuzzTrimProtocolSameAsReference.
func trimProtocolReference(target []byte) []byte {
	if last := bytes.LastIndexByte(target, ' '); last >= 0 && hasPrefix(target[last+1:], "HTTP/") {
		return target[:last]
	}
	return target
}

func FuzzTrimProtocolSameAsReference(f *testing.F) {
	for _, s := range []string{"/ HTTP/1.1", "/a b HTTP/1.0", "/ HTTP/1.1 ", "/x HTTP/2", " HTTP/1.1", "HTTP/1.1", "/a HTTP/1 1", "/ HTTP/1.1x", "/ HTTPS/1.1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, target []byte) {
		if got, want := trimProtocol(target), trimProtocolReference(target); !bytes.Equal(got, want) || len(got) != len(want) {
			t.Fatalf("trimProtocol(%q) = %q, reference %q", target, got, want)
		}
	})
}

// firstEscapeReference is the byte-by-byte search for the first valid escape that decodeURL
// did before it jumped from '%' to '%', kept as the oracle of FuzzDecodeURLSameAsReference.
func firstEscapeReference(raw []byte) int {
	for i := 0; i < len(raw); i++ {
		if raw[i] == '%' && escapeLen(raw[i:]) > 0 {
			return i
		}
	}
	return -1
}

// FuzzDecodeURLSameAsReference checks that decodeURL returns the raw slice itself exactly when
// the reference finds no escape, and that the decoded text keeps the raw text before the first
// escape.
func FuzzDecodeURLSameAsReference(f *testing.F) {
	for _, s := range []string{"/", "/a%20b", "/%", "/%%41", "/%zz%41", "/%u9090%u6858", "/x%4", "/%U00e9?q=%2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e event.Event
		e.Reset(raw)
		got := decodeURL(&e, raw)
		first := firstEscapeReference(raw)
		copied := len(raw) > 0 && (len(got) == 0 || &got[0] != &raw[0])
		if (first < 0) == copied {
			t.Fatalf("decodeURL(%q): copied %v, reference's first escape at %d", raw, copied, first)
		}
		if first >= 0 && !bytes.Equal(got[:first], raw[:first]) {
			t.Fatalf("decodeURL(%q) = %q changed the text before the first escape at %d", raw, got, first)
		}
		if want := decodeURLReference(raw); !bytes.Equal(got, want) {
			t.Fatalf("decodeURL(%q) = %q, reference %q", raw, got, want)
		}
	})
}

// accessHeadReference is the word-by-word split that accessHead replaced, kept as the oracle of
// FuzzAccessHeadSameAsReference.
func accessHeadReference(head []byte) (client, user []byte, ok bool) {
	w1, r := token(head)
	w2, r := token(r)
	w3, r := token(r)
	w4, r := token(r)
	if len(r) != 0 || len(w3) == 0 {
		return nil, nil, false
	}
	client, user = w1, w3
	if len(w4) != 0 {
		client, user = w2, w4
	}
	return client, user, true
}

func FuzzAccessHeadSameAsReference(f *testing.F) {
	for _, s := range []string{"198.51.100.161 - -", "www.example.jp:80 198.51.100.7 - alice", "a b c ", "a  b", "a b c d e", "a b", "", "   ", "a b  ", "0123456789abcdef 0123456 x", "a\x00b c d"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		c, u, ok := accessHead(head)
		wc, wu, wok := accessHeadReference(head)
		if ok != wok || ok && (!bytes.Equal(c, wc) || !bytes.Equal(u, wu)) {
			t.Fatalf("accessHead(%q) = %q, %q, %v; reference %q, %q, %v", head, c, u, ok, wc, wu, wok)
		}
	})
}

// decodeURLReference decodes byte by byte, as decodeURL did before it moved plain runs with copy;
// it is the oracle of FuzzDecodeURLSameAsReference.
func decodeURLReference(raw []byte) []byte {
	var out []byte
	for r := 0; r < len(raw); {
		switch n := escapeLen(raw[r:]); n {
		case 3:
			out = append(out, hexVal(raw[r+1])<<4|hexVal(raw[r+2]))
			r += 3
		case 6:
			cp := rune(hexVal(raw[r+2]))<<12 | rune(hexVal(raw[r+3]))<<8 |
				rune(hexVal(raw[r+4]))<<4 | rune(hexVal(raw[r+5]))
			out = utf8.AppendRune(out, cp)
			r += 6
		default:
			out = append(out, raw[r])
			r++
		}
	}
	return out
}

// parseAccessReference is parseAccess as it was before the status's fast path and before the
// size was skipped along with the agent: every word read with token. With setRequestReference
// (the method's end found by bytes.IndexByte) it is the oracle of FuzzParseAccessSameAsReference.
func parseAccessReference(p *Parser, b []byte, e *event.Event) bool {
	br := indexVia(b, " [", 1)
	if br < 0 || br > 512 {
		return false
	}
	client, user, ok := accessHead(b[:br])
	if !ok || !isIP(client) && !looksLikeHostname(client) {
		return false
	}
	rest := b[br+2:]
	ns, off, n, ok := p.clfTime(rest)
	if !ok || !hasPrefix(rest[n:], "] \"") {
		return false
	}
	rest = rest[n+3:]
	reqEnd := closingQuote(rest)
	if reqEnd < 0 {
		return false
	}
	request := rest[:reqEnd]
	rest = rest[reqEnd+1:]
	if !hasPrefix(rest, " ") {
		return false
	}
	status, rest := token(rest[1:])
	if len(status) != 3 || !allDigits(status) {
		if !(len(status) == 1 && status[0] == '-') {
			return false
		}
	}
	_, rest = token(rest)
	e.Format = event.FormatWebAccess
	e.Time = event.Time{UnixNano: ns, Known: true, Zoned: true, Offset: off}
	e.Set(event.SourceIP, client)
	if !isNil(user) {
		e.Set(event.User, user)
	}
	e.Set(event.Status, status)
	setRequestReference(e, request)
	if !p.skipAgent && hasPrefix(rest, "\"") {
		if end := closingQuote(rest[1:]); end >= 0 {
			e.Set(event.Referer, rest[1:1+end])
			rest = rest[2+end:]
			if hasPrefix(rest, " \"") {
				if end := closingQuote(rest[2:]); end >= 0 {
					e.Set(event.UserAgent, rest[2:2+end])
				} else {
					e.Set(event.UserAgent, rest[2:])
				}
			}
		}
	}
	return true
}

func setRequestReference(e *event.Event, req []byte) {
	sp := bytes.IndexByte(req, ' ')
	if sp <= 0 || !isMethod(req[:sp]) {
		return
	}
	e.Set(event.HTTPMethod, req[:sp])
	target := trimProtocol(req[sp+1:])
	e.Set(event.URLRaw, target)
	url := decodeURL(e, target)
	e.Set(event.URL, url)
	if q := bytes.IndexByte(url, '?'); q >= 0 {
		url = url[:q]
	}
	e.Set(event.URLPath, url)
}

func FuzzParseAccessSameAsReference(f *testing.F) {
	for _, s := range []string{`198.51.100.242 - - [01/Aug/2004:07:02:57 -0400] "GET /default.ida?XX%u9090 HTTP/1.0" 404 294 "-" "-"`,
		`www.example.jp:80 198.51.100.1 - frank [10/Oct/2000:13:55:36 +0900] "POST /login HTTP/1.1" 302 - "http://ref/" "agent"`,
		`1.2.3.4 - - [10/Oct/2000:13:55:36 +0900] "-" 400 0 "-" "-"`, `1.2.3.4 - - [10/Oct/2000:13:55:36 +0900] "GET /" - -`,
		`1.2.3.4 - - [10/Oct/2000:13:55:36 +0900] "GET / HTTP/1.1" 2000 1`, `1.2.3.4 - - [10/Oct/2000:13:55:36 +0900] "GET / HTTP/1.1" 200`,
		`1.2.3.4 - - [10/Oct/2000:13:55:36 +0900] "GET / HTTP/1.1" 200 `, `1.2.3.4 - - [10/Oct/2000:13:55:36 +0900] "\x16\x03\x01" 400 1`,
		`1.2.3.4 - - [10/Oct/2000:13:55:36 +0900] " GET /" 200 1`, `1.2.3.4 - - [10/Oct/2000:13:55:36 +0900] "GET" 200 1 "r" "a\"b`} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, line []byte, skipAgent bool) {
		p, q := newTestParser(), newTestParser()
		p.skipAgent, q.skipAgent = skipAgent, skipAgent
		var got, want event.Event
		got.Reset(line)
		want.Reset(line)
		ok, wok := p.parseAccess(line, &got), parseAccessReference(q, line, &want)
		if ok != wok {
			t.Fatalf("parseAccess(%q) = %v, reference %v", line, ok, wok)
		}
		checkSameEvent(t, line, &got, &want)
	})
}
