package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/event"
)

// parseIpfw parses a FreeBSD ipfw log message:
// "ipfw: 2700 Deny TCP 10.9.8.7:1103 192.0.2.78:135 in via tun0",
// "ipfw: 100 Accept ICMP:8.0 1.2.3.4 5.6.7.8 out via xl0", optionally followed by "Fragment = N".
// Actions that take an argument ("Unreach 3", "Divert 8668", "Forward to 1.2.3.4") have it skipped.
func parseIpfw(msg []byte, e *event.Event) bool {
	if !hasPrefix(msg, "ipfw: ") {
		return false
	}
	rule, rest := token(msg[len("ipfw: "):])
	action, rest := token(rest)
	if !allDigits(rule) || len(action) == 0 {
		return false
	}
	var proto []byte
	for i := 0; i < 4 && len(rest) > 0; i++ {
		var w []byte
		w, rest = token(rest)
		if isIpfwProto(w) {
			proto = w
			break
		}
	}
	if proto == nil {
		return false
	}
	srcWord, rest := token(rest)
	dstWord, rest := token(rest)
	dir, rest := token(rest)
	how, rest := token(rest)
	iface, _ := token(rest)
	if len(srcWord) == 0 || len(dstWord) == 0 {
		return false
	}
	isICMP := hasPrefix(proto, "ICMP")
	src, sport := ipfwAddr(srcWord, isICMP)
	dst, dport := ipfwAddr(dstWord, isICMP)
	if !isIP(src) || !isIP(dst) {
		return false
	}
	e.Format = event.FormatIpfw
	setLowerWord(e, event.Action, action)
	e.Set(event.SourceIP, src)
	e.Set(event.DestinationIP, dst)
	setIf(e, event.SourcePort, sport)
	setIf(e, event.DestinationPort, dport)
	switch {
	case string(proto) == "TCP":
		e.SetString(event.Protocol, "tcp")
	case string(proto) == "UDP":
		e.SetString(event.Protocol, "udp")
	case isICMP:
		name := "icmp"
		if hasPrefix(proto, "ICMPv6") {
			name = "icmpv6"
		}
		e.SetString(event.Protocol, name)
		if c := bytes.IndexByte(proto, ':'); c >= 0 {
			tc := proto[c+1:]
			if d := bytes.IndexByte(tc, '.'); d >= 0 {
				e.Set(event.ICMPType, tc[:d])
				e.Set(event.ICMPCode, tc[d+1:])
			} else {
				e.Set(event.ICMPType, tc)
			}
		}
	case hasPrefix(proto, "P:"):
		e.Set(event.Protocol, proto[2:])
	}
	if string(how) == "via" || string(how) == "recv" || string(how) == "xmit" {
		switch string(dir) {
		case "in":
			e.SetString(event.Direction, "in")
		case "out":
			e.SetString(event.Direction, "out")
		}
		if len(iface) > 0 {
			e.Set(event.Interface, iface)
		}
	}
	return true
}

func isIpfwProto(w []byte) bool {
	return string(w) == "TCP" || string(w) == "UDP" || hasPrefix(w, "ICMP") ||
		(hasPrefix(w, "P:") && allDigits(w[2:]))
}

// ipfwAddr splits "1.2.3.4:80" or "[2001:db8::1]:80"; ICMP addresses have no port.
func ipfwAddr(w []byte, icmp bool) (ip, port []byte) {
	if len(w) > 0 && w[0] == '[' {
		if j := bytes.IndexByte(w, ']'); j > 0 {
			ip = w[1:j]
			if j+1 < len(w) && w[j+1] == ':' {
				port = w[j+2:]
			}
			return ip, port
		}
	}
	if icmp || isIPv6(w) {
		return w, nil
	}
	if i := bytes.LastIndexByte(w, ':'); i > 0 {
		return w[:i], w[i+1:]
	}
	return w, nil
}
