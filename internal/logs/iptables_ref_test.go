package logs

import (
	"bytes"
	"strings"
	"testing"

	"github.com/keikai-project/keikai/internal/ascii"
	"github.com/keikai-project/keikai/internal/event"
)

// parseIptablesReference is the word-by-word netfilter parser that parseIptables replaced, kept as
// the oracle of FuzzIptablesSameAsReference: both must agree on every input. It parses a netfilter LOG target line: an optional kernel uptime stamp, the rule's
// log prefix, then KEY=value words and bare flag words. ICMP errors carry the offending packet in
// brackets; its addresses are skipped so the outer ones stay.
func parseIptablesReference(msg []byte, e *event.Event) bool {
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
	// One pass over the words. Each word is classified by its first byte before any comparison,
	// since most words (MAC=, LEN=, TOS=, TTL=, ID=, WINDOW=, ...) are of no interest; this is the
	// most frequent line in firewall logs, so it matters.
	for pos := in; pos < len(msg); {
		if msg[pos] == ' ' {
			pos++
			continue
		}
		if msg[pos] == '[' {
			break // embedded original packet of an ICMP error
		}
		start := pos
		for pos < len(msg) && msg[pos] != ' ' {
			pos++
		}
		word := msg[start:pos]
		if len(word) == 3 && isTCPFlagWord(word) {
			if flagStart < 0 {
				flagStart = start
			}
			flagEnd = pos
			continue
		}
		switch word[0] {
		case 'I':
			if hasPrefix(word, "IN=") {
				inIf = word[3:]
			}
		case 'O':
			if hasPrefix(word, "OUT=") {
				outIf, haveOut = word[4:], true
			}
		case 'S':
			if hasPrefix(word, "SRC=") {
				src = firstOf(src, word[4:])
			} else if hasPrefix(word, "SPT=") {
				spt = firstOf(spt, word[4:])
			}
		case 'D':
			if hasPrefix(word, "DST=") {
				dst = firstOf(dst, word[4:])
			} else if hasPrefix(word, "DPT=") {
				dpt = firstOf(dpt, word[4:])
			}
		case 'P':
			if hasPrefix(word, "PROTO=") {
				proto = firstOf(proto, word[6:])
			}
		case 'T':
			if hasPrefix(word, "TYPE=") {
				typ = firstOf(typ, word[5:])
			}
		case 'C':
			if hasPrefix(word, "CODE=") {
				code = firstOf(code, word[5:])
			}
		}
	}
	if !haveOut || src == nil || dst == nil || proto == nil {
		return false
	}
	setIf(e, event.SourcePort, spt)
	setIf(e, event.DestinationPort, dpt)
	setIf(e, event.ICMPType, typ)
	setIf(e, event.ICMPCode, code)
	e.Format = event.FormatIptables
	e.Set(event.SourceIP, src)
	e.Set(event.DestinationIP, dst)
	setProtocolName(e, proto)
	if flagStart >= 0 {
		e.Set(event.TCPFlags, msg[flagStart:flagEnd])
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

// FuzzIptablesSameAsReference holds the word-at-a-time parser to the word-by-word one it
// replaced: the same verdict and the same fields on every input.
func FuzzIptablesSameAsReference(f *testing.F) {
	for _, s := range iptablesBenchLines {
		f.Add([]byte(s))
	}
	f.Add([]byte("xIN= OUT= SRC=1 DST=2 PROTO=TCP"))
	f.Add([]byte("PHYSIN=a IN=b OUT= SRC=1 DST=2 PROTO=tcp [SRC=3 DST=4 PROTO=UDP] SPT=9"))
	f.Add([]byte("[12.5] DROP IN=eth0  OUT=  SRC=1  DST=2 PROTO=Udp SPT=1 DPT=2 SYN ACK FIN"))
	f.Add([]byte("IN=eth0 OUT=x SRC=1 DST=2 PROTO=ICMP TYPE=3 CODE=1 TYPE=9 SRC=7"))
	f.Add([]byte("IN= OUT= SRC=1 DST=2 PROTO=TCP TYPE CODE= TYPE=5 SYN IN= OUT=o ACK"))
	f.Add([]byte("IN=a OUT= SRC=1 DST=2 PROTO=x [ SYN"))
	// The IN=, OUT= and MAC= words that parseIptables takes before its word loop, and their
	// neighbours: a later OUT= wins, a word that only starts like OUT= or MAC= is none, an empty
	// word comes between, a value runs past the first 64 bytes.
	f.Add([]byte("IN=a OUT=b SRC=1 DST=2 PROTO=TCP OUT= IN=c"))
	f.Add([]byte("IN=a OUTX=b SRC=1 OUT=o DST=2 PROTO=TCP"))
	f.Add([]byte("IN=a  OUT=b SRC=1 DST=2 PROTO=TCP"))
	f.Add([]byte("IN= OUT= SRC=1 DST=2 PROTO=TCP"))
	f.Add([]byte("IN=" + strings.Repeat("e", 70) + " OUT=b SRC=1 DST=2 PROTO=TCP"))
	f.Add([]byte("IN=eth0 OUT=" + strings.Repeat("o", 60) + " SRC=1 DST=2 PROTO=TCP"))
	f.Add([]byte("IN=eth0 OUT= MAC=00:0c SRC=1 DST=2 PROTO=TCP"))
	f.Add([]byte("IN=eth0 OUT= MAC= [SRC=1 DST=2 PROTO=TCP"))
	f.Add([]byte("IN=eth0 OUT= MACX=1 SRC=1 DST=2 PROTO=TCP MAC=2"))
	f.Add([]byte("IN=eth0 OUT= MAC=" + strings.Repeat("m", 60) + " SRC=1 DST=2 PROTO=TCP"))
	// Lines longer than the window of spaces found at once, with words across its end.
	long := strings.Repeat("LEN=1 ", 90)
	f.Add([]byte("DROP IN=eth0 OUT= " + long + "SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2 SYN"))
	f.Add([]byte("IN=eth0 OUT= SRC=1.2.3.4 " + long + "DST=5.6.7.8 PROTO=UDP SPT=1 DPT=2 " + long + "ACK"))
	f.Add([]byte("IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDP MAC=" + strings.Repeat("0", 700) + " DPT=2 FIN"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		var got, want event.Event
		got.Reset(msg)
		want.Reset(msg)
		okGot, okWant := parseIptables(msg, &got), parseIptablesReference(msg, &want)
		if okGot != okWant || got.Format != want.Format {
			t.Fatalf("%q: parsed %v as %v, reference %v as %v", msg, okGot, got.Format, okWant, want.Format)
		}
		for fld := event.Field(1); fld < event.NumFields; fld++ {
			if !bytes.Equal(got.Get(fld), want.Get(fld)) || got.Has(fld) != want.Has(fld) {
				t.Fatalf("%q: %v = %q, reference %q", msg, fld, got.Get(fld), want.Get(fld))
			}
		}
	})
}

func TestNextSpace(t *testing.T) {
	for _, s := range []string{"", " ", "a", "abcdefg", "abcdefgh", "abcdefgh ", "abcdefghijklmnop q", "\xa0\xa0\xa0\xa0\xa0\xa0\xa0\xa0 ", "!!!!!!!!!!!!!!! ", "a b"} {
		for i := 0; i <= len(s); i++ {
			want := bytes.IndexByte([]byte(s[i:]), ' ')
			if want < 0 {
				want = len(s)
			} else {
				want += i
			}
			if got := nextSpace([]byte(s), i); got != want {
				t.Errorf("nextSpace(%q, %d) = %d, want %d", s, i, got, want)
			}
		}
	}
}

// iptablesBenchLines are netfilter messages as bench/gencorpus writes them (after "kernel: ").
var iptablesBenchLines = []string{
	"[UFW ALLOW] IN= OUT=eth0 SRC=192.0.2.207 DST=203.0.113.176 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=44922 DF PROTO=TCP SPT=61993 DPT=25 WINDOW=29200 RES=0x00 SYN URGP=0",
	"DROP IN=eth0 OUT= MAC=00:0c:29:76:7a:2e:00:50:56:dd:ee:ff:08:00 SRC=203.0.113.159 DST=192.0.2.127 LEN=246 TOS=0x00 PREC=0x00 TTL=96 ID=41154 DF PROTO=UDP SPT=10368 DPT=500 LEN=31",
	"[259200.874460] [UFW BLOCK] IN=eth0 OUT= MAC=00:0c:29:b5:ac:cb:00:50:56:dd:ee:ff:08:00 SRC=203.0.113.120 DST=192.0.2.70 LEN=48 TOS=0x00 PREC=0x00 TTL=64 ID=1747 PROTO=TCP SPT=37551 DPT=22 WINDOW=3805 RES=0x00 SYN URGP=0",
	"[259200.504766] FW-IN DROP: IN=eth0 OUT= MAC=00:0c:29:d3:0d:04:00:50:56:dd:ee:ff:08:00 SRC=198.51.100.36 DST=192.0.2.219 LEN=53 TOS=0x00 PREC=0x00 TTL=35 ID=23797 PROTO=ICMP TYPE=8 CODE=0 ID=17438 SEQ=114",
	"iptables-in: IN=br0 PHYSIN=eth0 OUT=br0 PHYSOUT=eth1 SRC=198.51.100.152 DST=192.0.2.66 LEN=64 TOS=0x00 PREC=0x00 TTL=33 ID=63497 DF PROTO=TCP SPT=40107 DPT=98 WINDOW=8973 RES=0x00 SYN URGP=0",
}

func BenchmarkIptables(b *testing.B) {
	for _, impl := range []struct {
		name  string
		parse func([]byte, *event.Event) bool
	}{{"current", parseIptables}, {"reference", parseIptablesReference}} {
		b.Run(impl.name, func(b *testing.B) {
			lines := toByteLines(iptablesBenchLines)
			var e event.Event
			n := 0
			for _, l := range lines {
				n += len(l)
			}
			b.SetBytes(int64(n))
			for b.Loop() {
				for _, l := range lines {
					e.Reset(l)
					impl.parse(l, &e)
				}
			}
		})
	}
}

func toByteLines(lines []string) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = []byte(l)
	}
	return out
}

func TestIndexVia(t *testing.T) {
	for _, tc := range []struct {
		b, s string
		k    int
	}{
		{"a - - [x] IN=", " [", 1}, {"[ a [b", " [", 1}, {"", " [", 1}, {"[", " [", 1}, {" [", " [", 1},
		{"xx[ [", " [", 1}, {"PHYSIN=a IN=b", "IN=", 2}, {"=IN= IN=", "IN=", 2}, {"N=", "IN=", 2},
		{"abIN", "IN=", 2}, {"I=IN=", "IN=", 2}, {"IN=", "IN=", 2}, {"xIN=", "IN=", 2},
	} {
		want := bytes.Index([]byte(tc.b), []byte(tc.s))
		if got := indexVia([]byte(tc.b), tc.s, tc.k); got != want {
			t.Errorf("indexVia(%q, %q, %d) = %d, want %d", tc.b, tc.s, tc.k, got, want)
		}
	}
}

// FuzzIndexVia holds indexVia to bytes.Index for the needles the parsers give it.
func FuzzIndexVia(f *testing.F) {
	f.Add([]byte("198.51.100.7 - - [10/Oct/2000:13:55:36 -0700] x"))
	f.Add([]byte("PHYSIN=a IN=b OUT="))
	f.Add([]byte("kk Packet lok Packet log: input DENY"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, tc := range []struct {
			s string
			k int
		}{{" [", 1}, {"IN=", 2}, {"IN=", 0}, {"Packet log: ", 3}} {
			if got, want := indexVia(b, tc.s, tc.k), bytes.Index(b, []byte(tc.s)); got != want {
				t.Fatalf("indexVia(%q, %q, %d) = %d, want %d", b, tc.s, tc.k, got, want)
			}
		}
	})
}

// FuzzClfTimeCache checks that the day cache of access-log stamps never changes a result: a
// stamp read after another gives what a fresh parser gives.
func FuzzClfTimeCache(f *testing.F) {
	f.Add([]byte("10/Oct/2000:13:55:36 -0700] "), []byte("10/Oct/2000:13:55:37 -0700] "))
	f.Add([]byte("10/Oct/2000:13:55:36 -0700] "), []byte("10/Oct/2000:24:55:37 -0700] "))
	f.Add([]byte("31/Dec/1999:23:59:60 +0000] "), []byte("31/Dec/1999:00:00:00 +0000] "))
	f.Fuzz(func(t *testing.T, first, second []byte) {
		warm := newTestParser()
		warm.clfTime(first)
		ns, off, n, ok := warm.clfTime(second)
		ns2, off2, n2, ok2 := newTestParser().clfTime(second)
		if ns != ns2 || off != off2 || n != n2 || ok != ok2 {
			t.Fatalf("after %q, %q gave %d %d %d %v; fresh %d %d %d %v", first, second, ns, off, n, ok, ns2, off2, n2, ok2)
		}
	})
}

// FuzzSpaceBytes holds spaceBytes to a byte-by-byte test of the eight bytes.
func FuzzSpaceBytes(f *testing.F) {
	f.Add(uint64(0x2020202020202020))
	f.Add(uint64(0x2120a0202100ff20))
	f.Add(uint64(0))
	f.Fuzz(func(t *testing.T, x uint64) {
		var want uint64
		for i := 0; i < 8; i++ {
			if byte(x>>(8*i)) == ' ' {
				want |= 0x80 << (8 * i)
			}
		}
		if got := spaceBytes(x); got != want {
			t.Fatalf("spaceBytes(%#x) = %#x, want %#x", x, got, want)
		}
	})
}

// FuzzSetProtocolName holds setProtocolName's fast path to the comparisons it goes around.
func FuzzSetProtocolName(f *testing.F) {
	for _, s := range []string{"TCP", "udp", "IcMp", "icmpv6", "tcP", "\x14cp", "TCp\x00", "47", "GRE", "Icmp"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, proto []byte) {
		var got event.Event
		setProtocolName(&got, proto)
		var want []byte
		for _, n := range []string{"tcp", "udp", "icmp", "icmpv6", "igmp", "gre", "esp", "ah", "sctp"} {
			if ascii.EqualFold(proto, n) {
				want = []byte(n)
				break
			}
		}
		if want == nil {
			want = make([]byte, len(proto))
			for i, c := range proto {
				want[i] = ascii.Lower(c)
			}
		}
		if !bytes.Equal(got.Get(event.Protocol), want) {
			t.Fatalf("%q: Protocol %q, want %q", proto, got.Get(event.Protocol), want)
		}
	})
}

// FuzzActionFromPrefix holds actionFromPrefix to a search of the prefix, lowered, for each verdict.
func FuzzActionFromPrefix(f *testing.F) {
	for _, s := range []string{"[UFW BLOCK] ", "Shorewall:net2fw:DROP:", "INPUT-REJECT ", "aCcEpT", "ALLOW dENY", "iptables-in: ", "dro", "\xc4ROP"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, prefix []byte) {
		var want []byte
		for i := range prefix {
			for _, w := range [][]byte{wordDrop, wordDeny, wordReject, wordBlock, wordAccept, wordAllow} {
				if ascii.HasPrefixFold(prefix[i:], string(w)) {
					want = w
					break
				}
			}
			if want != nil {
				break
			}
		}
		if got := actionFromPrefix(prefix); !bytes.Equal(got, want) {
			t.Fatalf("%q: %q, want %q", prefix, got, want)
		}
	})
}

// FuzzIndexIN holds indexIN to bytes.Index.
func FuzzIndexIN(f *testing.F) {
	for _, s := range []string{"INPUT:DROP:IN=eth0", "PHYSIN=a IN=b", "=IN=", "IN", "I=IN=", "xIN=", "N=IN="} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := indexIN(b), bytes.Index(b, []byte("IN=")); got != want {
			t.Fatalf("indexIN(%q) = %d, want %d", b, got, want)
		}
	})
}
