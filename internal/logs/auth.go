package logs

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/keikai-project/keikai/internal/event"
)

// parseAuth recognises login successes and failures. Which phrases count depends on the program
// (base name), so that a user name containing "Failed password for" cannot make another
// program's line look like sshd's; the tcp_wrappers and pam phrases are accepted from any program
// because they are logged under the wrapped daemon's name.
func (p *Parser) parseAuth(prog, msg []byte, e *event.Event) bool {
	return p.parseAuthAs(loginProgram(prog), msg, e)
}

// parseAuthAs is parseAuth for a program that loginProgram put in class login.
func (p *Parser) parseAuthAs(login int, msg []byte, e *event.Event) bool {
	switch login {
	case loginSSH:
		if p.authSSH(msg, e) {
			return true
		}
	case loginFTP:
		if authFTP(msg, e) {
			return true
		}
	case loginLogin:
		if authLogin(msg, e) {
			return true
		}
	case loginSu:
		if authSu(msg, e) {
			return true
		}
	case loginXinetd:
		if authXinetd(msg, e) {
			return true
		}
	}
	if len(msg) == 0 {
		return false
	}
	// The phrases any program may log start with these letters (anyProgramAuthStart): most
	// messages are turned down by their first byte.
	switch msg[0] {
	case 'a', 'p':
		if authPAM(msg, e) {
			if login == loginSSH {
				p.attempts.pamFailure(e)
			}
			return true
		}
	case 'r', 'c':
		return authTCPWrappers(msg, e)
	}
	return false
}

// anyProgramAuthStart reports whether c may start a phrase that parseAuthAs takes from any
// program: pam's ("authentication failure", "pam_unix(...)") or tcp_wrappers' ("refused
// connect from", "connect from"). It is the switch at the end of parseAuthAs.
func anyProgramAuthStart(c byte) bool { return c == 'a' || c == 'p' || c == 'r' || c == 'c' }

// A program whose login phrases parseAuth reads (loginOther: only those any program may log).
const (
	loginOther = iota
	loginSSH
	loginFTP   // ftpd, proftpd, vsftpd, in.ftpd: the name contains "ftp"
	loginLogin // login, and names that contain "telnet"
	loginSu
	loginXinetd
)

// loginProgram classifies a program name for parseAuth; "ftp" and "telnet" are found in one pass.
func loginProgram(prog []byte) int {
	if hasPrefix(prog, "sshd") {
		return loginSSH
	}
	telnet := false
	for i := 0; i+3 <= len(prog); i++ {
		switch prog[i] {
		case 'f':
			if prog[i+1] == 't' && prog[i+2] == 'p' {
				return loginFTP // before login and telnet
			}
		case 't':
			if !telnet && hasPrefix(prog[i:], "telnet") {
				telnet = true
			}
		}
	}
	if telnet || hasPrefix(prog, "login") {
		return loginLogin
	}
	switch string(prog) {
	case "su", "/bin/su", "/usr/bin/su":
		return loginSu
	case "xinetd":
		return loginXinetd
	}
	return loginOther
}

// authSSH handles OpenSSH's messages:
//
//	Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2
//	Accepted publickey for alice from 192.0.2.1 port 4242 ssh2
//	Invalid user test from 198.51.100.7 port 4242
//	error: maximum authentication attempts exceeded for root from 198.51.100.7 port 1 ssh2 [preauth]
//	Did not receive identification string from 198.51.100.7 port 4242
//	error: PAM: Authentication failure for root from host.example.net
//	error: PAM: authentication error for illegal user test from 198.51.100.7
//
// A failure that sshd reports twice (its PAM line, then "Failed ..."; "maximum authentication
// attempts exceeded" after the last "Failed ...") gets SameAttempt on the later line.
func (p *Parser) authSSH(msg []byte, e *event.Event) bool {
	m := msg
	if hasPrefix(m, "error: ") {
		m = m[len("error: "):]
	}
	if len(m) == 0 {
		return false
	}
	// The phrases by their first letter: most messages are turned down by it, where each
	// comparison of a long phrase was a call.
	switch m[0] {
	case 'F', 'A':
		if !hasPrefix(m, "Failed ") && !hasPrefix(m, "Accepted ") {
			return false
		}
		i := indexSSHFor(m)
		if i < 0 || !userFromHost(m[i+len(" for "):], e) {
			return false
		}
		if m[0] == 'F' && !hasPrefix(m, "Failed none ") {
			p.attempts.failure(e)
		}
		return true
	case 'I':
		if hasPrefix(m, "Invalid user ") || hasPrefix(m, "Illegal user ") {
			return userFromHost(m[len("Invalid user "):], e)
		}
	case 'm':
		if hasPrefix(m, "maximum authentication attempts exceeded for ") {
			if !userFromHost(m[len("maximum authentication attempts exceeded for "):], e) {
				return false
			}
			p.attempts.afterFailure(e)
			return true
		}
	case 'P':
		if hasPrefix(m, "PAM: Authentication failure for ") || hasPrefix(m, "PAM: authentication error for ") {
			i := index(m, " for ")
			if !userFromHost(m[i+len(" for "):], e) {
				return false
			}
			p.attempts.pamFailure(e)
			return true
		}
	case 'D':
		if hasPrefix(m, "Did not receive identification string from ") {
			return hostPort(m[len("Did not receive identification string from "):], e)
		}
	}
	return false
}

// attemptMemo remembers, for the last few sshd processes, whether their last login failure line
// was a PAM line waiting for sshd's own "Failed ..." line, or that line. A worker parses its
// chunks in order, so the pair is seen together except across a chunk boundary (then the attempt
// counts twice, once per boundary at most).
type attemptMemo struct {
	// Slot i holds a process (pids[i]), the time of its last line (at[i], Unix nanoseconds; 0
	// in an empty slot) and whether that was a PAM failure not yet followed by sshd's line. The
	// PIDs lie side by side: a line is mostly looked up for a process that has no slot.
	pids    [16]int64
	at      [16]int64
	pending [16]bool
	next    int
	// inUse[pid&63] counts the slots in use (at != 0) whose PID has those low bits: find answers
	// most lines, whose process holds no slot, without comparing the sixteen PIDs.
	inUse [64]uint8
}

// sameAttemptWindow is how far apart two lines of one attempt may be.
const sameAttemptWindow = 10 * nanosPerSecond

func (m *attemptMemo) reset() { *m = attemptMemo{} }

// find returns the first slot of e's process whose line is at most sameAttemptWindow before e's
// (-1 when none), e's PID, and whether e has a PID and a time.
func (m *attemptMemo) find(e *event.Event) (int, int64, bool) {
	pid, ok := e.Int(event.PID)
	if !ok || !e.Time.Known {
		return -1, 0, false
	}
	if m.inUse[uint64(pid)&63] == 0 {
		return -1, pid, true
	}
	for i, p := range &m.pids {
		if p == pid && m.fresh(i, e.Time.UnixNano) {
			return i, pid, true
		}
	}
	return -1, pid, true
}

// fresh reports whether slot i holds a line at most sameAttemptWindow before now. It is kept
// out of find's loop, which then tests only the PIDs: inlined, its constant was moved into a
// register on every turn of the loop.
//
//go:noinline
func (m *attemptMemo) fresh(i int, now int64) bool {
	at := m.at[i]
	return at != 0 && now-at <= sameAttemptWindow && now >= at
}

// set fills slot i.
func (m *attemptMemo) set(i int, pid, at int64, pending bool) {
	if m.at[i] != 0 {
		m.inUse[uint64(m.pids[i])&63]--
	}
	if at != 0 {
		m.inUse[uint64(pid)&63]++
	}
	m.pids[i], m.at[i], m.pending[i] = pid, at, pending
}

func (m *attemptMemo) remember(pid int64, e *event.Event, pending bool) {
	m.set(m.next, pid, e.Time.UnixNano, pending)
	m.next = (m.next + 1) % len(m.pids)
}

// pamFailure records a PAM failure line of an sshd process.
func (m *attemptMemo) pamFailure(e *event.Event) {
	if i, pid, ok := m.find(e); ok {
		if i >= 0 {
			m.set(i, pid, e.Time.UnixNano, true)
		} else {
			m.remember(pid, e, true)
		}
	}
}

// failure handles sshd's "Failed ..." line: the same attempt as a pending PAM line of its process.
func (m *attemptMemo) failure(e *event.Event) {
	i, pid, ok := m.find(e)
	if !ok {
		return
	}
	if i >= 0 && m.pending[i] {
		e.Set(event.SameAttempt, wordYes)
	}
	if i >= 0 {
		m.set(i, pid, e.Time.UnixNano, false)
	} else {
		m.remember(pid, e, false)
	}
}

// afterFailure handles a line that closes an attempt already reported by its process.
func (m *attemptMemo) afterFailure(e *event.Event) {
	if i, _, ok := m.find(e); ok && i >= 0 {
		e.Set(event.SameAttempt, wordYes)
	}
}

// userFromHost parses "[invalid user ]USER from IP[ port N]...". The last " from " is the
// separator because the user name is whatever the client sent and may itself contain " from ".
func userFromHost(b []byte, e *event.Event) bool {
	if len(b) > 0 && b[0] == 'i' && (hasPrefix(b, "invalid user ") || hasPrefix(b, "illegal user ")) {
		b = b[len("invalid user "):]
	}
	i := lastFrom(b)
	if i < 0 {
		return false
	}
	if !hostPort(b[i+len(" from "):], e) {
		return false
	}
	e.SetSlice(event.User, b[:i])
	return true
}

// indexSSHFor is index(m, " for ") for m that starts with "Failed " or "Accepted ": " for "
// follows the method's word, so the spaces after the first word and after the second are
// tried before a search.
func indexSSHFor(m []byte) int {
	sp := len("Failed")
	if m[0] == 'A' {
		sp = len("Accepted")
	}
	if hasPrefix(m[sp:], " for ") {
		return sp
	}
	if hasPrefix(m[sp:], " password for ") { // the method of most lines
		return sp + len(" password")
	}
	// No space lies between these two, so no " for " can start there.
	if k := nextSpace(m, sp+1); hasPrefix(m[k:], " for ") {
		return k
	}
	return index(m, " for ")
}

// lastFrom is bytes.LastIndex(b, " from "): it steps back between the 'f's, which are few in
// what follows a user name, found eight bytes at a time from the end.
func lastFrom(b []byte) int {
	end := len(b)
	for ; end >= 8; end -= 8 {
		x := binary.LittleEndian.Uint64(b[end-8:end]) ^ ('f' * ones)
		// High bit set in the zero bytes of x, the 'f's, and perhaps in a byte just above one
		// (a 'g' after an 'f', by the borrow), which isFromAt turns down. Taken from the last.
		for m := (x - ones) &^ x & highs; m != 0; {
			top := 63 - bits.LeadingZeros64(m)
			if f := end - 8 + top>>3; isFromAt(b, f) {
				return f - 1
			}
			m &^= 1 << top
		}
	}
	for f := end - 1; f >= 0; f-- {
		if isFromAt(b, f) {
			return f - 1
		}
	}
	return -1
}

// isFromAt reports whether " from " starts at b[f-1].
func isFromAt(b []byte, f int) bool {
	return f >= 1 && f+5 <= len(b) && b[f-1] == ' ' && string(b[f:f+5]) == "from "
}

// hostPort parses "IP[ port N]" or "hostname[ port N]" (sshd with UseDNS) and claims the line
// for FormatAuth. A host name is the source when there is no address: SourceIp holds it, as the
// access-log parser does for servers that log names.
func hostPort(b []byte, e *event.Event) bool {
	ip, rest := token(b)
	if !isIP(ip) && !isHostName(ip) {
		return false
	}
	e.Format = event.FormatAuth
	e.SetSlice(event.SourceIP, ip)
	if hasPrefix(rest, "port ") {
		if port := leadingDigits(rest[len("port "):]); len(port) > 0 {
			e.SetSlice(event.SourcePort, port)
		}
	}
	return true
}

// isHostName accepts a DNS name as logged for a client: letters, digits, '-', '.' and '_', with
// at least one letter (a bare number is no name), at least one dot (a lone word such as
// "nowhere" is more likely text than a name) and no empty label.
func isHostName(b []byte) bool {
	if len(b) == 0 || len(b) > 253 || b[0] == '.' || b[0] == '-' || b[len(b)-1] == '.' || bytes.IndexByte(b, '.') < 0 {
		return false
	}
	letter := false
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case isDigit(c) || c == '-' || c == '_':
		case c == '.':
			if i > 0 && b[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return letter
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
	if isIP(rhost) || isHostName(rhost) {
		e.SetSlice(event.SourceIP, rhost)
	}
	if user, ok := valueAfter(kv, " user="); ok && len(user) > 0 {
		e.SetSlice(event.User, user)
	}
	return true
}

// authFTP handles the FTP daemons' login lines:
//
//	FTP LOGIN FAILED FROM 198.51.100.4, root                        (wu-ftpd, BSD ftpd)
//	FTP LOGIN FAILED FROM host.example [198.51.100.4], root
//	ANONYMOUS FTP LOGIN FROM host.example [198.51.100.4], mozilla@
//	failed login from host.example [198.51.100.4]                   (wu-ftpd)
//	repeated login failures from host.example [198.51.100.4]
//	ftp.example.jp (host.example[198.51.100.4]) - USER admin (Login failed): Incorrect password.   (ProFTPD)
//	ftp.example.jp (198.51.100.4[198.51.100.4]): USER admin (Login failed): ...   (ProFTPD SystemLog)
//	[admin] FAIL LOGIN: Client "198.51.100.4"                         (vsftpd; also "::ffff:198.51.100.4")
//	(?@198.51.100.4) [WARNING] Authentication failed for user [admin]   (pure-ftpd)
func authFTP(msg []byte, e *event.Event) bool {
	switch {
	case len(msg) > 0 && msg[0] == '[':
		return authVsftpd(msg, e)
	case hasPrefix(msg, "(") && index(head(msg, 300), ") [") > 0:
		return authPureFTPd(msg, e)
	case index(head(msg, 300), "]) ") > 0 || index(head(msg, 300), "]): ") > 0:
		return authProFTPD(msg, e)
	}
	var rest []byte
	switch {
	case hasPrefix(msg, "failed login from "):
		rest = msg[len("failed login from "):]
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
	if !isIP(ip) && !isHostName(ip) {
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

// authProFTPD parses "server (client[ip]) - message" (syslog) or "server (client[ip]): message"
// (SystemLog). The client address is the source; USER names the account.
func authProFTPD(msg []byte, e *event.Event) bool {
	_, rest := token(msg)
	if !hasPrefix(rest, "(") {
		return false
	}
	end := index(rest, "])")
	if end < 0 {
		return false
	}
	open := bytes.LastIndexByte(rest[:end], '[')
	if open < 0 {
		return false
	}
	ip := rest[open+1 : end]
	if !isIP(ip) {
		return false
	}
	body := rest[end+2:]
	switch {
	case hasPrefix(body, " - "):
		body = body[3:]
	case hasPrefix(body, ": "):
		body = body[2:]
	default:
		return false
	}
	e.Format = event.FormatAuth
	e.Set(event.SourceIP, ip)
	if hasPrefix(body, "USER ") {
		user := body[len("USER "):]
		if i := index(user, " (Login"); i >= 0 {
			user = user[:i]
		} else if i := index(user, ": "); i >= 0 {
			user = user[:i]
		}
		e.Set(event.User, user)
	}
	return true
}

// authVsftpd parses vsftpd's "[user] FAIL LOGIN: Client "ip"" and "[user] OK LOGIN: ...".
func authVsftpd(msg []byte, e *event.Event) bool {
	end := bytes.IndexByte(msg, ']')
	if end < 0 || !hasPrefix(msg[end:], "] ") {
		return false
	}
	body := msg[end+2:]
	if !hasPrefix(body, "FAIL LOGIN: ") && !hasPrefix(body, "OK LOGIN: ") {
		return false
	}
	i := index(body, "Client \"")
	if i < 0 {
		return false
	}
	ip := body[i+len("Client \""):]
	if j := bytes.IndexByte(ip, '"'); j >= 0 {
		ip = ip[:j]
	}
	if hasPrefix(ip, "::ffff:") && isIPv4(ip[len("::ffff:"):]) {
		ip = ip[len("::ffff:"):]
	}
	if !isIP(ip) {
		return false
	}
	e.Format = event.FormatAuth
	e.Set(event.SourceIP, ip)
	e.Set(event.User, msg[1:end])
	return true
}

// authPureFTPd parses "(user@host) [LEVEL] message"; before login the user is "?".
func authPureFTPd(msg []byte, e *event.Event) bool {
	end := bytes.IndexByte(msg, ')')
	if end < 0 || end+2 > len(msg) {
		return false
	}
	at := bytes.LastIndexByte(msg[:end], '@')
	if at < 0 {
		return false
	}
	host := msg[at+1 : end]
	if !isIP(host) && !isHostName(host) {
		return false
	}
	body := msg[end+2:]
	if j := bytes.IndexByte(body, ']'); j >= 0 && j+2 <= len(body) {
		body = body[j+2:]
	} else {
		return false
	}
	if !hasPrefix(body, "Authentication failed for user [") {
		return false
	}
	e.Format = event.FormatAuth
	e.Set(event.SourceIP, host)
	user := body[len("Authentication failed for user ["):]
	if j := bytes.IndexByte(user, ']'); j >= 0 {
		e.Set(event.User, user[:j])
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

// authSu handles su(1): "FAILED su for root by alice", "FAILED SU (to root) alice on /dev/pts/0",
// "BAD SU alice to root on /dev/ttyp0".
// User is the account su tried to become.
func authSu(msg []byte, e *event.Event) bool {
	switch {
	case hasPrefix(msg, "FAILED su for "), hasPrefix(msg, "Successful su for "):
		rest := msg[index(msg, " for ")+len(" for "):]
		user, _ := token(rest)
		e.Format = event.FormatAuth
		e.Set(event.User, user)
		return true
	case hasPrefix(msg, "BAD SU "):
		// BSD: "BAD SU alice to root on /dev/ttyp0"
		i := index(msg, " to ")
		if i < 0 {
			return false
		}
		user, _ := token(msg[i+len(" to "):])
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
