package logs

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/keikai-project/keikai/internal/event"
)

// isASAMarker reports whether rest, the text after a '%', is "ASA-", "PIX-" or "FWSM-" followed by
// a level digit, a dash and a six-digit message number of the packet-filter families 106xxx and
// 710xxx.
func isASAMarker(rest []byte) bool {
	var n int
	switch {
	case hasPrefix(rest, "ASA-"), hasPrefix(rest, "PIX-"):
		n = 4
	case hasPrefix(rest, "FWSM-"):
		n = 5
	default:
		return false
	}
	// The level digit, '-', and the message number as eight bytes: six digits, ':' and one
	// more, read at once.
	if len(rest) < n+10 || !isDigit(rest[n]) || rest[n+1] != '-' {
		return false
	}
	x := binary.LittleEndian.Uint64(rest[n+2:])
	return digitBytes(x)&0x808080808080 == 0x808080808080 && byte(x>>48) == ':' &&
		(x&0xffffff == '1'|'0'<<8|'6'<<16 || x&0xffffff == '7'|'1'<<8|'0'<<16)
}

// parseCiscoASA parses the access decisions of Cisco ASA, PIX and FWSM firewalls, starting at
// the marker:
//
//	%ASA-4-106023: Deny tcp src outside:198.51.100.4/3345 dst inside:192.0.2.8/80 by access-group "outside_in" [0x0, 0x0]
//	%PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 to 192.0.2.8/23 flags SYN  on interface outside
//	%PIX-2-106006: Deny inbound UDP from 198.51.100.4/1029 to 192.0.2.8/137 on interface outside
//	%ASA-4-106023: Deny icmp src outside:198.51.100.4 dst inside:192.0.2.8 (type 8, code 0) by access-group "acl"
//	%ASA-6-106100: access-list acl_out denied tcp outside/198.51.100.4(3345) -> inside/192.0.2.8(80) hit-cnt 1 first hit [0x0, 0x0]
//	%ASA-3-710003: TCP access denied by ACL from 198.51.100.4/3345 to outside:192.0.2.8/22
func parseCiscoASA(b []byte, e *event.Event, skip asaSkip) bool {
	colon := bytes.IndexByte(b, ':')
	if colon < 0 || colon+2 > len(b) {
		return false
	}
	msg := b[colon+2:]
	// Most lines are 106023's "Deny", 106001's "Inbound" and 106100's "access-list" in their
	// common form, which are read word by word in one pass; parseCiscoASAWords takes every
	// other message.
	var f asaFields
	if asaDenyFast(msg, &f) {
		e.SetSlice(event.Protocol, f.proto)
		iface := asaPhrases(msg, f.iface, e, skip)
		asaSet(e, wordDeny, &f, iface)
		return true
	}
	if f = (asaFields{}); asaInboundFast(msg, &f) {
		e.SetSlice(event.Direction, wordIn)
		e.SetSlice(event.Protocol, f.proto)
		iface := asaPhrases(msg, nil, e, skip)
		asaSet(e, wordDenied, &f, iface)
		return true
	}
	if f = (asaFields{}); asaListFast(msg, &f) {
		if f.proto != nil {
			e.SetSlice(event.Protocol, f.proto)
		}
		asaSet(e, wordDenied, &f, f.iface)
		return true
	}
	return parseCiscoASAWords(msg, e, skip)
}

// parseCiscoASAWords is parseCiscoASA for every message (msg, after the marker's colon).
func parseCiscoASAWords(msg []byte, e *event.Event, skip asaSkip) bool {
	// The words and the phrases " src ", " dst ", " from ", " to ", " denied ", ... are found
	// by stepping from space to space of the message, found once.
	var sp spaceIndex
	sp.init(msg)
	// The places of the phrases; an access-list line needs only its verdict.
	deny, list := hasPrefix(msg, "Deny "), hasPrefix(msg, "access-list ")
	end := len(msg)
	if list {
		end = 64
	}
	at := asaPlacesOf(&sp, !deny, end)
	words := 0 // where the words that may name the protocol start
	var action []byte
	switch {
	case deny:
		action = wordDeny
		words = len("Deny ")
	case at.denied:
		action = wordDenied
	case at.permitted:
		action = wordPermit
	default:
		return false
	}
	var src, sport, dst, dport, iface []byte
	var srcOK, dstOK bool // isIP(src), isIP(dst)
	switch {
	case list:
		// "access-list NAME denied PROTO IF/SRC(PORT) -> IF/DST(PORT) ..."
		i := sp.next(len("access-list ")) + 1 // past the name
		i = sp.next(min(i, len(msg))) + 1     // past the verdict
		i = min(i, len(msg))
		proto := sp.word(i)
		setASAProtocol(proto, e)
		i = min(i+len(proto)+1, len(msg))
		from := sp.word(i)
		i = min(i+len(from)+1, len(msg))
		if !hasPrefix(msg[i:], "-> ") {
			return false
		}
		to := sp.word(i + 3)
		iface, src, sport = asaSlashEndpoint(from)
		_, dst, dport = asaSlashEndpoint(to)
		srcOK, dstOK = isIP(src), isIP(dst)
	default:
		// The protocol is the first protocol word: "Deny tcp", "Deny inbound UDP",
		// "Inbound TCP connection", "TCP access denied".
		// stop is where the word the loop stopped at starts: a word "src" or "from" ends the
		// loop, so " src " and " from " cannot occur before the space in front of it.
		stop := words
		for pos := words; ; {
			w := sp.word(pos)
			if len(w) == 0 {
				break
			}
			stop = pos
			pos = min(pos+len(w)+1, len(msg))
			if setASAProtocol(w, e) {
				break
			}
			if bytes.EqualFold(w, []byte("inbound")) {
				e.SetSlice(event.Direction, wordIn)
			} else if bytes.EqualFold(w, []byte("outbound")) {
				e.SetSlice(event.Direction, wordOut)
			}
			if pos == len(msg) || string(w) == "src" || string(w) == "from" {
				break
			}
		}
		stop = max(stop-1, 0)
		var from, to []byte
		switch {
		case at.partial:
			from, to = asaEndpointsFrom(&sp, stop)
		case at.src >= stop:
			// The first " src " is where the search from stop would find it (at.src >= 0).
			from = sp.word(at.src + len(" src "))
			if at.dst >= 0 {
				to = sp.word(at.dst + len(" dst "))
			}
		case at.src < 0 && at.from >= stop:
			from = sp.word(at.from + len(" from "))
			if at.to >= 0 {
				to = sp.word(at.to + len(" to "))
			}
		case at.src < 0 && at.from < 0:
			// neither phrase
		default:
			// A phrase before stop: the searches from stop decide.
			from, to = asaEndpointsFrom(&sp, stop)
		}
		from = trimParensComma(from)
		to = trimParensComma(to)
		iface, src, sport, srcOK = asaColonEndpoint(from)
		_, dst, dport, dstOK = asaColonEndpoint(to)
		iface = asaPhrases(msg, iface, e, skip)
	}
	if !srcOK {
		return false
	}
	f := asaFields{src: src, sport: sport}
	if dstOK {
		f.dst, f.dport = dst, dport
	}
	asaSet(e, action, &f, iface)
	return true
}

// asaPhrases reads the optional phrases of a message that names its endpoints with " src " or
// " from ": the interface (iface, the source's, unless " on interface " names one), the TCP
// flags and the ICMP type and code. It returns the interface.
func asaPhrases(msg, iface []byte, e *event.Event, skip asaSkip) []byte {
	// The markers below are missing from most lines, and bytes.Index would stop at every
	// space looking for them: their rare 'f' and '(' are found with bytes.IndexByte instead.
	if skip&asaSkipInterface != 0 {
		iface = nil // the source's, which the phrase would override, is not wanted either
	} else if i := indexVia(msg, " on interface ", 9); i >= 0 {
		iface, _ = token(msg[i+len(" on interface "):])
	}
	if skip&asaSkipFlags != 0 {
		// nobody reads them
	} else if i := indexVia(msg, " flags ", 1); i >= 0 {
		flags := msg[i+len(" flags "):]
		if j := indexVia(flags, " on interface", 9); j >= 0 {
			flags = flags[:j]
		}
		if flags = trimSpace(flags); len(flags) > 0 {
			e.SetSlice(event.TCPFlags, flags)
		}
	}
	if i := indexType(msg); i >= 0 {
		t := leadingDigits(msg[i+len("(type "):])
		if len(t) > 0 {
			e.SetSlice(event.ICMPType, t)
			if j := index(msg[i:], ", code "); j >= 0 {
				if c := leadingDigits(msg[i+j+len(", code "):]); len(c) > 0 {
					e.SetSlice(event.ICMPCode, c)
				}
			}
		}
	}
	return iface
}

// asaFields are the endpoints of an ASA message, and the protocol where a fast path found it;
// dst is nil when the destination is no address.
type asaFields struct {
	proto, iface, src, sport, dst, dport []byte
}

// asaSet sets the fields of an accepted message: its action, f's endpoints and iface.
func asaSet(e *event.Event, action []byte, f *asaFields, iface []byte) {
	e.Format = event.FormatCiscoACL
	// Word constants and non-empty slices of the line, never nil: SetSlice.
	e.SetSlice(event.Action, action)
	e.SetSlice(event.SourceIP, f.src)
	if len(f.sport) > 0 {
		e.SetSlice(event.SourcePort, f.sport)
	}
	if f.dst != nil {
		e.SetSlice(event.DestinationIP, f.dst)
		if len(f.dport) > 0 {
			e.SetSlice(event.DestinationPort, f.dport)
		}
	}
	if len(iface) > 0 {
		e.SetSlice(event.Interface, iface)
	}
}

// asaEndpointsFrom returns the words after the first " src " at or after stop and after the
// first " dst ", or else after the first " from " at or after stop and the " to " after it.
func asaEndpointsFrom(sp *spaceIndex, stop int) (from, to []byte) {
	msg := sp.b
	if i := sp.index(stop, len(msg), " src "); i >= 0 {
		from = sp.word(i + len(" src "))
		// The first " dst ": one before " src " ends within the text up to it.
		j := sp.index(0, i+len(" src"), " dst ")
		if j < 0 {
			j = sp.index(i+len(" src"), len(msg), " dst ")
		}
		if j >= 0 {
			to = sp.word(j + len(" dst "))
		}
	} else if i := sp.index(stop, len(msg), " from "); i >= 0 {
		from = sp.word(i + len(" from "))
		if j := sp.index(i, len(msg), " to "); j >= 0 {
			to = sp.word(j + len(" to "))
		}
	}
	return from, to
}

// asaPlaces are where the phrases parseCiscoASA looks for first occur in a message, -1 where
// nowhere: the first " src ", the first " dst ", the first " from " and the first " to " after
// it; and whether " denied " or " discarded ", and " permitted " or " est-allowed ", occur within
// its first 64 bytes. When src and dst are found, the places past the 64 bytes are not looked
// at, and from and to are then not known; past end none is.
type asaPlaces struct {
	src, dst, from, to int
	denied, permitted  bool
	partial            bool // src, dst, from and to not known: the message is longer than the window
}

// asaPlacesOf finds the places in one pass over the spaces of the message, each space tested by
// the four bytes from it as one number. Without needVerdict, the message's verdict being known,
// the pass ends as soon as src and dst are found; with end, at end.
func asaPlacesOf(sp *spaceIndex, needVerdict bool, end int) asaPlaces {
	at := asaPlaces{src: -1, dst: -1, from: -1, to: -1}
	b := sp.b
	end = min(end, len(b)-4) // the last place a phrase's first four bytes fit
	if len(b) > spaceWindow {
		end = min(end, spaceWindow-1) // past the window the words are found one by one
	}
	done := 64 // where the pass may end once src and dst are found
	if !needVerdict {
		done = 0
	}
spaces:
	for k := 0; k < len(sp.m) && k<<6 <= end; k++ {
		for m := sp.m[k]; m != 0; m &= m - 1 {
			p := k<<6 + bits.TrailingZeros64(m)
			if at.src >= 0 && at.dst >= 0 && p >= done {
				return at
			}
			if p > end {
				break spaces
			}
			// (b[p : p+4] rather than b[p:]: the compiler then tests fewer bounds.)
			switch binary.LittleEndian.Uint32(b[p : p+4]) {
			case ' ' | 's'<<8 | 'r'<<16 | 'c'<<24:
				if at.src < 0 && hasPrefix(b[p:], " src ") {
					at.src = p
				}
			case ' ' | 'd'<<8 | 's'<<16 | 't'<<24:
				if at.dst < 0 && hasPrefix(b[p:], " dst ") {
					at.dst = p
				}
			case ' ' | 'f'<<8 | 'r'<<16 | 'o'<<24:
				if at.from < 0 && hasPrefix(b[p:], " from ") {
					at.from = p
				}
			case ' ' | 't'<<8 | 'o'<<16 | ' '<<24:
				if at.from >= 0 && at.to < 0 {
					at.to = p
				}
			case ' ' | 'd'<<8 | 'e'<<16 | 'n'<<24:
				at.denied = at.denied || p+len(" denied ") <= 64 && hasPrefix(b[p:], " denied ")
			case ' ' | 'd'<<8 | 'i'<<16 | 's'<<24:
				at.denied = at.denied || p+len(" discarded ") <= 64 && hasPrefix(b[p:], " discarded ")
			case ' ' | 'p'<<8 | 'e'<<16 | 'r'<<24:
				at.permitted = at.permitted || p+len(" permitted ") <= 64 && hasPrefix(b[p:], " permitted ")
			case ' ' | 'e'<<8 | 's'<<16 | 't'<<24:
				at.permitted = at.permitted || p+len(" est-allowed ") <= 64 && hasPrefix(b[p:], " est-allowed ")
			}
		}
	}
	at.partial = len(b) > spaceWindow
	return at
}

// asaSkip names the optional phrases of ASA lines that parseCiscoASA may leave unread.
type asaSkip uint8

const (
	asaSkipInterface asaSkip = 1 << iota // " on interface X": Interface
	asaSkipFlags                         // " flags SYN ...": TCPFlags
)

// setASAProtocol sets Protocol when w names one (asaProtocol).
func setASAProtocol(w []byte, e *event.Event) bool {
	if p := asaProtocol(w); p != nil {
		e.SetSlice(event.Protocol, p)
		return true
	}
	return false
}

// asaProtocol returns the protocol w names, or nil (ASA writes tcp, TCP, udp, icmp, IP, or a
// number in 106023's "Deny protocol 47").
func asaProtocol(w []byte) []byte {
	// Each name is compared as one number with bit 5 set in every byte, which lowers an
	// upper-case letter and turns no other byte into a lower-case one.
	switch len(w) {
	case 2:
		if uint16(w[0])|uint16(w[1])<<8|0x2020 == 'i'|'p'<<8 {
			return wordIP
		}
	case 3:
		switch uint32(w[0]) | uint32(w[1])<<8 | uint32(w[2])<<16 | 0x202020 {
		case 't' | 'c'<<8 | 'p'<<16:
			return wordTCP
		case 'u' | 'd'<<8 | 'p'<<16:
			return wordUDP
		}
	case 4:
		if binary.LittleEndian.Uint32(w)|0x20202020 == 'i'|'c'<<8|'m'<<16|'p'<<24 {
			return wordICMP
		}
	}
	return nil
}

// trimParensComma is bytes.Trim(w, "(),") without building the cutset's table on every call.
func trimParensComma(w []byte) []byte {
	for len(w) > 0 && (w[0] == '(' || w[0] == ')' || w[0] == ',') {
		w = w[1:]
	}
	for n := len(w); n > 0 && (w[n-1] == '(' || w[n-1] == ')' || w[n-1] == ','); n = len(w) {
		w = w[:n-1]
	}
	return w
}

// asaColonEndpoint splits "[interface:]address[/port]". An IPv6 address also contains colons, so
// the interface is split off only when what follows it is an address. isAddr is isIP(ip), known
// from those tests without a second look.
func asaColonEndpoint(w []byte) (iface, ip, port []byte, isAddr bool) {
	// The port is the digits after the last '/', so the digits at the end are passed over from
	// there first: a '/' before them is the last one. Otherwise the last '/' is further in, and
	// what follows it holds a byte that is no digit.
	j := len(w)
	for j > 0 && isDigit(w[j-1]) {
		j--
	}
	if j > 0 && w[j-1] == '/' {
		if j < len(w) {
			port = w[j:]
		}
		w = w[:j-1]
	} else if slash := bytes.LastIndexByte(w[:j], '/'); slash >= 0 {
		w = w[:slash]
	}
	if i := bytes.IndexByte(w, ':'); i > 0 {
		// With a colon w is no IPv4 address, and with a byte before it that is neither a hex
		// digit nor a dot no IPv6 one either: isIP(w) is then false without a look at the rest,
		// as for every interface name with a letter past f.
		if hexOrDot(w[:i]) && isIP(w) {
			return nil, w, port, true
		}
		if a := w[i+1:]; isIPv4(a) || isIPv6(a) {
			return w[:i], a, port, true
		}
		return nil, w, port, false
	}
	return nil, w, port, isIP(w)
}

// indexType is index(msg, "(type "): at the first '(' as a rule, else by indexVia.
func indexType(msg []byte) int {
	i := bytes.IndexByte(msg, '(')
	if i < 0 || hasPrefix(msg[i:], "(type ") {
		return i
	}
	return indexVia(msg, "(type ", 0)
}

// hexOrDot reports whether every byte of b is a hex digit or a dot.
func hexOrDot(b []byte) bool {
	for _, c := range b {
		if !isHex(c) && c != '.' {
			return false
		}
	}
	return true
}

// asaSlashEndpoint splits 106100's "interface/address(port)".
func asaSlashEndpoint(w []byte) (iface, ip, port []byte) {
	if open := bytes.IndexByte(w, '('); open >= 0 && w[len(w)-1] == ')' { // open >= 0: w is not empty
		port = w[open+1 : len(w)-1]
		w = w[:open]
	}
	if slash := bytes.IndexByte(w, '/'); slash >= 0 {
		return w[:slash], w[slash+1:], port
	}
	return nil, w, port
}
