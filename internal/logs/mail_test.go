package logs

import (
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

func TestMail(t *testing.T) {
	checkCases(t, []fieldCase{
		{"sendmail relaying denied", "Jan 30 08:01:47 combo sendmail[26701]: j0UD1OP0026701: ruleset=check_rcpt, arg1=<x@example.com>, relay=[198.51.100.93], reject=550 5.7.1 <x@example.com>... Relaying denied. IP name lookup failed [198.51.100.93]", event.FormatSendmail,
			fm{event.Relay: "[198.51.100.93]", event.SourceIP: "198.51.100.93", event.RcptTo: "x@example.com", event.Status: "550", event.MailFrom: absent}},
		{"sm-mta did not issue", "Feb 25 03:01:10 kismet sm-mta[27713]: n1P81ACe027713: [198.51.100.133] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA", event.FormatSendmail,
			fm{event.Relay: "[198.51.100.133]", event.SourceIP: "198.51.100.133"}},
		{"did not issue with name", "Feb 25 03:01:10 kismet sendmail[1]: n1P81ACe027713: host.example [198.51.100.133] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA", event.FormatSendmail,
			fm{event.Relay: "host.example [198.51.100.133]", event.SourceIP: "198.51.100.133"}},
		{"from may be forged", "Feb 25 03:01:10 kismet sendmail[1]: n1P81ACe027713: from=<a@example.org>, size=1234, class=0, nrcpts=1, msgid=<1@x>, proto=SMTP, daemon=MTA, relay=host.example [192.0.2.1] (may be forged)", event.FormatSendmail,
			fm{event.MailFrom: "a@example.org", event.Relay: "host.example [192.0.2.1] (may be forged)", event.SourceIP: "192.0.2.1", event.Status: absent}},
		{"sendmail other line", "Feb 25 03:01:10 kismet sendmail[1]: alias database /etc/aliases rebuilt by root", event.FormatSendmail,
			fm{event.Relay: absent}},
		{"postfix relay denied", "Mar  1 10:00:00 mx postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[198.51.100.3]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@example.org> to=<x@example.net> proto=SMTP helo=<example>", event.FormatPostfix,
			fm{event.Relay: "unknown[198.51.100.3]", event.SourceIP: "198.51.100.3", event.Status: "554", event.MailFrom: "a@example.org", event.RcptTo: "x@example.net"}},
		{"postfix connect", "Mar  1 10:00:00 mx postfix/smtpd[1234]: connect from host.example[192.0.2.1]", event.FormatPostfix,
			fm{event.Relay: "host.example[192.0.2.1]", event.SourceIP: "192.0.2.1", event.Status: absent}},
		{"postfix client ipv6", "Mar  1 10:00:00 mx postfix/smtpd[1234]: 4F3A21C0D: client=unknown[2001:db8::7]", event.FormatPostfix,
			fm{event.SourceIP: "2001:db8::7"}},
		{"postfix empty sender", "Mar  1 10:00:00 mx postfix/qmgr[9]: 4F3A21C0D: from=<>, size=100, nrcpt=1 (queue active)", event.FormatPostfix,
			fm{event.MailFrom: "", event.Relay: absent}},
		{"not mail program", "Mar  1 10:00:00 mx foo[1]: from=<a@b>, relay=[1.2.3.4]", event.FormatSyslog, fm{event.MailFrom: absent}},
	})
}

func TestAuth(t *testing.T) {
	checkCases(t, []fieldCase{
		{"failed invalid user", "Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2", event.FormatAuth,
			fm{event.User: "admin", event.SourceIP: "198.51.100.7", event.SourcePort: "53224", event.Message: "Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2"}},
		{"failed root", "Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 198.51.100.7 port 53224 ssh2", event.FormatAuth,
			fm{event.User: "root"}},
		{"user named user", "Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for user from 198.51.100.7 port 1 ssh2", event.FormatAuth,
			fm{event.User: "user"}},
		{"user containing from", "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user a from 6.6.6.6 from 198.51.100.7 port 2", event.FormatAuth,
			fm{event.User: "a from 6.6.6.6", event.SourceIP: "198.51.100.7"}},
		{"invalid user no port", "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user test from 198.51.100.7", event.FormatAuth,
			fm{event.User: "test", event.SourcePort: absent}},
		{"empty invalid user", "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user  from 198.51.100.7 port 4242", event.FormatAuth,
			fm{event.User: ""}},
		{"accepted publickey", "Dec 10 06:55:46 LabSZ sshd[24200]: Accepted publickey for alice from 192.0.2.1 port 4242 ssh2: RSA SHA256:abc", event.FormatAuth,
			fm{event.User: "alice", event.SourcePort: "4242"}},
		{"max attempts", "Dec 10 06:55:46 LabSZ sshd[24200]: error: maximum authentication attempts exceeded for invalid user admin from 198.51.100.7 port 53224 ssh2 [preauth]", event.FormatAuth,
			fm{event.User: "admin"}},
		{"no identification", "Dec 10 06:55:46 LabSZ sshd[24200]: Did not receive identification string from 198.51.100.7", event.FormatAuth,
			fm{event.SourceIP: "198.51.100.7", event.User: absent}},
		{"pam old", "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=198.51.100.4", event.FormatAuth,
			fm{event.Program: "sshd(pam_unix)", event.PID: "19939", event.SourceIP: "198.51.100.4", event.User: absent}},
		{"pam old with user", "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=198.51.100.4  user=root", event.FormatAuth,
			fm{event.User: "root"}},
		{"pam new hostname", "Jun 14 15:16:01 combo sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=host.example  user=root", event.FormatAuth,
			fm{event.User: "root", event.SourceIP: "host.example"}}, // a name is a source too (issue 9)
		{"wu-ftpd failed", "Jun 14 15:16:01 combo ftpd[2]: FTP LOGIN FAILED FROM 198.51.100.4, root", event.FormatAuth,
			fm{event.SourceIP: "198.51.100.4", event.User: "root"}},
		{"ftpd anonymous", "Jun 14 15:16:01 combo ftpd[2]: ANONYMOUS FTP LOGIN FROM host.example [198.51.100.4], mozilla@", event.FormatAuth,
			fm{event.SourceIP: "198.51.100.4", event.User: "ANONYMOUS"}},
		{"login failed", "Jun 14 15:16:01 combo login[3]: FAILED LOGIN 1 FROM 198.51.100.4 FOR root, Authentication failure", event.FormatAuth,
			fm{event.SourceIP: "198.51.100.4", event.User: "root"}},
		{"root login", "Jun 14 15:16:01 combo login[3]: ROOT LOGIN ON tty1", event.FormatAuth,
			fm{event.User: "ROOT", event.SourceIP: absent}},
		{"su", "Jun 14 15:16:01 combo su[4]: FAILED su for root by alice", event.FormatAuth,
			fm{event.User: "root"}},
		{"su shadow", "Jun 14 15:16:01 combo su[4]: FAILED SU (to root) alice on /dev/pts/0", event.FormatAuth,
			fm{event.User: "root"}},
		{"tcpd refused", "Jun 14 15:16:01 combo in.telnetd[5]: refused connect from 198.51.100.4", event.FormatAuth,
			fm{event.SourceIP: "198.51.100.4"}},
		{"tcpd connect user@host", "Jun 14 15:16:01 combo portmap[5]: connect from bob@198.51.100.4", event.FormatAuth,
			fm{event.SourceIP: "198.51.100.4", event.User: "bob"}},
		{"xinetd", "Jun 14 15:16:01 combo xinetd[6]: START: ftp pid=123 from=::ffff:198.51.100.4", event.FormatAuth,
			fm{event.SourceIP: "198.51.100.4"}},
		{"sshd other", "Dec 10 06:55:46 LabSZ sshd[24200]: Server listening on 0.0.0.0 port 22.", event.FormatSyslog, fm{event.SourceIP: absent}},
		{"sshd phrase from other program", "Dec 10 06:55:46 LabSZ logger: Failed password for root from 198.51.100.7 port 1 ssh2", event.FormatSyslog, fm{event.User: absent}},
		{"failed without address", "Dec 10 06:55:46 LabSZ sshd[1]: Failed password for root from nowhere", event.FormatSyslog, nil},
	})
}
