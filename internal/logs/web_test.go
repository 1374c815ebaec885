package logs

import (
	"bytes"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

func TestWebAccess(t *testing.T) {
	checkCases(t, []fieldCase{
		{"code red", `198.51.100.242 - - [01/Aug/2004:07:02:57 -0400] "GET /default.ida?XXXXXXXXXXXX%u9090%u6858%ucbd3 HTTP/1.0" 404 294 "-" "-"`, event.FormatWebAccess,
			fm{event.SourceIP: "198.51.100.242", event.User: absent, event.HTTPMethod: "GET", event.URLRaw: "/default.ida?XXXXXXXXXXXX%u9090%u6858%ucbd3",
				event.URL: "/default.ida?XXXXXXXXXXXX\u9090\u6858\ucbd3", event.URLPath: "/default.ida", event.Status: "404", event.Referer: "-", event.UserAgent: "-"}},
		{"nimda plus kept", `198.51.100.161 - - [10/Oct/2004:08:25:15 -0400] "GET /scripts/root.exe?/c+dir HTTP/1.0" 404 288 "-" "-"`, event.FormatWebAccess,
			fm{event.URL: "/scripts/root.exe?/c+dir", event.URLPath: "/scripts/root.exe"}},
		{"phf decode", `198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /cgi-bin/phf.cgi?QALIAS=x%0a/bin/cat%20/etc/passwd HTTP/1.0" 404 287 "-" "Mozilla/4.75 (Nikto/1.32 )"`, event.FormatWebAccess,
			fm{event.URL: "/cgi-bin/phf.cgi?QALIAS=x\n/bin/cat /etc/passwd", event.UserAgent: "Mozilla/4.75 (Nikto/1.32 )"}},
		{"common with user", `192.0.2.7 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`, event.FormatWebAccess,
			fm{event.User: "frank", event.Status: "200", event.Referer: absent, event.UserAgent: absent}},
		{"vhost combined", `www.example.jp:80 198.51.100.1 - - [10/Oct/2000:13:55:36 +0900] "POST /login HTTP/1.1" 302 - "http://www.example.jp/" "curl/8.0"`, event.FormatWebAccess,
			fm{event.SourceIP: "198.51.100.1", event.HTTPMethod: "POST", event.Referer: "http://www.example.jp/"}},
		{"ipv6 client", `2001:db8::5 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 10 "-" "x"`, event.FormatWebAccess,
			fm{event.SourceIP: "2001:db8::5", event.URL: "/"}},
		{"dash request", `198.51.100.9 - - [10/Oct/2000:13:55:36 +0000] "-" 408 0 "-" "-"`, event.FormatWebAccess,
			fm{event.HTTPMethod: absent, event.URL: absent, event.Status: "408"}},
		{"tls to plain port", `198.51.100.9 - - [10/Oct/2000:13:55:36 +0000] "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" 400 157 "-" "-"`, event.FormatWebAccess,
			fm{event.HTTPMethod: absent, event.Status: "400"}},
		{"no protocol", `198.51.100.9 - - [10/Oct/2000:13:55:36 +0000] "GET /" 200 5`, event.FormatWebAccess,
			fm{event.HTTPMethod: "GET", event.URLRaw: "/"}},
		{"escaped quote in agent", `198.51.100.9 - - [10/Oct/2000:13:55:36 +0000] "GET /a%zz HTTP/1.1" 200 5 "-" "Mozilla \"evil\" 1.0"`, event.FormatWebAccess,
			fm{event.UserAgent: `Mozilla \"evil\" 1.0`, event.URL: "/a%zz"}},
		{"crlf and truncated agent", "198.51.100.9 - - [10/Oct/2000:13:55:36 +0000] \"GET /x HTTP/1.1\" 200 5 \"-\" \"Mozil\r", event.FormatWebAccess,
			fm{event.UserAgent: "Mozil"}},
		{"bad date", `198.51.100.9 - - [10/Foo/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5`, event.FormatUnknown, nil},
		{"bad status", `198.51.100.9 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" abc 5`, event.FormatUnknown, nil},
		{"too many words", `a b c d e [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5`, event.FormatUnknown, nil},
		{"plain text", `hello world`, event.FormatUnknown, nil},
	})
}

func TestWebError(t *testing.T) {
	checkCases(t, []fieldCase{
		{"mod_ssl handshake", "[Sat Sep 14 10:00:00 2002] [error] mod_ssl: SSL handshake failed (server www.example.jp:443, client 198.51.100.7) (OpenSSL library error follows)", event.FormatWebError,
			fm{event.Severity: "error", event.SourceIP: "198.51.100.7", event.Message: "mod_ssl: SSL handshake failed (server www.example.jp:443, client 198.51.100.7) (OpenSSL library error follows)"}},
		{"openssl", "[Sat Sep 14 10:00:00 2002] [error] OpenSSL: error:1406908F:SSL routines:GET_CLIENT_FINISHED:connection id is different", event.FormatWebError,
			fm{event.Severity: "error", event.SourceIP: absent, event.Message: "OpenSSL: error:1406908F:SSL routines:GET_CLIENT_FINISHED:connection id is different"}},
		{"apache 2.2 client", "[Sat Sep 14 10:00:00 2002] [error] [client 198.51.100.1] File does not exist: /var/www/html/scripts", event.FormatWebError,
			fm{event.SourceIP: "198.51.100.1", event.Message: "File does not exist: /var/www/html/scripts"}},
		{"apache 2.4", "[Sat Sep 14 10:00:00.123456 2002] [ssl:error] [pid 123:tid 456] [client 198.51.100.1:5678] AH02039: Certificate Verification: Error (20)", event.FormatWebError,
			fm{event.Severity: "error", event.PID: "123", event.SourceIP: "198.51.100.1", event.Message: "AH02039: Certificate Verification: Error (20)"}},
		{"apache 2.4 ipv6 bracketed", "[Sat Sep 14 10:00:00.123456 2002] [core:info] [pid 1] [client [2001:db8::1]:5678] AH00128: x", event.FormatWebError,
			fm{event.SourceIP: "2001:db8::1", event.Severity: "info"}},
		{"nginx", `2024/01/02 03:04:05 [error] 1234#0: *5 open() "/x" failed (2: No such file or directory), client: 198.51.100.2, server: example.jp, request: "GET /x HTTP/1.1"`, event.FormatWebError,
			fm{event.Severity: "error", event.PID: "1234", event.SourceIP: "198.51.100.2", event.Message: `open() "/x" failed (2: No such file or directory), client: 198.51.100.2, server: example.jp, request: "GET /x HTTP/1.1"`}},
		{"bad level", "[Sat Sep 14 10:00:00 2002] [whatever] x", event.FormatUnknown, nil},
		{"bad stamp", "[Sat Sep 14 10:00 2002] [error] x", event.FormatUnknown, nil},
		{"nginx bad level", "2024/01/02 03:04:05 [oops] 1#0: x", event.FormatUnknown, nil},
	})
}

func TestDecodeURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/plain", "/plain"},
		{"/a%20b", "/a b"},
		{"/%u9090", "\u9090"[0:0] + "/\u9090"},
		{"/%U0041", "/A"},
		{"/%zz%2", "/%zz%2"},
		{"/%u90", "/%u90"},
		{"/%2541", "/%41"}, // decoded once only
		{"/%ud800", "/\ufffd"},
		{"/%00x", "/\x00x"},
		{"a+b", "a+b"},
	}
	var e event.Event
	for _, tc := range cases {
		e.Reset(nil)
		raw := []byte(tc.in)
		got := decodeURL(&e, raw)
		if string(got) != tc.want {
			t.Errorf("decodeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.in == tc.want && &got[0] != &raw[0] {
			t.Errorf("decodeURL(%q) copied although nothing decoded", tc.in)
		}
	}
}

// TestSkipUnread: a parser told that nobody reads Referer and UserAgent leaves them out and
// parses everything else of an access line as before.
func TestSkipUnread(t *testing.T) {
	line := []byte(`198.51.100.161 - bob [10/Oct/2004:08:25:15 -0400] "GET /scripts/root.exe?/c+dir HTTP/1.0" 404 288 "http://ref/" "Mozilla/4.0"`)
	var full, lean event.Event
	newTestParser().Parse(line, &full)
	var read [event.NumFields]bool
	for f := range read {
		read[f] = true
	}
	read[event.Referer], read[event.UserAgent] = false, false
	p := newTestParser()
	p.SkipUnread(&read)
	p.Parse(line, &lean)
	if lean.Has(event.Referer) || lean.Has(event.UserAgent) || !full.Has(event.UserAgent) {
		t.Fatalf("referer %q agent %q (full parse: agent %q)", lean.Get(event.Referer), lean.Get(event.UserAgent), full.Get(event.UserAgent))
	}
	if lean.Format != full.Format || lean.Time != full.Time {
		t.Errorf("format or time changed: %v %+v, want %v %+v", lean.Format, lean.Time, full.Format, full.Time)
	}
	for f := event.Field(1); f < event.NumFields; f++ {
		if f != event.Referer && f != event.UserAgent && !bytes.Equal(lean.Get(f), full.Get(f)) {
			t.Errorf("%v = %q, want %q", f, lean.Get(f), full.Get(f))
		}
	}
}
