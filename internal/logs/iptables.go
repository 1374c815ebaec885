package logs

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/event"
)

// parseIptables parses a netfilter LOG target line: an optional kernel uptime stamp, the rule's
// log prefix, then KEY=value words and bare flag words. ICMP errors carry the offending packet in
// brackets; its addresses are skipped so the outer ones stay.
func parseIptables(msg []byte, e *event.Event) bool {
	in := indexIN(msg)
	if in < 0 {
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
	// Every valid line holds at least the words OUT=, SRC=, DST= and PROTO= after IN=, so a shorter
	// rest is refused here, which also spares the loop below messages under eight bytes.
	if len(msg)-in < len("IN= OUT= SRC= DST= PROTO=") {
		return false
	}
	// The values found live in one struct, in memory: as nine locals they would not fit the
	// registers, and the word loop would spill and reload them on every word. They are kept as
	// where they start and end, two numbers to store rather than a slice to build, and sliced once
	// after the loop.
	var f iptFields
	f.flagStart, f.flagEnd = -1, -1
	// The spaces of the line, found sixteen bytes at a time, give where each word ends; each word
	// is then looked at once. Searching for the next space from each word's start cost three
	// times as much, and this is the most frequent line in firewall logs. A run of spaces gives
	// empty words. A line without " OUT=" is refused by the test of outIf below: OUT= is only
	// ever seen as a word after a space.
	var spaces [spaceWindow / 64]uint64
	start := in // where the current word starts
	// The windows are not counted (each starts where the spaces of the one before ended) and
	// every word of spaces is walked, those after the line's end being empty: the fewer values
	// the loops hold, the fewer the compiler reloads after every word.
	window := in
	iptSpaces(msg, window, &spaces)
	// The first word is IN='s, the one the line was found by: it is taken here, and the loop
	// starts at the next word. (When no space ends it within 64 bytes, the loop takes it.)
	if t := spaces[0]; t != 0 {
		end := in + bits.TrailingZeros64(t)
		f.inIf = iptSpan{in + 3, end}
		t &= t - 1
		start = end + 1
		// The kernel writes OUT= next, then MAC= on most lines: they are taken here as well, one
		// comparison each, when spaces of the same 64 bytes end them.
		if t != 0 {
			end := in + bits.TrailingZeros64(t)
			if end-start >= 4 && binary.LittleEndian.Uint32(msg[start:start+4:start+4]) == keyOUT {
				f.outIf = iptSpan{start + 4, end}
				t &= t - 1
				start = end + 1
				if t != 0 {
					end := in + bits.TrailingZeros64(t)
					if end-start >= 4 && binary.LittleEndian.Uint32(msg[start:start+4:start+4]) == keyMAC {
						t &= t - 1
						start = end + 1
					}
				}
			}
		}
		spaces[0] = t
	}
words:
	for {
		base := window // where the spaces of spaces[k] start
		for k := range spaces {
			for t := spaces[k]; t != 0; t &= t - 1 {
				end := base + bits.TrailingZeros64(t)
				ws := start
				start = end + 1
				// Most words are neither short nor of interest: they are turned down by their
				// first four bytes, read before the word itself is sliced.
				if end-ws < 4 {
					if end == ws {
						continue
					}
					word := msg[ws:end]
					if word[0] == '[' {
						break words // embedded original packet of an ICMP error
					}
					if len(word) == 3 {
						if isTCPFlagWord(word) {
							if f.flagStart < 0 {
								f.flagStart = ws
							}
							f.flagEnd = ws + 3
						} else if string(word) == "IN=" {
							f.inIf = iptSpan{ws + 3, ws + 3}
						}
					}
					continue
				}
				// (A full slice expression of four bytes: the compiler then tests fewer bounds and
				// builds no slice.)
				key := binary.LittleEndian.Uint32(msg[ws : ws+4 : ws+4])
				// The key's first three bytes as one number pick the few keys of interest in one
				// switch (the fourth, when the key has one, is tested in its case); every other
				// word (MAC=, LEN=, TOS=, TTL=, ID=, WINDOW=, ...) falls through.
				switch key & 0xffffff {
				case keySRC & 0xffffff:
					if key == keySRC {
						f.src.first(ws+4, end)
					}
				case keyDST & 0xffffff:
					if key == keyDST {
						f.dst.first(ws+4, end)
					}
				case keySPT & 0xffffff:
					if key == keySPT {
						f.spt.first(ws+4, end)
					}
				case keyDPT & 0xffffff:
					if key == keyDPT {
						f.dpt.first(ws+4, end)
					}
				case keyOUT & 0xffffff:
					if key == keyOUT {
						f.outIf = iptSpan{ws + 4, end}
					}
				case keyIN:
					f.inIf = iptSpan{ws + 3, end}
				case keyPROT & 0xffffff:
					if key == keyPROT && end-ws >= 6 && msg[ws+4] == 'O' && msg[ws+5] == '=' {
						f.proto.first(ws+6, end)
					}
				case keyTYPE & 0xffffff:
					if key == keyTYPE && end-ws >= 5 && msg[ws+4] == '=' {
						f.typ.first(ws+5, end)
					}
				case keyCODE & 0xffffff:
					if key == keyCODE && end-ws >= 5 && msg[ws+4] == '=' {
						f.code.first(ws+5, end)
					}
				default:
					if byte(key) == '[' {
						break words // as above
					}
				}
			}
			base += 64
		}
		if base > len(msg) {
			break // the window held the line's end
		}
		window = base
		iptSpaces(msg, window, &spaces)
	}
	if f.outIf.start == 0 || f.src.start == 0 || f.dst.start == 0 || f.proto.start == 0 {
		return false
	}
	// The values are slices of msg, which is not nil (IN= was found in it), or word constants:
	// SetSlice.
	f.spt.set(e, event.SourcePort, msg)
	f.dpt.set(e, event.DestinationPort, msg)
	f.typ.set(e, event.ICMPType, msg)
	f.code.set(e, event.ICMPCode, msg)
	e.Format = event.FormatIptables
	e.SetSlice(event.SourceIP, msg[f.src.start:f.src.end])
	e.SetSlice(event.DestinationIP, msg[f.dst.start:f.dst.end])
	proto := msg[f.proto.start:f.proto.end]
	if w := usualProtocol(proto); w != nil { // the call below is the rare case
		e.SetSlice(event.Protocol, w)
	} else {
		setProtocolName(e, proto)
	}
	if f.flagStart >= 0 {
		e.SetSlice(event.TCPFlags, msg[f.flagStart:f.flagEnd])
	}
	// The interface is IN='s, else OUT='s; which of the two name one gives the direction.
	iface, dir := f.inIf, wordIn
	if f.inIf.end == f.inIf.start {
		iface, dir = f.outIf, wordOut
	} else if f.outIf.end != f.outIf.start {
		dir = wordForward
	}
	if iface.end != iface.start {
		e.SetSlice(event.Direction, dir)
		e.SetSlice(event.Interface, msg[iface.start:iface.end])
	}
	if a := actionFromPrefix(prefix); a != nil {
		e.SetSlice(event.Action, a)
	}
	return true
}

// iptSpaces sets spaces to the spaces of msg's window that starts at window (see spaceMask),
// with the end of the line marked as a space when the window reaches it.
func iptSpaces(msg []byte, window int, spaces *[spaceWindow / 64]uint64) {
	spaceMask(msg, window, spaces)
	if n := uint(len(msg) - window); n < spaceWindow {
		spaces[n>>6] |= 1 << (n & 63) // the end of the line ends its last word
	}
}

// indexIN is index(msg, "IN="). The first '=' of a netfilter line is nearly always IN='s, which
// is then taken by two byte tests; otherwise indexVia searches.
func indexIN(msg []byte) int {
	if i := bytes.IndexByte(msg, '='); i >= 2 && msg[i-2] == 'I' && msg[i-1] == 'N' {
		return i - 2
	}
	return indexVia(msg, "IN=", 2)
}

// iptFields are the values parseIptables keeps of a netfilter line.
type iptFields struct {
	inIf, outIf, src, dst, proto, spt, dpt, typ, code iptSpan
	flagStart, flagEnd                                int
}

// iptSpan is where a value of a netfilter line starts and ends in it. A start of 0 is a value not
// found: a value found starts after its key.
type iptSpan struct{ start, end int }

// first keeps the first value found.
func (s *iptSpan) first(start, end int) {
	if s.start == 0 {
		*s = iptSpan{start, end}
	}
}

// set sets f to the value in msg, if found.
func (s iptSpan) set(e *event.Event, f event.Field, msg []byte) {
	if s.start != 0 {
		e.SetSlice(f, msg[s.start:s.end])
	}
}

// The first four bytes of the netfilter keys parseIptables reads, as little-endian numbers.
const (
	keySRC  = 'S' | 'R'<<8 | 'C'<<16 | '='<<24
	keyDST  = 'D' | 'S'<<8 | 'T'<<16 | '='<<24
	keySPT  = 'S' | 'P'<<8 | 'T'<<16 | '='<<24
	keyDPT  = 'D' | 'P'<<8 | 'T'<<16 | '='<<24
	keyOUT  = 'O' | 'U'<<8 | 'T'<<16 | '='<<24
	keyMAC  = 'M' | 'A'<<8 | 'C'<<16 | '='<<24 // read by nothing, skipped
	keyPROT = 'P' | 'R'<<8 | 'O'<<16 | 'T'<<24
	keyTYPE = 'T' | 'Y'<<8 | 'P'<<16 | 'E'<<24
	keyCODE = 'C' | 'O'<<8 | 'D'<<16 | 'E'<<24
	keyIN   = 'I' | 'N'<<8 | '='<<16 // three bytes
)

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
// this runs for every netfilter line: a table turns down the bytes that start no verdict word.
func actionFromPrefix(prefix []byte) []byte {
	for i, c := range prefix {
		if !verdictFirst[c] {
			continue
		}
		if v := verdictAt(prefix[i:]); v != nil {
			return v
		}
	}
	return nil
}

// verdictAt returns the verdict word that rest starts with, in any case, or nil. The words are
// compared four (and two) bytes at a time with bit 5 set in every byte, which lowers an upper-case
// letter and turns no other byte into a lower-case one.
func verdictAt(rest []byte) []byte {
	if len(rest) < 4 {
		return nil
	}
	switch binary.LittleEndian.Uint32(rest) | 0x20202020 {
	case 'd' | 'r'<<8 | 'o'<<16 | 'p'<<24:
		return wordDrop
	case 'd' | 'e'<<8 | 'n'<<16 | 'y'<<24:
		return wordDeny
	case 'r' | 'e'<<8 | 'j'<<16 | 'e'<<24:
		if len(rest) >= 6 && binary.LittleEndian.Uint16(rest[4:])|0x2020 == 'c'|'t'<<8 {
			return wordReject
		}
	case 'b' | 'l'<<8 | 'o'<<16 | 'c'<<24:
		if len(rest) >= 5 && rest[4]|0x20 == 'k' {
			return wordBlock
		}
	case 'a' | 'c'<<8 | 'c'<<16 | 'e'<<24:
		if len(rest) >= 6 && binary.LittleEndian.Uint16(rest[4:])|0x2020 == 'p'|'t'<<8 {
			return wordAccept
		}
	case 'a' | 'l'<<8 | 'l'<<16 | 'o'<<24:
		if len(rest) >= 5 && rest[4]|0x20 == 'w' {
			return wordAllow
		}
	}
	return nil
}

// verdictFirst holds the first letters of the verdict words, in both cases.
var verdictFirst = [256]bool{'d': true, 'D': true, 'r': true, 'R': true, 'b': true, 'B': true, 'a': true, 'A': true}

// usualProtocol returns the name of tcp, udp and icmp in any case, else nil: each is compared as
// one number (setting bit 5 of every byte lowers an upper-case letter and turns no other byte
// into a lower-case one), in a function small enough to be inlined in setProtocolName's callers.
func usualProtocol(proto []byte) []byte {
	if len(proto) == 3 {
		switch uint32(proto[0]) | uint32(proto[1])<<8 | uint32(proto[2])<<16 | 0x202020 {
		case 't' | 'c'<<8 | 'p'<<16:
			return wordTCP
		case 'u' | 'd'<<8 | 'p'<<16:
			return wordUDP
		}
	} else if len(proto) == 4 && binary.LittleEndian.Uint32(proto)|0x20202020 == 'i'|'c'<<8|'m'<<16|'p'<<24 {
		return wordICMP
	}
	return nil
}

// setProtocolName stores a protocol as a lower-case name; numbers and unknown names are kept as
// given (lower-cased through the scratch buffer when needed).
func setProtocolName(e *event.Event, proto []byte) {
	if w := usualProtocol(proto); w != nil {
		e.SetSlice(event.Protocol, w)
		return
	}
	switch {
	case ascii.EqualFold(proto, "tcp"):
		e.Set(event.Protocol, wordTCP)
		return
	case ascii.EqualFold(proto, "udp"):
		e.Set(event.Protocol, wordUDP)
		return
	case ascii.EqualFold(proto, "icmp"):
		e.Set(event.Protocol, wordICMP)
		return
	}
	for _, n := range [...]string{"icmpv6", "igmp", "gre", "esp", "ah", "sctp"} {
		if ascii.EqualFold(proto, n) {
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
	ascii.LowerInPlace(v)
	e.Set(event.Protocol, v)
}
