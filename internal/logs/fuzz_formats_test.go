package logs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

// The targets below feed one format's parser directly, so that the fuzzer explores its insides
// rather than spending its budget getting past the syslog header. Each keeps the invariants of
// FuzzParse: no panic, the input untouched, verbatim fields found in the line.

func fuzzFormat(f *testing.F, seeds []string, parse func(p *Parser, msg []byte, e *event.Event)) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// The golden lines give every target realistic material, whatever their format.
	if in, err := os.ReadFile(filepath.Join("testdata", "lines.txt")); err == nil {
		for _, line := range bytes.Split(in, []byte("\n")) {
			f.Add(line)
		}
	}
	p := NewParser(time.UTC)
	p.SetReference(testRef)
	f.Fuzz(func(t *testing.T, msg []byte) {
		orig := bytes.Clone(msg)
		var e event.Event
		e.Reset(msg)
		parse(p, msg, &e)
		if !bytes.Equal(msg, orig) {
			t.Fatalf("input modified: %q", orig)
		}
		eachField(&e, func(fld event.Field, v []byte) {
			if fld.IsVerbatim() && !derivedICMP(&e, fld) && !bytes.Contains(orig, v) {
				t.Errorf("verbatim field %v = %q not in the input %q", fld, v, orig)
			}
		})
	})
}

func FuzzIptables(f *testing.F) {
	fuzzFormat(f, []string{
		"[UFW BLOCK] IN=eth0 OUT= MAC=00:0c SRC=198.51.100.38 DST=192.0.2.83 LEN=64 PROTO=TCP SPT=1629 DPT=139 SYN URGP=0",
		"IN=eth0 OUT= SRC=198.51.100.9 DST=192.0.2.1 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.1 DST=198.51.100.9 PROTO=UDP SPT=53 DPT=1 ]",
	}, func(_ *Parser, msg []byte, e *event.Event) { parseIptables(msg, e) })
}

func FuzzIpchains(f *testing.F) {
	fuzzFormat(f, []string{"input DENY eth0 PROTO=6 198.51.100.4:3894 192.0.2.8:10008 L=60 S=0x00 I=38924 F=0x4000 T=51 SYN (#11)"},
		func(_ *Parser, msg []byte, e *event.Event) { parseIpchains(msg, e) })
}

func FuzzIpfw(f *testing.F) {
	fuzzFormat(f, []string{"ipfw: 2700 Deny TCP 10.9.8.7:1103 192.0.2.78:135 in via tun0", "ipfw: 100 Accept ICMP:8.0 1.2.3.4 5.6.7.8 out via xl0"},
		func(_ *Parser, msg []byte, e *event.Event) { parseIpfw(msg, e) })
}

func FuzzCiscoACL(f *testing.F) {
	fuzzFormat(f, []string{
		"%SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.4(1929) -> 192.0.2.8(80), 1 packet",
		"%SEC-6-IPACCESSLOGDP: list 101 denied icmp 198.51.100.4 -> 192.0.2.8 (8/0), 1 packet",
	}, func(_ *Parser, msg []byte, e *event.Event) { parseCiscoACL(msg, e) })
}

func FuzzPF(f *testing.F) {
	fuzzFormat(f, []string{"rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384",
		"rule 0/0(match): block in on em0: 198.51.100.5 > 192.0.2.1: icmp: echo request"},
		func(p *Parser, msg []byte, e *event.Event) { p.parsePFMessage(msg, e) })
}

func FuzzSendmail(f *testing.F) {
	fuzzFormat(f, []string{"j0UD1OP0026701: ruleset=check_rcpt, arg1=<x@example.com>, relay=[198.51.100.93], reject=550 5.7.1 <x@example.com>... Relaying denied"},
		func(_ *Parser, msg []byte, e *event.Event) { parseSendmail(msg, e) })
}

func FuzzPostfix(f *testing.F) {
	fuzzFormat(f, []string{"NOQUEUE: reject: RCPT from unknown[198.51.100.3]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@example.org> to=<x@example.net> proto=SMTP helo=<example>"},
		func(_ *Parser, msg []byte, e *event.Event) { parsePostfix(msg, e) })
}

func FuzzAuth(f *testing.F) {
	fuzzFormat(f, []string{"Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2",
		"authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=198.51.100.4  user=root"},
		func(p *Parser, msg []byte, e *event.Event) { p.parseAuth([]byte("sshd"), msg, e) })
}

func FuzzFTP(f *testing.F) {
	fuzzFormat(f, []string{"ftp.example.jp (host4.example.net[198.51.100.4]) - USER admin (Login failed): Incorrect password.",
		`[admin] FAIL LOGIN: Client "::ffff:198.51.100.4"`,
		"(?@198.51.100.4) [WARNING] Authentication failed for user [admin]",
		"failed login from host4.example.net [198.51.100.4]"},
		func(_ *Parser, msg []byte, e *event.Event) { authFTP(msg, e) })
}

func FuzzCiscoASA(f *testing.F) {
	fuzzFormat(f, []string{`%ASA-4-106023: Deny tcp src outside:198.51.100.44/3345 dst inside:192.0.2.10/23 by access-group "outside_in" [0x0, 0x0]`,
		"%PIX-2-106001: Inbound TCP connection denied from 198.51.100.44/3346 to 192.0.2.10/22 flags SYN  on interface outside",
		"%ASA-6-106100: access-list outside_in denied tcp outside/198.51.100.44(3347) -> inside/192.0.2.10(80) hit-cnt 1 first hit",
		"%ASA-4-106023: Deny icmp src outside:2001:db8::1 dst inside:2001:db8::2 (type 128, code 0) by access-group \"a\""},
		func(_ *Parser, msg []byte, e *event.Event) {
			if i := ciscoASAMarkerReference(msg); i >= 0 {
				parseCiscoASA(msg[i:], e, 0)
			}
		})
}

// FuzzSyslogVariants covers the headers of the wild: FreeBSD -v, Solaris message IDs, journalctl's
// short-precise and short-iso, ProFTPD's SystemLog and vsftpd's own log.
func FuzzSyslogVariants(f *testing.F) {
	fuzzFormat(f, []string{"Mar 13 12:34:56 <auth.info> fbsd sshd[99]: Invalid user test from 198.51.100.9",
		"Oct  2 03:11:45 sun1 sshd[331]: [ID 800047 auth.info] Failed password for root from 198.51.100.7 port 3342 ssh2",
		"Dec 01 11:20:01.000123 web1 sshd[4242]: Invalid user admin from 198.51.100.7 port 53224",
		"2024-12-01T11:20:01+0900 web1 sshd[4242]: Invalid user admin from 198.51.100.7 port 53224",
		"2017-01-10 10:00:02,417 ftp proftpd[12345] ftp.example.jp (198.51.100.4[198.51.100.4]): USER admin (Login failed): Incorrect password",
		`Sat Mar 10 10:01:02 2007 [pid 1234] [admin] FAIL LOGIN: Client "::ffff:198.51.100.4"`},
		func(p *Parser, msg []byte, e *event.Event) { p.Parse(msg, e) })
}

func FuzzAccess(f *testing.F) {
	fuzzFormat(f, []string{`198.51.100.242 - - [01/Aug/2004:07:02:57 -0400] "GET /default.ida?XX%u9090 HTTP/1.0" 404 294 "-" "-"`},
		func(p *Parser, msg []byte, e *event.Event) { p.parseAccess(msg, e) })
}

func FuzzWebError(f *testing.F) {
	fuzzFormat(f, []string{"[Sat Sep 14 10:00:00 2002] [error] mod_ssl: SSL handshake failed (server www.example.jp:443, client 198.51.100.7) (OpenSSL library error follows)",
		`2024/01/02 03:04:05 [error] 1234#0: *5 open() "/x" failed (2: No such file or directory), client: 1.2.3.4, server: x`},
		func(p *Parser, msg []byte, e *event.Event) {
			if !p.parseApacheError(msg, e) {
				e.Reset(msg)
				p.parseNginxError(msg, e)
			}
		})
}

func FuzzSyslog5424(f *testing.F) {
	fuzzFormat(f, []string{`<34>1 2003-10-11T22:14:15.003Z host app 1234 ID47 [x@1 a="\]"] message`},
		func(p *Parser, msg []byte, e *event.Event) { p.parse5424(msg, e) })
}
