package logs

import (
	"bytes"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// checkSameEvent fails when two parses of line differ in format, framing, time or any field.
func checkSameEvent(t *testing.T, line []byte, got, want *event.Event) {
	t.Helper()
	if got.Time != want.Time || render(got) != render(want) {
		t.Fatalf("%q:\ngot  %s %+v\nwant %s %+v", line, render(got), got.Time, render(want), want.Time)
	}
}

// parseBSDReference is Parse's BSD case before parseBSD: the pf parser tried on every line, then
// syslog, the year inferred anew for each line. It is the oracle of FuzzParseBSDSameAsReference.
func parseBSDReference(p *Parser, line []byte, e *event.Event) {
	e.Reset(line)
	b := trimCR(line)
	c, n, ok := bsdStamp(b)
	if !ok {
		return
	}
	if !p.parsePFDump(b, c, n, e) {
		p.parseSyslog3164(b, c, n, e)
	}
}

// FuzzParseBSDSameAsReference checks that Parse takes lines with a BSD stamp as the reference
// does, both for a stamp it meets first and for the same stamp again (held in p.bsd).
func FuzzParseBSDSameAsReference(f *testing.F) {
	for _, s := range []string{
		"Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384",
		"Oct 11 10:00:00 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384",
		"Oct 11 10:00:00 rule x", "Oct 11 10:00:00.5 rule x", "Oct 11 10:00:00.5 IP x", "Oct 11 10:00:00.5 h p: m",
		"Dec 31 23:59:59 h sshd[1]: Failed password for root from 198.51.100.7 port 1 ssh2",
		"Feb 29 00:00:00 h p: x\r", "Jan  1 00:00:00 h", "Jan  1 00:00:00", "Jan  1 00:00:00.", "Jan 1 00:00:00 h pf: rule 1/0(match): pass out on em0: 1.2.3.4.5 > 6.7.8.9.10: udp 5",
	} {
		f.Add([]byte(s))
	}
	p, q := newTestParser(), newTestParser()
	f.Fuzz(func(t *testing.T, line []byte) {
		b := trimCR(line)
		if len(b) < 4 || monthIndex(b) == 0 || b[3] != ' ' {
			return // another case of Parse
		}
		var got, want event.Event
		for range 2 {
			p.Parse(line, &got)
			parseBSDReference(q, line, &want)
			checkSameEvent(t, line, &got, &want)
		}
	})
}

// dispatchReference is dispatch and parseAuth before the program was classified once: each
// parser's names compared in turn, and the phrases any program may log tried on every message.
// It is the oracle of FuzzDispatchSameAsReference.
func dispatchReference(p *Parser, prog, msg []byte, e *event.Event) {
	if len(msg) == 0 {
		return
	}
	if bytes.IndexByte(head(msg, 96), '%') >= 0 {
		if j := indexRare(head(msg, 96), "%SEC-6-IPACCESSLOG"); j >= 0 && parseCiscoACL(msg[j:], e) {
			return
		}
		if j := ciscoASAMarkerReference(head(msg, 96)); j >= 0 && parseCiscoASA(msg[j:], e, p.skipASA) {
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
	case string(base) == "sendmail" || hasPrefix(base, "sm-"):
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
	parseAuthReference(p, base, msg, e)
}

func parseAuthReference(p *Parser, prog, msg []byte, e *event.Event) bool {
	switch {
	case hasPrefix(prog, "sshd"):
		if p.authSSH(msg, e) {
			return true
		}
	case bytes.Contains(prog, []byte("ftp")):
		if authFTP(msg, e) {
			return true
		}
	case hasPrefix(prog, "login") || bytes.Contains(prog, []byte("telnet")):
		if authLogin(msg, e) {
			return true
		}
	case string(prog) == "su" || string(prog) == "/bin/su" || string(prog) == "/usr/bin/su":
		if authSu(msg, e) {
			return true
		}
	case string(prog) == "xinetd":
		if authXinetd(msg, e) {
			return true
		}
	}
	if authPAM(msg, e) {
		if hasPrefix(prog, "sshd") {
			p.attempts.pamFailure(e)
		}
		return true
	}
	return authTCPWrappers(msg, e)
}

// FuzzDispatchSameAsReference feeds a program name and a message (split at the first newline of
// the input) to dispatch and to its reference, and to parseAuth directly with the whole name.
func FuzzDispatchSameAsReference(f *testing.F) {
	for _, s := range []string{"sshd\nFailed password for root from 198.51.100.7 port 1 ssh2", "kernel\nIN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2",
		"\nipfw: 100 Deny TCP 1.2.3.4:5 6.7.8.9:10 in via em0", "postfix/smtpd\nNOQUEUE: reject: RCPT from unknown[198.51.100.3]: 554 5.7.1 x",
		"sm-mta\nj0: [198.51.100.1] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA", "/usr/sbin/pflogd\nrule 1/0(match): block in on em0: 1.2.3.4.5 > 6.7.8.9.10: udp 5",
		"in.ftpd\nFTP LOGIN FAILED FROM 198.51.100.4, root", "in.telnetd\nFAILED LOGIN 1 FROM 1.2.3.4 FOR root, x", "login\nROOT LOGIN ON tty1", "su\nBAD SU a to root on x",
		"/bin/su\nFAILED su for root by a", "xinetd\nSTART: ftp pid=1 from=1.2.3.4", "named\nrefused connect from 1.2.3.4", "portmap\nconnect from a@1.2.3.4",
		"cron\npam_unix(cron:auth): authentication failure; rhost=1.2.3.4 user=x", "sshd(pam_unix)\nauthentication failure; rhost=h.example user=x",
		"ulogd2\nIN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDP", "ftp/x\n[a] FAIL LOGIN: Client \"1.2.3.4\"", "telnetftp\nx", "sshdftp\nFailed none for x from 1.2.3.4",
		"gate\n301270: 5d17h: %SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.4(1929) -> 192.0.2.8(80), 1 packet"} {
		f.Add([]byte(s))
	}
	p, q := newTestParser(), newTestParser()
	f.Fuzz(func(t *testing.T, in []byte) {
		prog, msg, _ := bytes.Cut(in, []byte("\n"))
		var got, want event.Event
		got.Reset(in)
		want.Reset(in)
		p.dispatch(prog, msg, &got)
		dispatchReference(q, prog, msg, &want)
		checkSameEvent(t, in, &got, &want)
		got.Reset(in)
		want.Reset(in)
		ok, wok := p.parseAuth(prog, msg, &got), parseAuthReference(q, prog, msg, &want)
		if ok != wok {
			t.Fatalf("parseAuth(%q, %q) = %v, reference %v", prog, msg, ok, wok)
		}
		checkSameEvent(t, in, &got, &want)
	})
}

// syslogTagReference is syslogTag before it looked for the pid's '[' with its own loop.
func syslogTagReference(b []byte) (prog, pid, msg []byte, ok bool) {
	word, rest, _ := bytes.Cut(b, []byte(" "))
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

// FuzzSyslogTagSameAsReference holds syslogTag, and token under it, to the forms with
// bytes.Cut and bytes.LastIndexByte.
func FuzzSyslogTagSameAsReference(f *testing.F) {
	for _, s := range []string{"sshd[123]: x", "postfix/smtpd[1]: a b", "CRON[27443]: (root)", "sshd(pam_unix)[23562]: a", "kernel: x", "prog[pid] msg",
		"[1]: x", "a[]:", "]:", "[]", "a[b[c]: d", ": x", "", " ", "x", "verylongprogramname[12345678]:"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		word, rest := token(b)
		wword, wrest, found := bytes.Cut(b, []byte(" "))
		if !found {
			wrest = b[len(b):] // as token always did: empty, and nil only when b is
		}
		if string(word) != string(wword) || string(rest) != string(wrest) || (rest == nil) != (wrest == nil) {
			t.Fatalf("token(%q) = %q, %q, want %q, %q", b, word, rest, wword, wrest)
		}
		prog, pid, msg, ok := syslogTag(b)
		wprog, wpid, wmsg, wok := syslogTagReference(b)
		if ok != wok || string(prog) != string(wprog) || string(pid) != string(wpid) || string(msg) != string(wmsg) ||
			(pid == nil) != (wpid == nil) {
			t.Fatalf("syslogTag(%q) = %q, %q, %q, %v, want %q, %q, %q, %v", b, prog, pid, msg, ok, wprog, wpid, wmsg, wok)
		}
	})
}

// FuzzBSDSameDaySameAsReference parses a line, then a second line made of the first one's
// first bsdDayLen bytes and the rest of the input, so that the second often takes the path of
// another second of the same day (bsdStampCache.sameDay); each is held to the reference.
func FuzzBSDSameDaySameAsReference(f *testing.F) {
	for _, s := range [][2]string{
		{"Sep 10 00:00:00 h CRON[1]: x", "00:00:01 h CRON[1]: y"},
		{"Sep  1 23:59:59 h sshd[2]: Failed password for root from 198.51.100.7 port 1 ssh2", "23:59:60 h a: b"},
		{"Feb 29 12:00:00 h p: x", "24:00:00 h p: x"}, {"Sep 1 00:00:00 h p: x", "0:00:01 h p: y"},
		{"Dec 31 23:59:59.5 h p: x", "00:00:00.25 h p: y"}, {"Jan 10 10:10:10 rule 1/0(match): x", "10:10:11 rule 1/0(match): block in on em0: 1.2.3.4.5 > 6.7.8.9.10: udp 5"},
		{"Sep 10 00:00:00", "00:00:0"}, {"Sep 10 00:00:00 h p: x", "99:99:99 h p: x"},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	p, q := newTestParser(), newTestParser()
	f.Fuzz(func(t *testing.T, first, rest []byte) {
		second := append(bytes.Clone(head(first, bsdDayLen)), rest...)
		for _, line := range [][]byte{first, second, second} {
			b := trimCR(line)
			if len(b) < 4 || monthIndex(b) == 0 || b[3] != ' ' {
				continue // another case of Parse
			}
			var got, want event.Event
			p.Parse(line, &got)
			parseBSDReference(q, line, &want)
			checkSameEvent(t, line, &got, &want)
		}
	})
}

// syslogBodyReference is syslogBody before it told a Cisco mnemonic by its first byte: the tag
// split first, then turned down when its program starts with '%'. It is the oracle of
// FuzzSyslogBodySameAsReference.
func syslogBodyReference(p *Parser, b []byte, e *event.Event) {
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
	prog, pid, msg, ok := syslogTag(rest)
	if ok && prog[0] == '%' {
		prog, pid, msg, ok = nil, nil, nil, false
	}
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

// FuzzSyslogBodySameAsReference holds syslogBody, what follows the time of every syslog line,
// to its reference.
func FuzzSyslogBodySameAsReference(f *testing.F) {
	for _, s := range []string{
		"asa %ASA-4-106023: Deny tcp src outside:198.51.100.4/1 dst inside:192.0.2.8/23 by access-group \"x\" [0x0, 0x0]",
		"gw %SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.4(1929) -> 192.0.2.8(80), 1 packet", "h %", "h %x[1]: y", "h %:",
		"h sshd[1]: Failed password for root from 198.51.100.7 port 1 ssh2", "h p: [ID 123456 auth.info] x", "%ASA-1-1: x",
		"<4.6> h p: x", "<auth.info> h %ASA-1-1: x", "  h p[1] x", "h: p: x", "::1: p: x", "h", "", " ", "h ", "h  p: x",
	} {
		f.Add([]byte(s))
	}
	p, q := newTestParser(), newTestParser()
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, want event.Event
		got.Reset(b)
		want.Reset(b)
		p.syslogBody(b, &got)
		syslogBodyReference(q, b, &want)
		checkSameEvent(t, b, &got, &want)
	})
}
