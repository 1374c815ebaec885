package logs

import (
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// Lines in the formats the daemons write, as found in real logs (addresses and names replaced
// by documentation ones).
func TestWildVariants(t *testing.T) {
	checkCases(t, []fieldCase{
		// sshd
		{"sshd keyboard-interactive", "Dec 10 06:55:46 LabSZ sshd[24200]: Failed keyboard-interactive/pam for invalid user admin from 198.51.100.7 port 53224 ssh2", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.7", event.User: "admin", event.SourcePort: "53224", event.SameAttempt: absent}},
		{"sshd PAM error", "Mar  3 01:02:03 bsd1 sshd[812]: error: PAM: Authentication failure for root from 198.51.100.7", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.7", event.User: "root"}},
		{"sshd PAM error by name", "Mar  3 01:02:04 bsd1 sshd[813]: error: PAM: authentication error for illegal user test from host7.example.net", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "host7.example.net", event.User: "test"}},
		{"sshd failed from host name", "Mar  3 01:02:05 rh9 sshd[814]: Failed password for root from dsl-7.example.net port 4221 ssh2", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "dsl-7.example.net", event.User: "root", event.SourcePort: "4221"}},
		{"pam_unix rhost name", "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=n219076184117.example.net  user=root", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "n219076184117.example.net", event.User: "root", event.Program: "sshd(pam_unix)", event.PID: "19939"}},
		{"pam_unix empty rhost", "Jun 14 15:16:02 combo sshd(pam_unix)[19940]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=", event.FormatAuth,
			map[event.Field]string{event.SourceIP: absent}},
		{"not a host name", "Mar  3 01:02:06 rh9 sshd[815]: Failed password for root from 1234 port 4221 ssh2", event.FormatSyslog,
			map[event.Field]string{event.SourceIP: absent}},
		// syslog framings
		{"FreeBSD -vv", "Mar 13 12:34:56 <auth.info> fbsd sshd[99]: Invalid user test from 198.51.100.9", event.FormatAuth,
			map[event.Field]string{event.Host: "fbsd", event.Program: "sshd", event.Severity: "info", event.SourceIP: "198.51.100.9"}},
		{"FreeBSD -v numeric", "Mar 13 12:34:56 <4.6> fbsd sshd[99]: Invalid user test from 198.51.100.9", event.FormatAuth,
			map[event.Field]string{event.Host: "fbsd", event.Severity: absent}},
		{"Solaris message ID", "Oct  2 03:11:45 sun1 sshd[331]: [ID 800047 auth.info] Failed password for root from 198.51.100.7 port 3342 ssh2", event.FormatAuth,
			map[event.Field]string{event.Message: "Failed password for root from 198.51.100.7 port 3342 ssh2", event.Severity: "info", event.User: "root"}},
		{"Solaris lookalike", "Oct  2 03:11:45 sun1 app[331]: [ID x] text", event.FormatSyslog,
			map[event.Field]string{event.Message: "[ID x] text"}},
		{"BSD BAD SU", "Mar  1 10:00:00 fbsd su: BAD SU alice to root on /dev/ttyp0", event.FormatAuth,
			map[event.Field]string{event.User: "root"}},
		{"journalctl short-precise", "Dec 01 11:20:01.000123 web1 sshd[4242]: Invalid user admin from 198.51.100.7 port 53224", event.FormatAuth,
			map[event.Field]string{event.Host: "web1", event.SourceIP: "198.51.100.7"}},
		{"journalctl short-iso", "2024-12-01T11:20:01+0900 web1 sshd[4242]: Invalid user admin from 198.51.100.7 port 53224", event.FormatAuth,
			map[event.Field]string{event.Host: "web1", event.SourceIP: "198.51.100.7"}},
		// FTP
		{"wu-ftpd failed login", "Jun 14 15:16:09 combo ftpd[20011]: failed login from host4.example.net [198.51.100.4]", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4"}},
		{"wu-ftpd repeated", "Jun 14 15:16:10 combo ftpd[20011]: repeated login failures from host4.example.net [198.51.100.4]", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4"}},
		{"proftpd syslog", "Jan 10 10:00:00 ftp proftpd[12345]: ftp.example.jp (host4.example.net[198.51.100.4]) - USER admin (Login failed): Incorrect password.", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4", event.User: "admin"}},
		{"proftpd no such user", "Jan 10 10:00:01 ftp proftpd[12345]: ftp.example.jp (198.51.100.4[198.51.100.4]) - USER bob: no such user found from 198.51.100.4 [198.51.100.4] to 192.0.2.1:21", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4", event.User: "bob"}},
		{"proftpd SystemLog", "2017-01-10 10:00:02,417 ftp proftpd[12345] ftp.example.jp (198.51.100.4[198.51.100.4]): USER admin (Login failed): Incorrect password", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4", event.User: "admin", event.Program: "proftpd", event.Host: "ftp"}},
		{"proftpd old SystemLog", "Jan 10 10:00:03 ftp proftpd[12345] ftp.example.jp (198.51.100.4[198.51.100.4]): USER admin (Login failed): Incorrect password.", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4", event.User: "admin"}},
		{"vsftpd syslog", "Mar 10 10:01:02 ftp vsftpd[1234]: [admin] FAIL LOGIN: Client \"198.51.100.4\"", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4", event.User: "admin"}},
		{"vsftpd own log", "Sat Mar 10 10:01:02 2007 [pid 1234] [admin] FAIL LOGIN: Client \"::ffff:198.51.100.4\"", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4", event.User: "admin", event.PID: "1234"}},
		{"vsftpd own log other", "Sat Mar 10 10:01:01 2007 [pid 1233] CONNECT: Client \"198.51.100.4\"", event.FormatSyslog,
			map[event.Field]string{event.PID: "1233", event.SourceIP: absent}},
		{"pure-ftpd", "Mar 10 10:01:03 ftp pure-ftpd: (?@198.51.100.4) [WARNING] Authentication failed for user [admin]", event.FormatAuth,
			map[event.Field]string{event.SourceIP: "198.51.100.4", event.User: "admin"}},
		{"pure-ftpd info", "Mar 10 10:01:03 ftp pure-ftpd: (?@198.51.100.4) [INFO] New connection from 198.51.100.4", event.FormatSyslog,
			map[event.Field]string{event.SourceIP: absent}},
		// mail
		{"postfix SASL", "Mar 10 10:02:00 mx postfix/smtpd[2211]: warning: unknown[198.51.100.3]: SASL LOGIN authentication failed: UGFzc3dvcmQ6", event.FormatPostfix,
			map[event.Field]string{event.SourceIP: "198.51.100.3", event.Relay: "unknown[198.51.100.3]", event.Status: absent}},
		{"sendmail VRFY", "Mar 10 10:02:01 mx sendmail[2212]: n2AA21x02212: host7.example.net [198.51.100.7]: VRFY root [rejected]", event.FormatSendmail,
			map[event.Field]string{event.SourceIP: "198.51.100.7", event.Relay: "host7.example.net [198.51.100.7]"}},
		{"sendmail SMTP attack", "Mar 10 10:02:02 mx sm-mta[2213]: n2AA22x02213: [198.51.100.8]: possible SMTP attack: command=AUTH, count=6", event.FormatSendmail,
			map[event.Field]string{event.SourceIP: "198.51.100.8"}},
		{"sendmail accepting", "Mar 10 10:02:03 mx sm-acceptingconnections[2214]: n2AA23x02214: [198.51.100.9]: EXPN root [rejected]", event.FormatSendmail,
			map[event.Field]string{event.SourceIP: "198.51.100.9", event.Program: "sm-acceptingconnections"}},
		// Cisco ASA / PIX
		{"ASA 106023", "Jun 12 03:15:02 fw %ASA-4-106023: Deny tcp src outside:198.51.100.44/3345 dst inside:192.0.2.10/23 by access-group \"outside_in\" [0x0, 0x0]", event.FormatCiscoACL,
			map[event.Field]string{event.Action: "deny", event.Protocol: "tcp", event.SourceIP: "198.51.100.44", event.SourcePort: "3345", event.DestinationIP: "192.0.2.10", event.DestinationPort: "23", event.Interface: "outside"}},
		{"PIX 106001", "Jun 12 03:15:03 pix %PIX-2-106001: Inbound TCP connection denied from 198.51.100.44/3346 to 192.0.2.10/22 flags SYN  on interface outside", event.FormatCiscoACL,
			map[event.Field]string{event.Action: "denied", event.Protocol: "tcp", event.Direction: "in", event.DestinationPort: "22", event.TCPFlags: "SYN", event.Interface: "outside"}},
		{"PIX 106006", "Jun 12 03:15:04 pix %PIX-2-106006: Deny inbound UDP from 198.51.100.44/1029 to 192.0.2.10/137 on interface outside", event.FormatCiscoACL,
			map[event.Field]string{event.Protocol: "udp", event.DestinationPort: "137", event.Direction: "in"}},
		{"ASA icmp", "Jun 12 03:15:05 fw %ASA-4-106023: Deny icmp src outside:198.51.100.44 dst inside:192.0.2.10 (type 8, code 0) by access-group \"outside_in\" [0x0, 0x0]", event.FormatCiscoACL,
			map[event.Field]string{event.Protocol: "icmp", event.ICMPType: "8", event.ICMPCode: "0", event.SourcePort: absent}},
		{"ASA 106100", "Jun 12 03:15:06 fw %ASA-6-106100: access-list outside_in denied tcp outside/198.51.100.44(3347) -> inside/192.0.2.10(80) hit-cnt 1 first hit [0x0, 0x0]", event.FormatCiscoACL,
			map[event.Field]string{event.Action: "denied", event.SourcePort: "3347", event.DestinationPort: "80", event.Interface: "outside"}},
		{"ASA 710003", "Jun 12 03:15:07 fw %ASA-3-710003: TCP access denied by ACL from 198.51.100.44/3348 to outside:192.0.2.10/22", event.FormatCiscoACL,
			map[event.Field]string{event.Action: "denied", event.DestinationIP: "192.0.2.10", event.DestinationPort: "22"}},
		{"ASA permitted", "Jun 12 03:15:08 fw %ASA-6-106100: access-list inside_out permitted udp inside/192.0.2.10(53) -> outside/198.51.100.1(53) hit-cnt 1 first hit", event.FormatCiscoACL,
			map[event.Field]string{event.Action: "permitted"}},
		{"ASA other message", "Jun 12 03:15:09 fw %ASA-6-302013: Built inbound TCP connection 1 for outside:198.51.100.44/3349 (198.51.100.44/3349) to inside:192.0.2.10/80", event.FormatSyslog,
			map[event.Field]string{event.SourceIP: absent}},
		// web
		{"lower-case method", "198.51.100.5 - - [01/Aug/2004:07:02:57 -0400] \"get /scripts/..%255c../winnt/system32/cmd.exe?/c+dir HTTP/1.0\" 404 294", event.FormatWebAccess,
			map[event.Field]string{event.HTTPMethod: "get", event.URLPath: "/scripts/..%5c../winnt/system32/cmd.exe"}},
		{"apache 2 ssl handshake", "[Mon Sep 16 10:00:00 2002] [error] SSL handshake failed (server www.example.jp:443, client 198.51.100.7)", event.FormatWebError,
			map[event.Field]string{event.SourceIP: "198.51.100.7"}},
	})
}

// TestSameAttempt: sshd logs one failed password twice (PAM, then its own line); the second gets
// SameAttempt, so each attempt counts once. A different process is a different attempt.
func TestSameAttempt(t *testing.T) {
	lines := []struct {
		line string
		same bool
	}{
		{"Mar  3 01:02:03 rh sshd[500]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root", false},
		{"Mar  3 01:02:05 rh sshd[500]: Failed password for root from 198.51.100.7 port 4000 ssh2", true},
		{"Mar  3 01:02:08 rh sshd[500]: Failed password for root from 198.51.100.7 port 4000 ssh2", false},
		{"Mar  3 01:02:08 rh sshd[500]: error: maximum authentication attempts exceeded for root from 198.51.100.7 port 4000 ssh2 [preauth]", true},
		{"Mar  3 01:02:09 rh sshd(pam_unix)[501]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=198.51.100.7", false},
		{"Mar  3 01:02:09 rh sshd[502]: Failed password for root from 198.51.100.7 port 4001 ssh2", false},
		{"Mar  3 01:02:10 rh sshd[501]: Failed password for root from 198.51.100.7 port 4002 ssh2", true},
		{"Mar  3 01:02:11 rh sshd[503]: error: PAM: Authentication failure for root from 198.51.100.7", false},
		{"Mar  3 01:02:11 rh sshd[503]: Failed keyboard-interactive/pam for root from 198.51.100.7 port 4003 ssh2", true},
		{"Mar  3 01:05:11 rh sshd[504]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root", false},
		{"Mar  3 01:06:11 rh sshd[504]: Failed password for root from 198.51.100.7 port 4004 ssh2", false}, // a minute later: not the same attempt
	}
	p := newTestParser()
	var e event.Event
	for i, l := range lines {
		p.Parse([]byte(l.line), &e)
		if e.Format != event.FormatAuth {
			t.Fatalf("line %d: format %v", i+1, e.Format)
		}
		if got := e.Has(event.SameAttempt); got != l.same {
			t.Errorf("line %d: SameAttempt %v, want %v\n%s", i+1, got, l.same, l.line)
		}
	}
}

// Programs' own logs that start with a date are not syslog.
func TestNotSyslog(t *testing.T) {
	checkCases(t, []fieldCase{
		{"dpkg.log", "2026-05-20 10:00:00 status installed libc-bin:amd64 2.36-9+deb12u7", event.FormatUnknown, nil},
		{"alternatives.log", "update-alternatives 2026-05-20 10:00:01: run with --install /usr/bin/pager pager /bin/more 50", event.FormatUnknown, nil},
	})
}
