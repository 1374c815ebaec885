package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/event"
)

// parsePFDump parses a pflog record as "tcpdump -n -e -ttt -r pflog" prints it on OpenBSD:
// "Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S ...".
// It claims only lines whose timestamp (c, ending at n) is followed by "rule ", so syslog lines
// fall through.
func (p *Parser) parsePFDump(b []byte, c clock, n int, e *event.Event) bool {
	ns, fn := fraction(b[n:])
	n += fn
	if n >= len(b) || b[n] != ' ' || !hasPrefix(b[n+1:], "rule ") {
		return false
	}
	if !parsePF(b[n+1:], e) {
		return false
	}
	unix, off := p.inferYear(c)
	e.Time = event.Time{UnixNano: unix*nanosPerSecond + ns, Known: true, Offset: off}
	return true
}

// parsePFMessage parses pflog output that reached syslog (tcpdump piped to logger): the message
// may still start with tcpdump's own timestamp.
func (p *Parser) parsePFMessage(msg []byte, e *event.Event) bool {
	if hasPrefix(msg, "rule ") {
		return parsePF(msg, e)
	}
	i := index(msg, " rule ")
	if i < 0 || i > 32 {
		return false
	}
	return parsePF(msg[i+1:], e)
}

// parsePF parses from "rule " on. Rule labels vary by release: "2/0(match)", "2/(match)",
// "1.anchor.3/0(match)", optionally followed by " [uid 0, pid 123]".
func parsePF(b []byte, e *event.Event) bool {
	b = b[len("rule "):]
	opening := bytes.IndexByte(b, '(')
	if opening < 0 || opening > 64 {
		return false
	}
	shut := bytes.IndexByte(b[opening:], ')')
	if shut < 0 {
		return false
	}
	rest := b[opening+shut+1:]
	if hasPrefix(rest, " [") {
		j := bytes.IndexByte(rest, ']')
		if j < 0 {
			return false
		}
		rest = rest[j+1:]
	}
	if !hasPrefix(rest, ": ") {
		return false
	}
	rest = rest[2:]
	action, rest := shortToken(rest)
	dir, rest := shortToken(rest)
	on, rest := shortToken(rest)
	iface, rest := shortToken(rest)
	if string(on) != "on" || len(iface) < 2 || iface[len(iface)-1] != ':' {
		return false
	}
	iface = iface[:len(iface)-1]
	// IPv4 addresses, nearly all of them, are split and checked in the one pass that finds
	// their end; pfAddr and isIP decide every other word.
	src, sport, n, ok := pfIPv4Word(rest, false)
	if ok {
		rest = afterWord(rest, n)
	} else {
		var w []byte
		w, rest = token(rest)
		if src, sport = pfAddr(w); !isIP(src) {
			return false
		}
	}
	gt, rest := shortToken(rest)
	if string(gt) != ">" {
		return false
	}
	dst, dport, n, ok := pfIPv4Word(rest, true)
	if ok {
		rest = afterWord(rest, n)
	} else {
		var w []byte
		w, rest = token(rest)
		if len(w) < 2 || w[len(w)-1] != ':' {
			return false
		}
		if dst, dport = pfAddr(w[:len(w)-1]); !isIP(dst) {
			return false
		}
	}
	e.Format = event.FormatPF
	setLowerWord(e, event.Action, action)
	switch string(dir) {
	case "in":
		e.Set(event.Direction, wordIn)
	case "out":
		e.Set(event.Direction, wordOut)
	}
	e.Set(event.Interface, iface)
	e.Set(event.SourceIP, src)
	e.Set(event.DestinationIP, dst)
	setIf(e, event.SourcePort, sport)
	setIf(e, event.DestinationPort, dport)
	pfPayload(rest, sport != nil, e)
	return true
}

// pfAddr splits tcpdump's "address.port": at the last dot for IPv4 with five parts and for IPv6
// ("2001:db8::1.1234"); an address without a port (ICMP) is returned whole.
func pfAddr(w []byte) (ip, port []byte) {
	i := bytes.LastIndexByte(w, '.')
	if i < 0 {
		return w, nil
	}
	if bytes.IndexByte(w, ':') >= 0 {
		if isIPv4(lastColonPart(w)) {
			return w, nil // ::ffff:1.2.3.4 has no port
		}
		return w[:i], w[i+1:]
	}
	if dots(w) == 4 {
		return w[:i], w[i+1:]
	}
	return w, nil
}

// pfIPv4Word reads the word at the start of b when it is an IPv4 address, with or without a
// port (a.b.c.d or a.b.c.d.port, one to three digits in each part of the address, digits in the
// port), and, when colon is set, a colon after it: the address, the port (nil when absent) and
// the word's length. The word ends at a space or at the end of b. For such a word pfAddr and
// isIPv4 give the same address and port; every other word gives ok=false, for them to decide.
func pfIPv4Word(b []byte, colon bool) (ip, port []byte, n int, ok bool) {
	i := 0
	for part := 0; part < 4; part++ {
		if part > 0 {
			if i >= len(b) || b[i] != '.' {
				return nil, nil, 0, false
			}
			i++
		}
		j := i
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		if i == j || i-j > 3 {
			return nil, nil, 0, false
		}
	}
	ip = b[:i]
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		port = b[j:i]
	}
	if colon {
		if i >= len(b) || b[i] != ':' {
			return nil, nil, 0, false
		}
		i++
	}
	if i < len(b) && b[i] != ' ' {
		return nil, nil, 0, false
	}
	return ip, port, i, true
}

// dots counts the dots of a short word, where bytes.Count's call costs more than the loop.
func dots(w []byte) int {
	n := 0
	for _, c := range w {
		if c == '.' {
			n++
		}
	}
	return n
}

func lastColonPart(w []byte) []byte {
	return w[bytes.LastIndexByte(w, ':')+1:]
}

// pfPayload reads tcpdump's protocol summary after the addresses.
func pfPayload(rest []byte, hasPorts bool, e *event.Event) {
	switch {
	case hasPrefix(rest, "icmp: "):
		e.Set(event.Protocol, wordICMP)
		icmpWords(rest[len("icmp: "):], e)
	case hasPrefix(rest, "icmp6: "):
		e.Set(event.Protocol, wordICMPv6)
	case hasPrefix(rest, "udp ") || hasPrefix(rest, "UDP"):
		e.Set(event.Protocol, wordUDP)
	case hasPrefix(rest, "tcp "):
		e.Set(event.Protocol, wordTCP)
	case hasPrefix(rest, "Flags ["):
		e.Set(event.Protocol, wordTCP)
		if j := bytes.IndexByte(rest, ']'); j > 0 {
			e.Set(event.TCPFlags, rest[len("Flags ["):j])
		}
	case hasPorts:
		flags, _ := token(rest)
		if len(flags) > 2 && flags[0] == '[' && flags[len(flags)-1] == ']' {
			flags = flags[1 : len(flags)-1]
		}
		if isTcpdumpFlags(flags) {
			e.Set(event.Protocol, wordTCP)
			e.Set(event.TCPFlags, flags)
		}
	}
}

// isTcpdumpFlags accepts tcpdump's one-letter TCP flag summary: "S", "S.", ".", "P.", "FP.", "R", "SEW".
func isTcpdumpFlags(w []byte) bool {
	if len(w) == 0 || len(w) > 8 {
		return false
	}
	for _, c := range w {
		switch c {
		case 'S', 'F', 'P', 'R', 'U', 'E', 'W', '.':
		default:
			return false
		}
	}
	return true
}

// icmpWords maps tcpdump's ICMP descriptions to type (and code where the words say it).
func icmpWords(d []byte, e *event.Event) {
	set := func(t, c string) {
		e.SetString(event.ICMPType, t)
		if c != "" {
			e.SetString(event.ICMPCode, c)
		}
	}
	switch {
	case hasPrefix(d, "echo request"):
		set("8", "")
	case hasPrefix(d, "echo reply"):
		set("0", "")
	case hasSuffixWord(d, "unreachable"):
		switch {
		case index(d, "port ") >= 0:
			set("3", "3")
		case index(d, "protocol ") >= 0:
			set("3", "2")
		case hasPrefix(d, "net ") || index(d, " net ") >= 0:
			set("3", "0")
		case hasPrefix(d, "host ") || index(d, " host ") >= 0:
			set("3", "1")
		default:
			set("3", "")
		}
	case hasPrefix(d, "time exceeded"):
		set("11", "")
	case hasPrefix(d, "redirect") || index(d, " redirect ") >= 0:
		set("5", "")
	case hasPrefix(d, "source quench"):
		set("4", "")
	case hasPrefix(d, "router advertisement"):
		set("9", "")
	case hasPrefix(d, "router solicitation"):
		set("10", "")
	case hasPrefix(d, "parameter problem"):
		set("12", "")
	case hasPrefix(d, "time stamp request"):
		set("13", "")
	case hasPrefix(d, "time stamp reply"):
		set("14", "")
	case hasPrefix(d, "information request"):
		set("15", "")
	case hasPrefix(d, "information reply"):
		set("16", "")
	case hasPrefix(d, "address mask request"):
		set("17", "")
	case hasPrefix(d, "address mask is"):
		set("18", "")
	}
}

// hasSuffixWord reports whether word ends the first clause of d (before a comma or the end).
func hasSuffixWord(d []byte, word string) bool {
	if i := bytes.IndexByte(d, ','); i >= 0 {
		d = d[:i]
	}
	return hasSuffix(trimSpace(d), word)
}
