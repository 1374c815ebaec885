package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/event"
)

// parseAuth recognises login successes and failures. Which phrases count depends on the program
// (base name), so that a user name containing "Failed password for" cannot make another
// program's line look like sshd's; the tcp_wrappers and pam phrases are accepted from any program
// because they are logged under the wrapped daemon's name.
func parseAuth(prog, msg []byte, e *event.Event) bool {
	switch {
	case hasPrefix(prog, "sshd"):
		if authSSH(msg, e) {
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
	case string(prog) == "su":
		if authSu(msg, e) {
			return true
		}
	case string(prog) == "xinetd":
		if authXinetd(msg, e) {
			return true
		}
	}
	return authPAM(msg, e) || authTCPWrappers(msg, e)
}

// authSSH handles OpenSSH's messages:
//
//	Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2
//	Accepted publickey for alice from 192.0.2.1 port 4242 ssh2
//	Invalid user test from 198.51.100.7 port 4242
//	error: maximum authentication attempts exceeded for root from 198.51.100.7 port 1 ssh2 [preauth]
//	Did not receive identification string from 198.51.100.7 port 4242
func authSSH(msg []byte, e *event.Event) bool {
	m := msg
	if hasPrefix(m, "error: ") {
		m = m[len("error: "):]
	}
	switch {
	case hasPrefix(m, "Failed ") || hasPrefix(m, "Accepted "):
		i := index(m, " for ")
		if i < 0 {
			return false
		}
		return userFromHost(m[i+len(" for "):], e)
	case hasPrefix(m, "Invalid user "), hasPrefix(m, "Illegal user "):
		return userFromHost(m[len("Invalid user "):], e)
	case hasPrefix(m, "maximum authentication attempts exceeded for "):
		return userFromHost(m[len("maximum authentication attempts exceeded for "):], e)
	case hasPrefix(m, "Did not receive identification string from "):
		return hostPort(m[len("Did not receive identification string from "):], e)
	}
	return false
}

// userFromHost parses "[invalid user ]USER from IP[ port N]...". The last " from " is the
// separator because the user name is whatever the client sent and may itself contain " from ".
func userFromHost(b []byte, e *event.Event) bool {
	for _, p := range [...]string{"invalid user ", "illegal user "} {
		if hasPrefix(b, p) {
			b = b[len(p):]
			break
		}
	}
	i := bytes.LastIndex(b, []byte(" from "))
	if i < 0 {
		return false
	}
	if !hostPort(b[i+len(" from "):], e) {
		return false
	}
	e.Set(event.User, b[:i])
	return true
}

// hostPort parses "IP[ port N]" and claims the line for FormatAuth.
func hostPort(b []byte, e *event.Event) bool {
	ip, rest := token(b)
	if !isIP(ip) {
		return false
	}
	e.Format = event.FormatAuth
	e.Set(event.SourceIP, ip)
	if hasPrefix(rest, "port ") {
		if port := leadingDigits(rest[len("port "):]); len(port) > 0 {
			e.Set(event.SourcePort, port)
		}
	}
	return true
}

// authPAM handles pam_unix failures, from "sshd(pam_unix)[19939]: authentication failure; ..." and
// "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root".
func authPAM(msg []byte, e *event.Event) bool {
	// The phrase starts the message or follows a module tag such as "pam_unix(sshd:auth): ".
	kv := msg
	if hasPrefix(kv, "pam_") {
		if j := index(head(kv, 48), "): "); j >= 0 {
			kv = kv[j+3:]
		}
	}
	if !hasPrefix(kv, "authentication failure; ") {
		return false
	}
	rhost, ok := valueAfter(kv, " rhost=")
	if !ok {
		return false
	}
	e.Format = event.FormatAuth
	if isIP(rhost) {
		e.Set(event.SourceIP, rhost)
	}
	if user, ok := valueAfter(kv, " user="); ok && len(user) > 0 {
		e.Set(event.User, user)
	}
	return true
}

// authFTP handles wu-ftpd and friends:
//
//	FTP LOGIN FAILED FROM 198.51.100.4, root
//	FTP LOGIN FAILED FROM host.example [198.51.100.4], root
//	ANONYMOUS FTP LOGIN FROM host.example [198.51.100.4], mozilla@
func authFTP(msg []byte, e *event.Event) bool {
	var rest []byte
	switch {
	case hasPrefix(msg, "FTP LOGIN FAILED FROM "):
		rest = msg[len("FTP LOGIN FAILED FROM "):]
	case hasPrefix(msg, "ANONYMOUS FTP LOGIN FROM "):
		rest = msg[len("ANONYMOUS FTP LOGIN FROM "):]
	case hasPrefix(msg, "FTP LOGIN FROM "):
		rest = msg[len("FTP LOGIN FROM "):]
	case hasPrefix(msg, "repeated login failures from "):
		rest = msg[len("repeated login failures from "):]
	default:
		return false
	}
	host, user := rest, []byte(nil)
	if i := index(rest, ", "); i >= 0 {
		host, user = rest[:i], rest[i+2:]
	}
	ip := bracketedOrWhole(host)
	if !isIP(ip) {
		return false
	}
	e.Format = event.FormatAuth
	e.Set(event.SourceIP, ip)
	if hasPrefix(msg, "ANONYMOUS") {
		e.Set(event.User, msg[:len("ANONYMOUS")])
	} else if user != nil {
		e.Set(event.User, user)
	}
	return true
}

// bracketedOrWhole returns the text in the last [...] of b, or b itself.
func bracketedOrWhole(b []byte) []byte {
	b = trimSpace(b)
	if n := len(b); n > 0 && b[n-1] == ']' {
		if i := bytes.LastIndexByte(b, '['); i >= 0 {
			return b[i+1 : n-1]
		}
	}
	return b
}

// authLogin handles login(1) and telnetd:
//
//	FAILED LOGIN 1 FROM 198.51.100.4 FOR root, Authentication failure
//	ROOT LOGIN ON tty1
//	ROOT LOGIN ON pts/0 FROM host.example
func authLogin(msg []byte, e *event.Event) bool {
	switch {
	case hasPrefix(msg, "FAILED LOGIN "):
		from := index(msg, " FROM ")
		if from < 0 {
			return false
		}
		rest := msg[from+len(" FROM "):]
		host, rest := token(rest)
		e.Format = event.FormatAuth
		if isIP(host) {
			e.Set(event.SourceIP, host)
		}
		if hasPrefix(rest, "FOR ") {
			user := rest[len("FOR "):]
			if i := bytes.IndexByte(user, ','); i >= 0 {
				user = user[:i]
			}
			e.Set(event.User, user)
		}
		return true
	case hasPrefix(msg, "ROOT LOGIN "):
		e.Format = event.FormatAuth
		e.Set(event.User, msg[:len("ROOT")])
		if i := index(msg, " FROM "); i >= 0 {
			if host, _ := token(msg[i+len(" FROM "):]); isIP(host) {
				e.Set(event.SourceIP, host)
			}
		}
		return true
	}
	return false
}

// authSu handles su(1): "FAILED su for root by alice", "FAILED SU (to root) alice on /dev/pts/0".
// User is the account su tried to become.
func authSu(msg []byte, e *event.Event) bool {
	switch {
	case hasPrefix(msg, "FAILED su for "), hasPrefix(msg, "Successful su for "):
		rest := msg[index(msg, " for ")+len(" for "):]
		user, _ := token(rest)
		e.Format = event.FormatAuth
		e.Set(event.User, user)
		return true
	case hasPrefix(msg, "FAILED SU (to "):
		rest := msg[len("FAILED SU (to "):]
		if i := bytes.IndexByte(rest, ')'); i > 0 {
			e.Format = event.FormatAuth
			e.Set(event.User, rest[:i])
			return true
		}
	}
	return false
}

// authTCPWrappers handles tcpd's "refused connect from 198.51.100.4" and "connect from 198.51.100.4"
// (the client may be logged as user@host or by name; SourceIP is set only for an address).
func authTCPWrappers(msg []byte, e *event.Event) bool {
	var rest []byte
	switch {
	case hasPrefix(msg, "refused connect from "):
		rest = msg[len("refused connect from "):]
	case hasPrefix(msg, "connect from "):
		rest = msg[len("connect from "):]
	default:
		return false
	}
	host, _ := token(rest)
	if i := bytes.LastIndexByte(host, '@'); i >= 0 {
		e.Set(event.User, host[:i])
		host = host[i+1:]
	}
	e.Format = event.FormatAuth
	if ip := bracketedOrWhole(host); isIP(ip) {
		e.Set(event.SourceIP, ip)
	}
	return true
}

// authXinetd handles "START: ftp pid=123 from=198.51.100.4" and "FAIL: telnet libwrap from=198.51.100.4".
func authXinetd(msg []byte, e *event.Event) bool {
	if !hasPrefix(msg, "START: ") && !hasPrefix(msg, "FAIL: ") {
		return false
	}
	from, ok := valueAfter(msg, " from=")
	if !ok {
		return false
	}
	if hasPrefix(from, "::ffff:") && isIPv4(from[len("::ffff:"):]) {
		from = from[len("::ffff:"):]
	}
	if !isIP(from) {
		return false
	}
	e.Format = event.FormatAuth
	e.Set(event.SourceIP, from)
	return true
}
