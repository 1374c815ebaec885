package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/internal/event"
)

// parseCiscoACL parses an IOS access-list log message starting at "%SEC-6-IPACCESSLOG":
//
//	%SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.4(1929) -> 192.0.2.8(80), 1 packet
//	%SEC-6-IPACCESSLOGDP: list 101 denied icmp 198.51.100.4 -> 192.0.2.8 (8/0), 1 packet
//	%SEC-6-IPACCESSLOGS: list 10 denied 198.51.100.4 1 packet
//	%SEC-6-IPACCESSLOGNP: list 110 denied 47 198.51.100.4 -> 192.0.2.8, 1 packet
//
// An interface may follow the source in parentheses: "198.51.100.4(1929) (Serial0/0 ) ->".
func parseCiscoACL(b []byte, e *event.Event) bool {
	const marker = "%SEC-6-IPACCESSLOG"
	colon := bytes.Index(b, []byte(": list "))
	if colon < len(marker) || colon > 24 || !hasPrefix(b, marker) {
		return false
	}
	mnemonic := b[len(marker):colon]
	switch string(mnemonic) {
	case "P", "DP", "S", "NP", "RP":
	default:
		return false // RL (rate-limit notices) and unknown variants carry no packet
	}
	rest := b[colon+len(": list "):]
	_, rest = token(rest) // ACL number or name
	action, rest := token(rest)
	if string(action) != "denied" && string(action) != "permitted" {
		return false
	}
	first, rest := token(rest)
	var proto []byte
	if bytes.IndexByte(first, '.') < 0 && bytes.IndexByte(first, ':') < 0 {
		proto = first
		first, rest = token(rest)
	}
	src, sport := ciscoAddr(first)
	if !isIP(src) {
		return false
	}
	rest, iface := ciscoInterface(rest)
	var dst, dport []byte
	if hasPrefix(rest, "-> ") {
		var w []byte
		w, rest = token(rest[3:])
		w = bytes.TrimSuffix(w, []byte(","))
		dst, dport = ciscoAddr(w)
		if !isIP(dst) {
			return false
		}
	}
	e.Format = event.FormatCiscoACL
	if action[0] == 'd' {
		e.Set(event.Action, wordDenied)
	} else {
		e.Set(event.Action, wordPermit)
	}
	e.Set(event.SourceIP, src)
	setIf(e, event.DestinationIP, dst)
	if proto != nil {
		setProtocolName(e, proto)
	}
	setIf(e, event.Interface, iface)
	if string(proto) == "icmp" {
		// "(8/0)" after the destination holds type and code.
		if hasPrefix(rest, "(") {
			if j := bytes.IndexByte(rest, ')'); j > 0 {
				tc := rest[1:j]
				if s := bytes.IndexByte(tc, '/'); s > 0 {
					e.Set(event.ICMPType, tc[:s])
					e.Set(event.ICMPCode, tc[s+1:])
				}
			}
		}
	} else {
		setIf(e, event.SourcePort, sport)
		setIf(e, event.DestinationPort, dport)
	}
	return true
}

// ciscoAddr splits "1.2.3.4(80)" into address and port; the port is nil when absent.
func ciscoAddr(w []byte) (ip, port []byte) {
	w = bytes.TrimSuffix(w, []byte(","))
	i := bytes.IndexByte(w, '(')
	if i < 0 {
		return w, nil
	}
	j := bytes.IndexByte(w[i:], ')')
	if j < 0 {
		return w[:i], nil
	}
	return w[:i], w[i+1 : i+j]
}

// ciscoInterface consumes an optional "(Serial0/0 )" or "(FastEthernet0/0 0011.2233.4455)" group
// and returns the interface name.
func ciscoInterface(rest []byte) ([]byte, []byte) {
	if len(rest) == 0 || rest[0] != '(' {
		return rest, nil
	}
	j := bytes.IndexByte(rest, ')')
	if j < 0 {
		return rest, nil
	}
	inner := trimSpace(rest[1:j])
	if allDigitsOrSlash(inner) {
		return rest, nil // "(8/0)" after a destination is ICMP, not an interface
	}
	name, _ := token(inner)
	return skipSpaces(rest[j+1:]), name
}

func allDigitsOrSlash(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) && c != '/' {
			return false
		}
	}
	return true
}
