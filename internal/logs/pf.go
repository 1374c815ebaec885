package logs

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"

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
	// The label is a few bytes, where a loop costs less than bytes.IndexByte's call.
	opening := 0
	for opening < len(b) && b[opening] != '(' {
		opening++
	}
	if opening >= len(b) || opening > 64 {
		return false
	}
	var r []byte // the text after the label's ": "
	if isMatchColon(b[opening:]) {
		// Nearly every label ends so: no ')' to look for, no " [uid ...]" to pass over.
		r = b[opening+len("(match): "):]
	} else {
		shut := opening
		for shut < len(b) && b[shut] != ')' {
			shut++
		}
		if shut >= len(b) {
			return false
		}
		rest := b[shut+1:]
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
		r = rest[2:]
	}
	// The four short words as shortToken would take them, by their places in r. The first three
	// are nearly always "block in on", compared at once.
	var rest []byte
	var action, dir []byte
	start := len("block in on ")
	block := isBlockInOn(r) // action is then block, not set
	if block {
		dir = r[len("block "):len("block in")]
	} else {
		end := wordEnd(r, 0)
		action = r[:end]
		start = min(end+1, len(r))
		end = wordEnd(r, start)
		dir = r[start:end]
		start = min(end+1, len(r))
		end = wordEnd(r, start)
		if string(r[start:end]) != "on" {
			return false
		}
		start = min(end+1, len(r))
	}
	end := wordEnd(r, start)
	iface := r[start:end]
	rest = r[min(end+1, len(r)):]
	if len(iface) < 2 || iface[len(iface)-1] != ':' {
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
	// The values are slices of the line or the word constants, never nil: SetSlice.
	if block {
		e.SetSlice(event.Action, wordBlock)
	} else {
		setLowerWord(e, event.Action, action)
	}
	switch string(dir) {
	case "in":
		e.SetSlice(event.Direction, wordIn)
	case "out":
		e.SetSlice(event.Direction, wordOut)
	}
	e.SetSlice(event.Interface, iface)
	e.SetSlice(event.SourceIP, src)
	e.SetSlice(event.DestinationIP, dst)
	if sport != nil {
		e.SetSlice(event.SourcePort, sport)
	}
	if dport != nil {
		e.SetSlice(event.DestinationPort, dport)
	}
	pfPayload(rest, sport != nil, e)
	return true
}

// isMatchColon is hasPrefix(b, "(match): ") as one load of eight bytes and one of the ninth.
func isMatchColon(b []byte) bool {
	return len(b) >= 9 && binary.LittleEndian.Uint64(b) == '('|'m'<<8|'a'<<16|'t'<<24|'c'<<32|'h'<<40|')'<<48|':'<<56 && b[8] == ' '
}

// isBlockInOn is hasPrefix(r, "block in on ") as two loads and two comparisons, where the
// string comparison would call memequal.
func isBlockInOn(r []byte) bool {
	return len(r) >= 12 && binary.LittleEndian.Uint64(r) == 'b'|'l'<<8|'o'<<16|'c'<<24|'k'<<32|' '<<40|'i'<<48|'n'<<56 &&
		binary.LittleEndian.Uint32(r[8:]) == ' '|'o'<<8|'n'<<16|' '<<24
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
//
// It reads the first 16 bytes as two words of eight, and the next eight only when digits and dots
// fill those, which give one bit per byte for digits and one for dots; the rules are then tests
// on those bits. Input shorter than 24 bytes, or a word that fills them, goes to
// pfIPv4WordBytes.
func pfIPv4Word(b []byte, colon bool) (ip, port []byte, n int, ok bool) {
	if len(b) < 24 {
		return pfIPv4WordBytes(b, colon)
	}
	x0, x1 := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	digit := gatherHighBits(digitBytes(x0)) | gatherHighBits(digitBytes(x1))<<8
	dot := gatherHighBits(dotBytes(x0)) | gatherHighBits(dotBytes(x1))<<8
	if digit|dot == 1<<16-1 { // the word goes on past the first sixteen bytes (a destination seldom does)
		x2 := binary.LittleEndian.Uint64(b[16:])
		digit |= gatherHighBits(digitBytes(x2)) << 16
		dot |= gatherHighBits(dotBytes(x2)) << 16
	}
	end := bits.TrailingZeros64(^(digit | dot)) // the first byte that is neither
	if end >= 24 {
		return pfIPv4WordBytes(b, colon)
	}
	n = end
	if colon {
		if b[n] != ':' {
			return nil, nil, 0, false
		}
		n++
	}
	if n < len(b) && b[n] != ' ' {
		return nil, nil, 0, false
	}
	dot &= 1<<(end&63) - 1 // (&63: end < 24; spares the shift its test for 64 and more)
	addr := end            // where the address ends: before a fourth dot, which starts the port
	switch bits.OnesCount64(dot) {
	case 3:
	case 4:
		addr = 63 - bits.LeadingZeros64(dot)
	default:
		return nil, nil, 0, false
	}
	// With three dots in the address (addr >= 3): none first, last or after another, and no
	// four digits in a row.
	in := uint64(1)<<(addr&63) - 1
	dot, digit = dot&in, digit&in
	if dot&(1|1<<((addr-1)&63)|dot>>1) != 0 || digit&(digit>>1)&(digit>>2)&(digit>>3) != 0 {
		return nil, nil, 0, false
	}
	if addr < end {
		port = b[addr+1 : end]
	}
	return b[:addr], port, n, true
}

// pfIPv4WordBytes is pfIPv4Word byte by byte.
func pfIPv4WordBytes(b []byte, colon bool) (ip, port []byte, n int, ok bool) {
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
	// Values are word constants or slices of the line (never nil): SetSlice.
	var c byte // the first byte picks the one or two prefixes to try
	if len(rest) > 0 {
		c = rest[0]
	}
	switch {
	case c == 'i' && hasPrefix(rest, "icmp: "):
		e.SetSlice(event.Protocol, wordICMP)
		icmpWords(rest[len("icmp: "):], e)
	case c == 'i' && hasPrefix(rest, "icmp6: "):
		e.SetSlice(event.Protocol, wordICMPv6)
	case c == 'u' && hasPrefix(rest, "udp "), c == 'U' && hasPrefix(rest, "UDP"):
		e.SetSlice(event.Protocol, wordUDP)
	case c == 't' && hasPrefix(rest, "tcp "):
		e.SetSlice(event.Protocol, wordTCP)
	case c == 'F' && hasPrefix(rest, "Flags ["):
		e.SetSlice(event.Protocol, wordTCP)
		if j := bytes.IndexByte(rest, ']'); j > 0 {
			e.SetSlice(event.TCPFlags, rest[len("Flags ["):j])
		}
	case hasPorts:
		flags, _ := shortToken(rest)
		if len(flags) > 2 && flags[0] == '[' && flags[len(flags)-1] == ']' {
			flags = flags[1 : len(flags)-1]
		}
		if isTcpdumpFlags(flags) {
			e.SetSlice(event.Protocol, wordTCP)
			e.SetSlice(event.TCPFlags, flags)
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

// icmpNumbers are the ICMP types and codes icmpWords sets, "0" to "18", as word slices: SetString's
// map lookup cost more than the rest of an ICMP line's payload. They are the slices SetString
// would set (the parser's init interns the numbers, and event.Word gives one slice per string).
var icmpNumbers = func() (w [19][]byte) {
	for i := range w {
		w[i] = event.Word(strconv.Itoa(i))
	}
	return w
}()

// icmpWords maps tcpdump's ICMP descriptions to type (and code where the words say it).
func icmpWords(d []byte, e *event.Event) {
	t, c := icmpTypeCode(d)
	if t < 0 {
		return
	}
	e.SetSlice(event.ICMPType, icmpNumbers[t])
	if c >= 0 {
		e.SetSlice(event.ICMPCode, icmpNumbers[c])
	}
}

// icmpTypeCode returns the ICMP type that tcpdump's description d names, or -1, and the code
// where the words say it, else -1.
func icmpTypeCode(d []byte) (typ, code int) {
	switch {
	case hasPrefix(d, "echo request"):
		return 8, -1
	case hasPrefix(d, "echo reply"):
		return 0, -1
	case hasSuffixWord(d, "unreachable"):
		switch {
		case index(d, "port ") >= 0:
			return 3, 3
		case index(d, "protocol ") >= 0:
			return 3, 2
		case hasPrefix(d, "net ") || index(d, " net ") >= 0:
			return 3, 0
		case hasPrefix(d, "host ") || index(d, " host ") >= 0:
			return 3, 1
		default:
			return 3, -1
		}
	case hasPrefix(d, "time exceeded"):
		return 11, -1
	case hasPrefix(d, "redirect") || index(d, " redirect ") >= 0:
		return 5, -1
	case hasPrefix(d, "source quench"):
		return 4, -1
	case hasPrefix(d, "router advertisement"):
		return 9, -1
	case hasPrefix(d, "router solicitation"):
		return 10, -1
	case hasPrefix(d, "parameter problem"):
		return 12, -1
	case hasPrefix(d, "time stamp request"):
		return 13, -1
	case hasPrefix(d, "time stamp reply"):
		return 14, -1
	case hasPrefix(d, "information request"):
		return 15, -1
	case hasPrefix(d, "information reply"):
		return 16, -1
	case hasPrefix(d, "address mask request"):
		return 17, -1
	case hasPrefix(d, "address mask is"):
		return 18, -1
	}
	return -1, -1
}

// hasSuffixWord reports whether word ends the first clause of d (before a comma or the end).
func hasSuffixWord(d []byte, word string) bool {
	if i := bytes.IndexByte(d, ','); i >= 0 {
		d = d[:i]
	}
	return hasSuffix(trimSpace(d), word)
}
