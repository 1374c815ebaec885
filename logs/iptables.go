package logs

import (
	"bytes"

	"github.com/keikai-project/keikai/event"
)

// parseIptables parses a netfilter LOG target line: an optional kernel uptime stamp, the rule's
// log prefix, then KEY=value words and bare flag words. ICMP errors carry the offending packet in
// brackets; its addresses are skipped so the outer ones stay.
func parseIptables(msg []byte, e *event.Event) bool {
	in := index(msg, "IN=")
	if in < 0 || index(msg[in:], " OUT=") < 0 {
		return false
	}
	prefix := msg[:in]
	// Skip the kernel's uptime stamp ("[12345.678901] "), but not a bracketed log prefix such as
	// "[UFW BLOCK] ", which carries the verdict.
	if len(prefix) > 1 && prefix[0] == '[' && (isDigit(prefix[1]) || prefix[1] == ' ') {
		if j := bytes.IndexByte(prefix, ']'); j > 0 {
			prefix = prefix[j+1:]
		}
	}
	var inIf, outIf, src, dst, proto, spt, dpt, typ, code []byte
	var haveOut bool
	flagStart, flagEnd := -1, -1
	// Jump from '=' to '=' with IndexByte instead of inspecting every byte: the KEY=value words
	// are found from their '=', and the bare words between them (DF, SYN, ACK, ...) are the only
	// stretches looked at word by word. This is the most frequent line in firewall logs.
	bare := func(from, to int) {
		for from < to {
			for from < to && msg[from] == ' ' {
				from++
			}
			end := from
			for end < to && msg[end] != ' ' {
				end++
			}
			if end > from && isTCPFlagWord(msg[from:end]) {
				if flagStart < 0 {
					flagStart = from
				}
				flagEnd = end
			}
			from = end
		}
	}
	pos := in
	for pos < len(msg) {
		rel := bytes.IndexByte(msg[pos:], '=')
		if rel < 0 {
			bare(pos, len(msg))
			break
		}
		eq := pos + rel
		keyStart := pos
		if sp := bytes.LastIndexByte(msg[pos:eq], ' '); sp >= 0 {
			keyStart = pos + sp + 1
		}
		if open := bytes.IndexByte(msg[pos:keyStart], '['); open >= 0 {
			bare(pos, pos+open)
			break // embedded original packet of an ICMP error
		}
		if keyStart > pos {
			bare(pos, keyStart)
		}
		if msg[keyStart] == '[' {
			break
		}
		end := len(msg)
		if sp := bytes.IndexByte(msg[eq+1:], ' '); sp >= 0 {
			end = eq + 1 + sp
		}
		val := msg[eq+1 : end]
		switch string(msg[keyStart:eq]) {
		case "IN":
			inIf = val
		case "OUT":
			outIf, haveOut = val, true
		case "SRC":
			src = firstOf(src, val)
		case "DST":
			dst = firstOf(dst, val)
		case "PROTO":
			proto = firstOf(proto, val)
		case "SPT":
			spt = firstOf(spt, val)
		case "DPT":
			dpt = firstOf(dpt, val)
		case "TYPE":
			typ = firstOf(typ, val)
		case "CODE":
			code = firstOf(code, val)
		}
		pos = end
	}
	if !haveOut || src == nil || dst == nil || proto == nil {
		return false
	}
	setIf(e, event.SourcePort, spt)
	setIf(e, event.DestinationPort, dpt)
	setIf(e, event.IcmpType, typ)
	setIf(e, event.IcmpCode, code)
	e.Format = event.FormatIptables
	e.Set(event.SourceIp, src)
	e.Set(event.DestinationIp, dst)
	setProtocolName(e, proto)
	if flagStart >= 0 {
		e.Set(event.TcpFlags, msg[flagStart:flagEnd])
	}
	switch {
	case len(inIf) > 0 && len(outIf) == 0:
		e.Set(event.Direction, wordIn)
	case len(inIf) == 0 && len(outIf) > 0:
		e.Set(event.Direction, wordOut)
	case len(inIf) > 0 && len(outIf) > 0:
		e.Set(event.Direction, wordForward)
	}
	if len(inIf) > 0 {
		e.Set(event.Interface, inIf)
	} else if len(outIf) > 0 {
		e.Set(event.Interface, outIf)
	}
	if a := actionFromPrefix(prefix); a != nil {
		e.Set(event.Action, a)
	}
	return true
}

// firstOf keeps the first value seen for a key.
func firstOf(have, v []byte) []byte {
	if have != nil {
		return have
	}
	return v
}

// setIf sets f only when v was found.
func setIf(e *event.Event, f event.Field, v []byte) {
	if v != nil {
		e.Set(f, v)
	}
}

func isTCPFlagWord(w []byte) bool {
	switch string(w) {
	case "CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN":
		return true
	}
	return false
}

// actionFromPrefix finds the verdict word a log prefix usually carries ("[UFW BLOCK] ",
// "Shorewall:net2fw:DROP:", "INPUT-REJECT "); the first one in the prefix wins. One pass, as
// this runs for every netfilter line.
func actionFromPrefix(prefix []byte) []byte {
	for i := 0; i < len(prefix); i++ {
		rest := prefix[i:]
		switch prefix[i] | 0x20 {
		case 'd':
			if hasPrefixFold(rest, "DROP") {
				return wordDrop
			}
			if hasPrefixFold(rest, "DENY") {
				return wordDeny
			}
		case 'r':
			if hasPrefixFold(rest, "REJECT") {
				return wordReject
			}
		case 'b':
			if hasPrefixFold(rest, "BLOCK") {
				return wordBlock
			}
		case 'a':
			if hasPrefixFold(rest, "ACCEPT") {
				return wordAccept
			}
			if hasPrefixFold(rest, "ALLOW") {
				return wordAllow
			}
		}
	}
	return nil
}

// setProtocolName stores a protocol as a lower-case name; numbers and unknown names are kept as
// given (lower-cased through the scratch buffer when needed).
func setProtocolName(e *event.Event, proto []byte) {
	switch {
	case equalFold(proto, "tcp"):
		e.Set(event.Protocol, wordTCP)
		return
	case equalFold(proto, "udp"):
		e.Set(event.Protocol, wordUDP)
		return
	case equalFold(proto, "icmp"):
		e.Set(event.Protocol, wordICMP)
		return
	}
	for _, n := range [...]string{"icmpv6", "igmp", "gre", "esp", "ah", "sctp"} {
		if equalFold(proto, n) {
			e.SetString(event.Protocol, n)
			return
		}
	}
	lower := true
	for _, c := range proto {
		if c >= 'A' && c <= 'Z' {
			lower = false
			break
		}
	}
	if lower {
		e.Set(event.Protocol, proto)
		return
	}
	v := e.Scratch(proto)
	for i, c := range v {
		if c >= 'A' && c <= 'Z' {
			v[i] = c + 'a' - 'A'
		}
	}
	e.Set(event.Protocol, v)
}
