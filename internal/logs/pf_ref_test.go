package logs

import (
	"bytes"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// parsePFReference is parsePF as it was before it split IPv4 addresses in the pass that finds
// their end, kept as the oracle of FuzzPFSameAsReference.
func parsePFReference(b []byte, e *event.Event) bool {
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
	action, rest := token(rest)
	dir, rest := token(rest)
	on, rest := token(rest)
	iface, rest := token(rest)
	if string(on) != "on" || len(iface) < 2 || iface[len(iface)-1] != ':' {
		return false
	}
	iface = iface[:len(iface)-1]
	srcWord, rest := token(rest)
	gt, rest := token(rest)
	dstWord, rest := token(rest)
	if string(gt) != ">" || len(dstWord) < 2 || dstWord[len(dstWord)-1] != ':' {
		return false
	}
	dstWord = dstWord[:len(dstWord)-1]
	src, sport := pfAddr(srcWord)
	dst, dport := pfAddr(dstWord)
	if !isIP(src) || !isIP(dst) {
		return false
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

// FuzzPFSameAsReference holds parsePF to the version it replaced: the same verdict and the
// same fields on every input.
func FuzzPFSameAsReference(f *testing.F) {
	for _, s := range []string{
		"rule 21/0(match): block in on fxp0: 198.18.168.118.58807 > 192.0.2.243.514: udp 88",
		"rule 2/0(match): block in on fxp0: 198.18.208.74 > 192.0.2.151: icmp: echo request",
		"rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384",
		"rule 1.anchor.3/0(match) [uid 0, pid 123]: pass out on em0: 2001:db8::1.1234 > 2001:db8::2.80: [S]",
		"rule 2/(match): block in on fxp0: ::ffff:1.2.3.4 > 1.2.3.4.5.6: Flags [S.]",
		"rule 2/(match): block in on fxp0: 1.2.3.4.x:y > 1.2.3.4.: tcp 1",
		"rule 2/(match): block in on fxp0: 1111.2.3.4 > 1.2.3.4..5:",
		"rule 0/0(match): block  in on x: 1.2.3.4 > 5.6.7.8:",
		// The words "block in on " compared at once, and near misses of them.
		"rule 0/0(match): block in on :",
		"rule 0/0(match): block in on ",
		"rule 0/0(match): block in on  x: 1.2.3.4 > 5.6.7.8:",
		"rule 0/0(match): block in onx: 1.2.3.4 > 5.6.7.8:",
		"rule 0/0(match): Block in on x: 1.2.3.4 > 5.6.7.8:",
		"rule 0/0(match): block out on x: 1.2.3.4 > 5.6.7.8:",
		// "(match): " compared at once, and near misses of it.
		"rule 0/0(match):block in on x: 1.2.3.4 > 5.6.7.8:",
		"rule 0/0(match) : block in on x: 1.2.3.4 > 5.6.7.8:",
		"rule 0/0(match)) : block in on x: 1.2.3.4 > 5.6.7.8:",
		"rule 0/0(match): ",
		"rule 0/0(match):",
		"rule 0/0(match) [uid 0, pid 1]: block in on x: 1.2.3.4 > 5.6.7.8:",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if !hasPrefix(msg, "rule ") {
			return
		}
		var got, want event.Event
		got.Reset(msg)
		want.Reset(msg)
		okGot, okWant := parsePF(msg, &got), parsePFReference(msg, &want)
		if okGot != okWant || render(&got) != render(&want) {
			t.Fatalf("%q: got %v\n%s\nreference %v\n%s", msg, okGot, render(&got), okWant, render(&want))
		}
	})
}

// FuzzPFIPv4Word holds the word-at-a-time pfIPv4Word to the byte-by-byte form.
func FuzzPFIPv4Word(f *testing.F) {
	for _, s := range []string{"198.18.168.118.58807 > 192.0.2.243.514: udp 88", "192.0.2.243.514: udp 88 and more",
		"1.2.3.4: icmp: echo request.....", "1.2.3.4.5.6: xxxxxxxxxxxxxxxxxxxxxx", "1111.2.3.4 > 5.6.7.8: xxxxxxxxxxx",
		"1.2.3.4.: tcp xxxxxxxxxxxxxxxxxxxxxx", "255.255.255.255.65535 > 1", ".1.2.3.4 xxxxxxxxxxxxxxxxxxxxxxxx",
		// Words that end just before, at and just after the first sixteen bytes.
		"198.51.100.20.1: xxxxxxxxxxxxxxxxxx", "198.51.100.20.12: xxxxxxxxxxxxxxxxx", "198.51.100.20.123: xxxxxxxxxxxxxxxx"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, colon bool) {
		ip, port, n, ok := pfIPv4Word(b, colon)
		ip2, port2, n2, ok2 := pfIPv4WordBytes(b, colon)
		if ok != ok2 || n != n2 || !bytes.Equal(ip, ip2) || !bytes.Equal(port, port2) || (port == nil) != (port2 == nil) {
			t.Fatalf("pfIPv4Word(%q, %v) = %q %q %d %v, byte by byte %q %q %d %v", b, colon, ip, port, n, ok, ip2, port2, n2, ok2)
		}
	})
}

func TestIsBlockInOn(t *testing.T) {
	for _, s := range []string{"", "block in on", "block in on ", "block in on x", "block in onx", "Block in on ",
		"block in  on ", "block out on ", "blocK in on "} {
		if got, want := isBlockInOn([]byte(s)), hasPrefix([]byte(s), "block in on "); got != want {
			t.Errorf("isBlockInOn(%q) = %v, want %v", s, got, want)
		}
	}
}

// icmpWordsReference is icmpWords as it was before it set word slices instead of strings, kept
// as the oracle of FuzzICMPWordsSameAsReference.
func icmpWordsReference(d []byte, e *event.Event) {
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

// FuzzICMPWordsSameAsReference holds icmpWords to the form that set strings: the same fields, the
// very slices (so that the match memo sees the same words).
func FuzzICMPWordsSameAsReference(f *testing.F) {
	for _, s := range []string{"echo request", "echo reply", "host 192.0.2.1 unreachable", "192.0.2.1 udp port 53 unreachable",
		"net 10.0.0.0 unreachable, x", "time exceeded in-transit", "redirect 1.2.3.4 to host 5.6.7.8", "source quench",
		"router advertisement", "router solicitation", "parameter problem", "time stamp request", "time stamp reply",
		"information request", "information reply", "address mask request", "address mask is 0xffffff00", "protocol 47 unreachable",
		"unreachable", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, d []byte) {
		var got, want event.Event
		got.Reset(d)
		want.Reset(d)
		icmpWords(d, &got)
		icmpWordsReference(d, &want)
		for _, fd := range []event.Field{event.ICMPType, event.ICMPCode} {
			g, w := got.Get(fd), want.Get(fd)
			if !bytes.Equal(g, w) || got.Has(fd) != want.Has(fd) || len(g) > 0 && &g[0] != &w[0] {
				t.Fatalf("%q: field %v: %q, reference %q", d, fd, g, w)
			}
		}
		if render(&got) != render(&want) {
			t.Fatalf("%q: got\n%s\nreference\n%s", d, render(&got), render(&want))
		}
	})
}
