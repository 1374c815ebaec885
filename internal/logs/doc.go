// Package logs turns log lines into events (package event). It is the hot path of
// "keikai analyze": parsing scans bytes only, and once an event's buffers exist it allocates
// nothing per line. Field values are slices of the line itself, except where noted below.
//
// # Use
//
// Make one Parser per worker goroutine with NewParser(zone). Before each input call
// SetReference with the file's modification time (or the current time for standard input), then
// call Parse for every line, without its trailing newline. A trailing carriage return is kept in
// Event.Raw but is not part of any field. Lines that no parser recognises keep only Raw and get
// FormatUnknown. A caller that knows which fields it reads (keikai analyze asks its rules) may
// call SkipUnread once: the parser then leaves out fields that cost work and that nobody reads
// (an access line's Referer and UserAgent, a Cisco ASA line's Interface and TcpFlags); formats
// are recognised the same.
//
// # Times
//
// Timestamps that state a UTC offset (RFC 3339 in RFC 5424 and rsyslog's high-precision format,
// the access-log "[01/Aug/2004:07:02:57 -0400]") set Time.Zoned and Time.Offset. Clock readings
// without an offset are read in the zone given to NewParser. Those without a year (BSD syslog,
// pf through tcpdump) get the reference's year, or the year before when that would put the line
// more than 48 hours after the reference: December lines in a file last written in January.
// February 29 in a year without one goes to the latest leap year before it.
// SetReferenceFromEnd moves the reference to a file's last stamped line first, so that a file
// running from December into January is dated in order even when its modification time is not
// its last write, and in whichever chunk a line falls.
//
// # Syslog framing (Framing RFC3164 or RFC5424)
//
//	Mar 13 12:34:56 host prog[pid]: message
//	Jun  3 04:05:06 host kernel: message            (space-padded day, no PID)
//	Feb  3 16:02:58 host /kernel: message           (program with a path)
//	Jun 14 15:16:01 host sshd(pam_unix)[19939]: ... (parentheses) and postfix/smtpd[1234]: (slash)
//	<13>Feb  5 17:32:18 host prog: message          (network syslog: PRI before the header)
//	2024-01-02T03:04:05.123456+09:00 host prog[pid]: message   (rsyslog high precision)
//	<34>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] message   (RFC 5424)
//	Mar 13 12:34:56 <auth.info> host sshd[99]: message   (FreeBSD syslogd -v/-vv; also "<4.6>")
//	Oct  2 03:11:45 host sshd[331]: [ID 800047 auth.info] message   (Solaris message ID, dropped)
//	Dec 01 11:20:01.000123 host sshd[42]: message       (journalctl -o short-precise)
//	2024-12-01T11:20:01+0900 host sshd[42]: message     (journalctl -o short-iso, offset without colon)
//	2017-01-10 10:00:02,417 host proftpd[12] message    (ProFTPD SystemLog; local time)
//	Sat Mar 10 10:01:02 2007 [pid 1234] message         (vsftpd's own log; Pid, no Program)
//
// Fields: Host, Program, Pid, Message, Severity (a named priority of -vv or Solaris). A first word ending in ':' right after the time is taken
// as the program of a line without a host. In RFC 5424 the NILVALUE "-" leaves Host, Program or
// Pid unset, structured data is skipped (escaped ']' inside quoted values included) and a UTF-8
// BOM before the message is dropped. A Cisco mnemonic where the tag would be ("gate %SEC-6-...")
// is message text. The message then goes to the parsers below, selected by program name first
// so that text a user controls in another program's message does not become firewall or mail
// fields; when none claims it the format is FormatSyslog.
//
// # Netfilter / iptables (FormatIptables; program kernel, ulogd, or none)
//
//	kernel: [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=203.0.113.5 DST=192.0.2.10 ... PROTO=TCP SPT=44444 DPT=23 ... SYN URGP=0
//
// Any log prefix and an optional kernel stamp "[12345.678901] " may precede IN=; OUT=, SRC=,
// DST= and PROTO= must be present. SourceIp, DestinationIp, SourcePort (SPT), DestinationPort
// (DPT), Protocol (lower case: tcp, udp, icmp, icmpv6, ...; numbers as given), IcmpType (TYPE),
// IcmpCode (CODE), TcpFlags (the flag words CWR ECE URG ACK PSH RST SYN FIN as logged, space
// separated), Interface (IN, or OUT when IN is empty), Direction (in: IN only; out: OUT only;
// forward: both). The packet quoted in brackets by ICMP errors is skipped, so the outer
// addresses are kept. Action is drop, reject, block, deny, accept or allow when the prefix
// contains that word in any case (the first such word), otherwise unset.
//
// # ipchains (FormatIpchains; kernel "Packet log:")
//
//	Packet log: input DENY eth0 PROTO=6 198.51.100.4:3894 192.0.2.8:111 L=60 S=0x00 I=38924 F=0x4000 T=51 SYN (#11)
//
// Direction from the chain (input in, output out, forward forward; other chains unset), Action
// (lower case), Interface, Protocol (6 tcp, 17 udp, 1 icmp, else the number), SourceIp,
// SourcePort, DestinationIp, DestinationPort, TcpFlags (SYN). For ICMP the two "ports" are
// IcmpType and IcmpCode.
//
// # FreeBSD ipfw (FormatIpfw; program kernel, /kernel or ipfw)
//
//	ipfw: 2700 Deny TCP 10.9.8.7:1103 192.0.2.78:135 in via tun0
//	ipfw: 100 Accept ICMP:8.0 1.2.3.4 5.6.7.8 out via xl0
//
// Action (lower case; an argument such as "Unreach 3" is skipped), Protocol (tcp, udp, icmp, or
// the number of "P:47"), addresses and ports, IcmpType and IcmpCode from "ICMP:type.code",
// Direction and Interface from "in via IF" / "out via IF" (also recv/xmit). "Fragment = N" is
// ignored.
//
// # Cisco IOS access lists (FormatCiscoACL; any program)
//
//	gate 301270: 5d17h: %SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.4(1929) -> 192.0.2.8(80), 1 packet
//	gate %SEC-6-IPACCESSLOGDP: list 101 denied icmp 198.51.100.4 -> 192.0.2.8 (8/0), 1 packet
//	gate 12: *Mar  1 00:00:40.123: %SEC-6-IPACCESSLOGS: list 10 denied 198.51.100.4 1 packet
//
// Recognised by "%SEC-6-IPACCESSLOG" followed by P, DP, S, NP or RP within the start of the
// message (the syslog program is then IOS's sequence number, or absent). Action denied or
// permitted, Protocol (as logged, or the number), SourceIp, SourcePort, DestinationIp,
// DestinationPort, IcmpType and IcmpCode from "(type/code)", Interface from
// "(Serial0/0 )" after the source. ACL names may be numbers or words. Direction is unset.
//
// Cisco ASA, PIX and FWSM access decisions (messages 106xxx and 710xxx) have the same format:
//
//	%ASA-4-106023: Deny tcp src outside:198.51.100.4/3345 dst inside:192.0.2.8/80 by access-group "outside_in" [0x0, 0x0]
//	%PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 to 192.0.2.8/23 flags SYN  on interface outside
//	%ASA-6-106100: access-list acl denied tcp outside/198.51.100.4(3345) -> inside/192.0.2.8(80) hit-cnt 1 first hit
//	%ASA-3-710003: TCP access denied by ACL from 198.51.100.4/3345 to outside:192.0.2.8/22
//
// Action deny (a "Deny ..." message), denied or permitted; Protocol in lower case (tcp, udp,
// icmp, ip), addresses and ports, Interface (the source's, or "on interface X"), Direction for
// "inbound"/"outbound", TcpFlags after "flags", IcmpType/IcmpCode from "(type 8, code 0)".
//
// # OpenBSD pf (FormatPF; tcpdump -n -e -ttt output, or syslog program pf, pflog, pflogd)
//
//	Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384
//
// Not syslog framed unless it came through syslog (then the message may still carry tcpdump's
// own time, which is not used). Rule labels "2/0(match)", "2/(match)", "1.anchor.3/0(match)" and
// a following "[uid 0, pid 123]" are accepted. Action (block, pass, match, ...), Direction,
// Interface, SourceIp/SourcePort and DestinationIp/DestinationPort split at the last dot
// (IPv4 a.b.c.d.port, IPv6 2001:db8::1.port). Protocol tcp when TCP flags follow (S, S., .,
// P., F., R, [S], Flags [S.]) and TcpFlags holds them; udp for "udp N"; icmp for "icmp: ..."
// with IcmpType (and IcmpCode where the words say it) derived from tcpdump's words: echo
// request 8, echo reply 0, ... unreachable 3 (net 0, host 1, protocol 2, port 3), source
// quench 4, redirect 5, router advertisement 9, solicitation 10, time exceeded 11, parameter
// problem 12, time stamp 13/14, information 15/16, address mask 17/18. These two derived
// values are not slices of the line.
//
// # Web access logs (FormatWebAccess; not syslog framed)
//
//	198.51.100.242 - - [01/Aug/2004:07:02:57 -0400] "GET /default.ida?XXXX%u9090 HTTP/1.0" 404 294 "-" "-"
//	www.example.jp:80 198.51.100.1 - frank [10/Oct/2000:13:55:36 +0900] "POST /login HTTP/1.1" 302 - "http://ref/" "agent"
//
// Apache/nginx common, combined and vhost_combined. SourceIp (the client; IPv6 or a host
// name when the server logged names), User (unless "-"), Status, Referer and UserAgent (as
// logged, escapes such as \" kept; a truncated agent is kept up to the end of the line),
// HttpMethod, UrlRaw (the target as logged), Url (decoded once: %XX to that byte, %uXXXX to
// the UTF-8 encoding of that code point as IIS does, invalid escapes and '+' kept; the same
// bytes as UrlRaw when nothing decodes), UrlPath (Url up to '?'). A request of "-", TLS bytes
// sent to a plain port (nginx logs them as \x16\x03\x01) or other garbage sets no method or
// URL; a missing protocol ("GET /") is accepted.
//
// # Web server error logs (FormatWebError; not syslog framed)
//
//	[Sat Sep 14 10:00:00 2002] [error] [client 1.2.3.4] message
//	[Sat Sep 14 10:00:00 2002] [error] mod_ssl: SSL handshake failed (server www.example.jp:443, client 198.51.100.7) ...
//	[Sat Sep 14 10:00:00.123456 2002] [ssl:error] [pid 123:tid 456] [client 1.2.3.4:5678] AH02039: ...
//	2024/01/02 03:04:05 [error] 1234#0: *5 open() "/x" failed (2: ...), client: 1.2.3.4, server: ...
//
// Severity (error, warn, ...; a module prefix such as "ssl:" is dropped), Pid, SourceIp (from
// [client ip], [client ip:port], [client [v6]:port], mod_ssl's "(server ..., client ip)", or
// nginx's "client: ip"), Message (after the bracketed prefixes; for nginx after "pid#tid: *conn ").
// The clock is read in the parser's zone.
//
// # Mail (FormatSendmail: programs sendmail and sm-* such as sm-mta, sm-msp-queue, sm-acceptingconnections; FormatPostfix: postfix/*)
//
//	sendmail[26701]: j0UD1OP0026701: ruleset=check_rcpt, arg1=<x@example.com>, relay=[198.51.100.93], reject=550 5.7.1 ...
//	sm-mta[27713]: n1P81ACe027713: [198.51.100.133] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA
//	postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[198.51.100.3]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@example.org> to=<x@example.net> ...
//	postfix/smtpd[1234]: warning: unknown[198.51.100.3]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
//	sendmail[2212]: n2AA21x02212: host.example [198.51.100.7]: VRFY root [rejected]   (also EXPN, "possible SMTP attack")
//
// Every line of these programs is claimed. Relay (the client as logged: "[ip]",
// "host [ip] (may be forged)", "unknown[ip]"), SourceIp (the address in its brackets), MailFrom
// and RcptTo without angle brackets (sendmail from=, to=, and arg1= of check_mail / check_rcpt;
// postfix from=<...>, to=<...>), Status (the SMTP reply code of reject= or of a postfix reject).
// Message stays the whole syslog message.
//
// # Logins (FormatAuth)
//
//	sshd: Failed password|keyboard-interactive/pam for [invalid user ]USER from HOST port N ssh2;
//	      Accepted <method> for USER from ...; Invalid user USER from HOST [port N];
//	      error: maximum authentication attempts exceeded for ...; Did not receive identification
//	      string from HOST; error: PAM: Authentication failure|authentication error for USER from HOST
//	any:  [pam_unix(svc:auth): ]authentication failure; ... rhost=HOST  user=USER   (also "sshd(pam_unix)")
//	*ftp*: FTP LOGIN FAILED FROM IP, USER; ANONYMOUS FTP LOGIN FROM host [IP], pass; FTP LOGIN FROM ...;
//	      failed login from host [IP]; repeated login failures from host [IP]           (wu-ftpd)
//	      server (host[IP]) - USER u (Login failed): ...; server (host[IP]): ...        (ProFTPD)
//	      [USER] FAIL LOGIN: Client "IP"  (vsftpd);  (?@HOST) [WARNING] Authentication failed for user [USER]  (pure-ftpd)
//	login, *telnet*: FAILED LOGIN 1 FROM IP FOR USER, reason; ROOT LOGIN ON tty1 [FROM host]
//	su:   FAILED su for USER by someone; FAILED SU (to USER) someone on tty; BAD SU someone to USER on tty
//	any:  refused connect from IP; connect from [user@]IP   (tcp_wrappers, logged under the daemon's name)
//	xinetd: START: svc pid=N from=IP; FAIL: svc libwrap from=IP
//
// User, SourceIp, SourcePort, Message. SourceIp is an address, or for sshd, pam rhost= and
// pure-ftpd a host name (with a dot) when the daemon logged a name: such a source is grouped by
// its name. sshd reports one failed attempt twice when PAM is in use (the PAM failure, then
// "Failed ..."; "maximum authentication attempts exceeded" after the last one): the later line
// of the same PID within 10 seconds gets SameAttempt "yes". The memory of this is per Parser,
// so a pair split across two chunks is not recognised. The sshd user is everything
// between "for"/"user" and the last " from ", because clients choose it. ANONYMOUS and ROOT are
// reported as the user of those lines; su reports the account su tried to become.
package logs
