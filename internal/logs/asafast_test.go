package logs

import (
	"bytes"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// ipv4LeadReference is ipv4Lead byte by byte: the run of digits and dots that b starts with,
// and whether it is a dotted quad.
func ipv4LeadReference(b []byte) (n int, ok bool) {
	for n < len(b) && (isDigit(b[n]) || b[n] == '.') {
		n++
	}
	return n, isIPv4Bytes(b[:n])
}

func TestIPv4Lead(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		ok   bool
		name string
	}{
		{"198.18.0.48/12290", 11, true, "port after a slash"},
		{"192.0.2.8", 9, true, "the whole of b"},
		{"255.255.255.255 x", 15, true, "fifteen bytes"},
		{"1.2.3.4 xxxxxxx", 7, true, "shortest, b long enough"},
		{"1.2.3.4", 0, false, "shorter than eight bytes"},
		{"1.2.3.4.5 xxxxxx", 0, false, "four dots"},
		{"1..2.3.4 xxxxxxx", 0, false, "empty part"},
		{"1234.1.1.1 xxxxx", 0, false, "four digits"},
		{"1.2.3.4444444444444", 0, false, "sixteen digits and dots"},
		{".1.2.3.4 xxxxxxx", 0, false, "dot first"},
		{"1.2.3. xxxxxxxxx", 0, false, "dot last"},
		{"outside:1.2.3.4", 0, false, "no address first"},
	} {
		n, ok := ipv4Lead([]byte(c.in))
		if ok != c.ok || ok && n != c.n {
			t.Errorf("%s: ipv4Lead(%q) = %d, %v, want %d, %v", c.name, c.in, n, ok, c.n, c.ok)
		}
	}
}

// FuzzIPv4LeadSameAsReference holds ipv4Lead to ipv4LeadReference: the same verdict and length
// for every b of eight bytes or more, and ok=false for shorter ones.
func FuzzIPv4LeadSameAsReference(f *testing.F) {
	for _, s := range []string{"198.18.0.48/12290", "192.0.2.8", "255.255.255.255 x", "1.2.3.4 xxxxxxx", "1.2.3.4",
		"1.2.3.4.5 xxxxxx", "1234.1.1.1 xxxxx", "1.2.3.4444444444444", "1.2.3.4(80)", "\xb1.2.3.4/12345678"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, ok := ipv4Lead(b)
		wn, wok := ipv4LeadReference(b)
		if len(b) < 8 {
			wok = false
		}
		if ok != wok || ok && n != wn {
			t.Fatalf("ipv4Lead(%q) = %d, %v, byte by byte %d, %v", b, n, ok, wn, wok)
		}
	})
}

// FuzzASAEndpointWordsSameAsReference holds asaColonIPv4, asaAddrPort and asaSlashIPv4 to
// asaColonEndpoint and asaSlashEndpoint on the words they take: the same fields, the word ending where they say;
// and indexAny3 to a loop over the bytes.
func FuzzASAEndpointWordsSameAsReference(f *testing.F) {
	for _, s := range []string{"outside:198.18.0.48/12290 dst", "inside:192.0.2.8", "dmz:1.2.3.4/ x", "(x:1.2.3.4/5",
		"a/b:1.2.3.4", "x:1.2.3.4/5/6", "outside/198.18.61.62(37551) -> inside", "inside/192.0.2.91", "a/1.2.3.4()",
		"a/1.2.3.4(80", "a/1.2.3.4(80)x", "a:1.2.3.4:5", "::1.2.3.4", "198.51.100.4/3345 to", "198.51.100.4 x",
		"198.51.100.4/", "1.2.3.4/5:6"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := 0
		for want < len(b) && b[want] != ':' && b[want] != '/' && b[want] != ' ' {
			want++
		}
		if got := indexAny3(b, ':', '/', ' '); got != want {
			t.Fatalf("indexAny3(%q) = %d, byte by byte %d", b, got, want)
		}
		if colon, addr, n, ok := asaColonIPv4(b); ok {
			if n < len(b) && b[n] != ' ' || bytes.IndexByte(b[:n], ' ') >= 0 {
				t.Fatalf("asaColonIPv4(%q): word length %d", b, n)
			}
			iface, ip := b[:colon], b[colon+1:addr]
			var port []byte
			if n > addr+1 {
				port = b[addr+1 : n]
			}
			w := trimParensComma(b[:n])
			wi, wip, wport, wok := asaColonEndpoint(w)
			if !wok || !sameSlice(iface, wi) || !sameSlice(ip, wip) || !sameSlice(port, wport) {
				t.Fatalf("asaColonIPv4(%q) = %q %q %q, asaColonEndpoint(%q) = %q %q %q %v", b, iface, ip, port, w, wi, wip, wport, wok)
			}
		}
		if addr, n, ok := asaAddrPort(b); ok {
			if n < len(b) && b[n] != ' ' || bytes.IndexByte(b[:n], ' ') >= 0 {
				t.Fatalf("asaAddrPort(%q): word length %d", b, n)
			}
			var port []byte
			if n > addr+1 {
				port = b[addr+1 : n]
			}
			w := trimParensComma(b[:n])
			wi, wip, wport, wok := asaColonEndpoint(w)
			if !wok || wi != nil || !sameSlice(b[:addr], wip) || !sameSlice(port, wport) {
				t.Fatalf("asaAddrPort(%q) = %d %d, asaColonEndpoint(%q) = %q %q %q %v", b, addr, n, w, wi, wip, wport, wok)
			}
		}
		if slash, addr, n, ok := asaSlashIPv4(b); ok {
			if n < len(b) && b[n] != ' ' || bytes.IndexByte(b[:n], ' ') >= 0 {
				t.Fatalf("asaSlashIPv4(%q): word length %d", b, n)
			}
			iface, ip := b[:slash], b[slash+1:addr]
			var port []byte
			if n > addr {
				port = b[addr+1 : n-1]
			}
			wi, wip, wport := asaSlashEndpoint(b[:n])
			if !isIP(wip) || !sameSlice(iface, wi) || !sameSlice(ip, wip) || !sameSlice(port, wport) {
				t.Fatalf("asaSlashIPv4(%q) = %q %q %q, asaSlashEndpoint = %q %q %q", b, iface, ip, port, wi, wip, wport)
			}
		}
	})
}

// sameSlice reports whether a and b hold the same bytes and are both nil or both not.
func sameSlice(a, b []byte) bool { return bytes.Equal(a, b) && (a == nil) == (b == nil) }

// asaFastLines are messages in the forms asaDenyFast and asaListFast take, and near them.
var asaFastLines = []string{
	"%ASA-4-106023: Deny tcp src outside:198.51.100.4/3345 dst inside:192.0.2.8/80 by access-group \"outside_in\" [0x0, 0x0]",
	"%ASA-4-106023: Deny icmp src outside:198.51.100.4 dst inside:192.0.2.8 (type 8, code 0) by access-group \"acl\"",
	"%ASA-4-106023: Deny udp src outside:198.51.100.4/1029 dst inside:192.0.2.8/137 on interface dmz flags SYN",
	"%ASA-6-106100: access-list acl_out denied tcp outside/198.51.100.4(3345) -> inside/192.0.2.8(80) hit-cnt 1 first hit [0x0, 0x0]",
	"%ASA-6-106100: access-list acl_out denied icmp outside/198.51.100.4(0) -> inside/192.0.2.8(0) hit-cnt 1",
	"%ASA-6-106100: access-list acl_out denied 47 outside/198.51.100.4 -> inside/192.0.2.8",
	"%PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 to 192.0.2.8/23 flags SYN  on interface outside",
	"%PIX-2-106001: Inbound UDP connection denied from 198.51.100.4 to 192.0.2.8/",
	"%PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 to 192.0.2.8/23 on interface src x",
	"%PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 to 192.0.2.8/23 src inside:10.0.0.1 dst outside:10.0.0.2",
	"%PIX-2-106001: Inbound tcp connection denied from 198.51.100.4/3345 to 2001:db8::1/23",
	"%PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 " + strings.Repeat("x ", 300) + " to 192.0.2.8/23",
	"%PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 to 192.0.2.8/23 " + strings.Repeat("x ", 300) + " src a:1.2.3.4",
	"%ASA-6-106100: access-list a_very_long_access_list_name_that_pushes_the_verdict_out denied tcp o/1.2.3.4(1) -> i/5.6.7.8(2)",
	"%ASA-6-106100: access-list x permitted tcp outside/198.51.100.4(3345) -> inside/192.0.2.8(80) denied ",
	"%ASA-6-106100: access-list x denied tcp outside/198.51.100.4(3345) -> inside/2001:db8::1(80)",
	"%ASA-4-106023: Deny protocol 47 src outside:198.51.100.4 dst inside:192.0.2.8",
	"%ASA-4-106023: Deny tcp src outside:198.51.100.4/3345 dst inside:2001:db8::1/80",
	"%ASA-4-106023: Deny tcp src outside:198.51.100.4/3345  dst inside:192.0.2.8/80",
	"%ASA-4-106023: Deny tcp src (outside:198.51.100.4/3345 dst inside:192.0.2.8/80)",
	"%ASA-4-106023: Deny tcp src outside:198.51.100.4/3345 dst inside:192.0.2.8/80 " + strings.Repeat("x ", 300) + "(type 3, code 1)",
}

// TestASAFastPathsTakeCommonLines makes sure the fast paths are what reads the common forms.
func TestASAFastPathsTakeCommonLines(t *testing.T) {
	for _, s := range asaFastLines[:8] {
		msg := []byte(s[strings.IndexByte(s, ':')+2:])
		var f asaFields
		if !asaDenyFast(msg, &f) && !asaInboundFast(msg, &f) && !asaListFast(msg, &f) {
			t.Errorf("no fast path takes %q", s)
		}
	}
}

// FuzzASAFastSameAsWords holds parseCiscoASA, with its fast paths, to parseCiscoASAWords alone:
// the same verdict and the same fields, with and without the optional phrases.
func FuzzASAFastSameAsWords(f *testing.F) {
	for _, s := range asaFastLines {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		colon := bytes.IndexByte(b, ':')
		if colon < 0 || colon+2 > len(b) {
			return
		}
		for skip := asaSkip(0); skip <= asaSkipInterface|asaSkipFlags; skip++ {
			var got, want event.Event
			got.Reset(b)
			want.Reset(b)
			okGot, okWant := parseCiscoASA(b, &got, skip), parseCiscoASAWords(b[colon+2:], &want, skip)
			if okGot != okWant || render(&got) != render(&want) {
				t.Fatalf("%q skip %d: got %v\n%s\nwords %v\n%s", b, skip, okGot, render(&got), okWant, render(&want))
			}
		}
	})
}

func TestIndexAny3(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"outside:1.2.3.4", 7},
		{"a_long_interface_name:1", 21},
		{"a_long_interface_name/1", 21},
		{"a_long_interface_name 1", 21},
		{"abc", 3},
		{"abcdefgh:", 8},
		{"", 0},
	} {
		if got := indexAny3([]byte(c.in), ':', '/', ' '); got != c.want {
			t.Errorf("indexAny3(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}
