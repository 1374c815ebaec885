package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/event"
)

// parseIpchains parses what follows "Packet log: " in a Linux 2.2 ipchains line:
// "input DENY eth0 PROTO=6 198.51.100.4:3894 192.0.2.8:111 L=60 S=0x00 I=38924 F=0x4000 T=51 SYN (#11)".
// For ICMP, ipchains prints type and code where the ports would be.
func parseIpchains(b []byte, e *event.Event) bool {
	chain, rest := token(b)
	action, rest := token(rest)
	iface, rest := token(rest)
	protoWord, rest := token(rest)
	srcWord, rest := token(rest)
	dstWord, rest := token(rest)
	if !hasPrefix(protoWord, "PROTO=") || len(action) == 0 || len(iface) == 0 {
		return false
	}
	src, sport, ok1 := splitHostPortColon(srcWord)
	dst, dport, ok2 := splitHostPortColon(dstWord)
	if !ok1 || !ok2 {
		return false
	}
	e.Format = event.FormatIpchains
	switch string(chain) {
	case "input":
		e.SetString(event.Direction, "in")
	case "output":
		e.SetString(event.Direction, "out")
	case "forward":
		e.SetString(event.Direction, "forward")
	}
	setLowerWord(e, event.Action, action)
	e.Set(event.Interface, iface)
	e.Set(event.SourceIP, src)
	e.Set(event.DestinationIP, dst)
	proto := protoWord[len("PROTO="):]
	switch string(proto) {
	case "6":
		e.SetString(event.Protocol, "tcp")
	case "17":
		e.SetString(event.Protocol, "udp")
	case "1":
		e.SetString(event.Protocol, "icmp")
	default:
		e.Set(event.Protocol, proto)
	}
	if string(proto) == "1" {
		e.Set(event.ICMPType, sport)
		e.Set(event.ICMPCode, dport)
	} else {
		e.Set(event.SourcePort, sport)
		e.Set(event.DestinationPort, dport)
	}
	// ipchains marks only SYN; the word stands between T= and the rule number.
	for len(rest) > 0 {
		var w []byte
		w, rest = token(rest)
		if string(w) == "SYN" {
			e.Set(event.TCPFlags, w)
			break
		}
	}
	return true
}

// splitHostPortColon splits "1.2.3.4:80" at its last colon; both parts must be present.
func splitHostPortColon(b []byte) (host, port []byte, ok bool) {
	i := bytes.LastIndexByte(b, ':')
	if i <= 0 || i == len(b)-1 {
		return nil, nil, false
	}
	return b[:i], b[i+1:], true
}

// setLowerWord stores an ASCII word in lower case: an interned constant when the vocabulary has
// it, otherwise a lower-cased copy in the event's scratch buffer.
func setLowerWord(e *event.Event, f event.Field, w []byte) {
	// pf logs nearly always say block or pass, in lower case already.
	switch string(w) {
	case "block":
		e.Set(f, wordBlock)
		return
	case "pass":
		e.Set(f, wordPass)
		return
	}
	var buf [16]byte
	if len(w) <= len(buf) {
		n := copy(buf[:], w)
		ascii.LowerInPlace(buf[:n])
		if s, ok := knownWord(buf[:n]); ok {
			e.SetString(f, s)
			return
		}
	}
	v := e.Scratch(w)
	ascii.LowerInPlace(v)
	e.Set(f, v)
}

// knownWord returns the interned constant equal to w, if there is one.
func knownWord(w []byte) (string, bool) {
	switch string(w) {
	case "deny":
		return "deny", true
	case "accept":
		return "accept", true
	case "reject":
		return "reject", true
	case "drop":
		return "drop", true
	case "allow":
		return "allow", true
	case "block":
		return "block", true
	case "pass":
		return "pass", true
	case "match":
		return "match", true
	case "masq":
		return "masq", true
	case "redirect":
		return "redirect", true
	case "reset":
		return "reset", true
	case "unreach":
		return "unreach", true
	case "count":
		return "count", true
	case "divert":
		return "divert", true
	case "tee":
		return "tee", true
	case "skipto":
		return "skipto", true
	case "forward":
		return "forward", true
	case "fwd":
		return "fwd", true
	case "pipe":
		return "pipe", true
	case "queue":
		return "queue", true
	case "nat":
		return "nat", true
	case "denied":
		return "denied", true
	case "permitted":
		return "permitted", true
	}
	return "", false
}
