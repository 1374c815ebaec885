package logs

import (
	"bytes"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// parseCiscoASAReference is parseCiscoASA before it searched for " src " and " from " only past
// the words it had read, kept as the oracle of FuzzCiscoASASameAsReference.
func parseCiscoASAReference(b []byte, e *event.Event) bool {
	colon := bytes.IndexByte(b, ':')
	if colon < 0 || colon+2 > len(b) {
		return false
	}
	msg := b[colon+2:]
	words := msg
	var action string
	switch {
	case hasPrefix(words, "Deny "):
		action = "deny"
		words = words[len("Deny "):]
	case index(head(msg, 64), " denied ") >= 0, index(head(msg, 64), " discarded ") >= 0:
		action = "denied"
	case index(head(msg, 64), " permitted ") >= 0, index(head(msg, 64), " est-allowed ") >= 0:
		action = "permitted"
	default:
		return false
	}
	var src, sport, dst, dport, iface []byte
	switch {
	case hasPrefix(msg, "access-list "):
		// "access-list NAME denied PROTO IF/SRC(PORT) -> IF/DST(PORT) ..."
		_, rest := token(msg[len("access-list "):])
		_, rest = token(rest)
		proto, rest := token(rest)
		setASAProtocolReference(proto, e)
		from, rest := token(rest)
		if !hasPrefix(rest, "-> ") {
			return false
		}
		to, _ := token(rest[3:])
		iface, src, sport = asaSlashEndpoint(from)
		_, dst, dport = asaSlashEndpoint(to)
	default:
		// The protocol is the first protocol word: "Deny tcp", "Deny inbound UDP",
		// "Inbound TCP connection", "TCP access denied".
		for w, rest := token(words); len(w) > 0; w, rest = token(rest) {
			if setASAProtocolReference(w, e) {
				break
			}
			if bytes.EqualFold(w, []byte("inbound")) {
				e.SetString(event.Direction, "in")
			} else if bytes.EqualFold(w, []byte("outbound")) {
				e.SetString(event.Direction, "out")
			}
			if len(rest) == 0 || bytes.Equal(w, []byte("src")) || bytes.Equal(w, []byte("from")) {
				break
			}
		}
		var from, to []byte
		if i := index(msg, " src "); i >= 0 {
			from, _ = token(msg[i+len(" src "):])
			if j := index(msg, " dst "); j >= 0 {
				to, _ = token(msg[j+len(" dst "):])
			}
		} else if i := index(msg, " from "); i >= 0 {
			from, _ = token(msg[i+len(" from "):])
			if j := index(msg[i:], " to "); j >= 0 {
				to, _ = token(msg[i+j+len(" to "):])
			}
		}
		from = bytes.Trim(from, "(),")
		to = bytes.Trim(to, "(),")
		iface, src, sport = asaColonEndpointReference(from)
		_, dst, dport = asaColonEndpointReference(to)
		// The markers below are missing from most lines, and bytes.Index would stop at every
		// space looking for them: their rare 'f' and '(' are found with bytes.IndexByte instead.
		if i := indexVia(msg, " on interface ", 9); i >= 0 {
			iface, _ = token(msg[i+len(" on interface "):])
		}
		if i := indexVia(msg, " flags ", 1); i >= 0 {
			flags := msg[i+len(" flags "):]
			if j := indexVia(flags, " on interface", 9); j >= 0 {
				flags = flags[:j]
			}
			if flags = trimSpace(flags); len(flags) > 0 {
				e.Set(event.TCPFlags, flags)
			}
		}
		if i := indexVia(msg, "(type ", 0); i >= 0 {
			t := leadingDigits(msg[i+len("(type "):])
			if len(t) > 0 {
				e.Set(event.ICMPType, t)
				if j := index(msg[i:], ", code "); j >= 0 {
					if c := leadingDigits(msg[i+j+len(", code "):]); len(c) > 0 {
						e.Set(event.ICMPCode, c)
					}
				}
			}
		}
	}
	if !isIP(src) {
		return false
	}
	e.Format = event.FormatCiscoACL
	e.SetString(event.Action, action)
	e.Set(event.SourceIP, src)
	if len(sport) > 0 {
		e.Set(event.SourcePort, sport)
	}
	if isIP(dst) {
		e.Set(event.DestinationIP, dst)
		if len(dport) > 0 {
			e.Set(event.DestinationPort, dport)
		}
	}
	if len(iface) > 0 {
		e.Set(event.Interface, iface)
	}
	return true
}

// setASAProtocolReference is setASAProtocol as the reference called it: it sets Protocol when w names one (ASA writes tcp, TCP, udp, icmp, IP, or a number
// in 106023's "Deny protocol 47").
func setASAProtocolReference(w []byte, e *event.Event) bool {
	switch {
	case bytes.EqualFold(w, []byte("tcp")):
		e.SetString(event.Protocol, "tcp")
	case bytes.EqualFold(w, []byte("udp")):
		e.SetString(event.Protocol, "udp")
	case bytes.EqualFold(w, []byte("icmp")):
		e.SetString(event.Protocol, "icmp")
	case bytes.EqualFold(w, []byte("ip")):
		e.SetString(event.Protocol, "ip")
	default:
		return false
	}
	return true
}

// FuzzCiscoASASameAsReference holds parseCiscoASA to the version it replaced: the same verdict
// and the same fields on every input.
func FuzzCiscoASASameAsReference(f *testing.F) {
	for _, s := range []string{
		"%ASA-4-106023: Deny tcp src outside:198.51.100.4/3345 dst inside:192.0.2.8/80 by access-group \"outside_in\" [0x0, 0x0]",
		"%PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 to 192.0.2.8/23 flags SYN  on interface outside",
		"%PIX-2-106006: Deny inbound UDP from 198.51.100.4/1029 to 192.0.2.8/137 on interface outside",
		"%ASA-4-106023: Deny icmp src outside:198.51.100.4 dst inside:192.0.2.8 (type 8, code 0) by access-group \"acl\"",
		"%ASA-6-106100: access-list acl_out denied tcp outside/198.51.100.4(3345) -> inside/192.0.2.8(80) hit-cnt 1 first hit [0x0, 0x0]",
		"%ASA-3-710003: TCP access denied by ACL from 198.51.100.4/3345 to outside:192.0.2.8/22",
		"%ASA-4-106023: Deny src ",
		"%ASA-4-106023: Deny dst a:1.2.3.4 tcp src b:5.6.7.8",
		"%ASA-4-106023: Deny x  src 1.2.3.4 dst 5.6.7.8",
		"%ASA-4-106023: Deny tcp src dst 1.2.3.4 src 5.6.7.8 dst 9.9.9.9",
		"%ASA-3-710003: TCP access permitted by ACL to x from 198.51.100.4/3345 to outside:192.0.2.8/22",
		"%ASA-3-710003: src a TCP access est-allowed from 198.51.100.4/3345 to 192.0.2.8",
	} {
		f.Add([]byte(s))
	}
	// Messages longer than the window of spaces parseCiscoASA finds at once.
	long := strings.Repeat("x ", 300)
	f.Add([]byte("%ASA-4-106023: Deny tcp " + long + "src outside:198.51.100.4/3345 dst inside:192.0.2.8/80"))
	f.Add([]byte("%ASA-4-106023: Deny tcp src outside:198.51.100.4/3345 " + long + "dst inside:192.0.2.8/80"))
	f.Add([]byte("%PIX-2-106001: Inbound TCP connection denied " + long + "from 198.51.100.4/3345 to 192.0.2.8/23"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		var got, want event.Event
		got.Reset(msg)
		want.Reset(msg)
		okGot, okWant := parseCiscoASA(msg, &got, 0), parseCiscoASAReference(msg, &want)
		if okGot != okWant || render(&got) != render(&want) {
			t.Fatalf("%q: got %v\n%s\nreference %v\n%s", msg, okGot, render(&got), okWant, render(&want))
		}
	})
}

// asaColonEndpointReference is asaColonEndpoint before it told whether the address is one.
func asaColonEndpointReference(w []byte) (iface, ip, port []byte) {
	if slash := bytes.LastIndexByte(w, '/'); slash >= 0 {
		w, port = w[:slash], w[slash+1:]
		if !allDigits(port) {
			port = nil
		}
	}
	if i := bytes.IndexByte(w, ':'); i > 0 && !isIP(w) && isIP(w[i+1:]) {
		return w[:i], w[i+1:], port
	}
	return nil, w, port
}

// ciscoASAMarkerReference finds the first ASA, PIX or FWSM packet-filter marker byte by byte, as
// dispatch did before it read the message number as one word and found the IOS marker in the
// same pass.
func ciscoASAMarkerReference(b []byte) int {
	off := 0
	for {
		i := bytes.IndexByte(b[off:], '%')
		if i < 0 {
			return -1
		}
		at := off + i
		rest := b[at+1:]
		var n int
		switch {
		case hasPrefix(rest, "ASA-"), hasPrefix(rest, "PIX-"):
			n = 4
		case hasPrefix(rest, "FWSM-"):
			n = 5
		}
		if n > 0 && len(rest) >= n+10 && isDigit(rest[n]) && rest[n+1] == '-' &&
			allDigits(rest[n+2:n+8]) && rest[n+8] == ':' &&
			(hasPrefix(rest[n+2:], "106") || hasPrefix(rest[n+2:], "710")) {
			return at
		}
		off = at + 1
	}
}

// FuzzCiscoASAMarker holds ciscoMarkers to a search for each marker on its own, byte by byte.
func FuzzCiscoASAMarker(f *testing.F) {
	for _, s := range []string{"%ASA-4-106023: Deny", "x %PIX-2-106001: y", "%FWSM-3-710003: z", "%ASA-4-106023:", "%ASA-4-10602x: Deny",
		"%ASA-4-206023: a %ASA-6-106100: b", "%ASA-4-106023;xx", "%%ASA-4-710023: q", "%ASA-4-106\xb023: q",
		"%SEC-6-IPACCESSLOGP: x %ASA-4-106023: y", "%ASA-4-106023: %SEC-6-IPACCESSLOG", "%SEC-6-IPACCESSLO", "%", "x%"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		i := bytes.IndexByte(b, '%')
		if i < 0 {
			return
		}
		acl, asa := ciscoMarkers(b, i)
		if wacl, wasa := indexRare(b, "%SEC-6-IPACCESSLOG"), ciscoASAMarkerReference(b); acl != wacl || asa != wasa {
			t.Fatalf("ciscoMarkers(%q) = %d, %d, want %d, %d", b, acl, asa, wacl, wasa)
		}
	})
}

// FuzzASAColonEndpoint holds asaColonEndpoint to the form before it read the port from the end.
func FuzzASAColonEndpoint(f *testing.F) {
	for _, s := range []string{"outside:198.51.100.4/3345", "inside:192.0.2.8", "198.51.100.4/", "a/b/12", "x:1.2.3.4/5/6",
		"dmz:2001:db8::1/80", "/", "12/34", "outside:1.2.3.4/80x", "::1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, w []byte) {
		iface, ip, port, ok := asaColonEndpoint(w)
		iface2, ip2, port2 := asaColonEndpointReference(w)
		if !bytes.Equal(iface, iface2) || (iface == nil) != (iface2 == nil) || !bytes.Equal(ip, ip2) ||
			!bytes.Equal(port, port2) || (port == nil) != (port2 == nil) || ok != isIP(ip2) {
			t.Fatalf("%q: %q %q %q %v, reference %q %q %q %v", w, iface, ip, port, ok, iface2, ip2, port2, isIP(ip2))
		}
	})
}

// FuzzIndexType holds indexType to bytes.Index.
func FuzzIndexType(f *testing.F) {
	for _, s := range []string{"dst inside:1.2.3.4 (type 8, code 0) by", "(x) (type 3", "(typ", "no paren", "((type "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := indexType(b), bytes.Index(b, []byte("(type ")); got != want {
			t.Fatalf("indexType(%q) = %d, want %d", b, got, want)
		}
	})
}
