package logs

import (
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

type fm = map[event.Field]string

func TestIptables(t *testing.T) {
	checkCases(t, []fieldCase{
		{"bridge inbound", "Feb 25 12:11:24 bridge kernel: INBOUND TCP: IN=br0 PHYSIN=eth0 OUT=br0 PHYSOUT=eth1 SRC=198.51.100.38 DST=192.0.2.83 LEN=64 TOS=0x00 PREC=0x00 TTL=47 ID=17159 DF PROTO=TCP SPT=1629 DPT=139 WINDOW=44620 RES=0x00 SYN URGP=0", event.FormatIptables,
			fm{event.SourceIP: "198.51.100.38", event.DestinationIP: "192.0.2.83", event.SourcePort: "1629", event.DestinationPort: "139",
				event.Protocol: "tcp", event.TCPFlags: "SYN", event.Interface: "br0", event.Direction: "forward", event.Action: absent}},
		{"icmp echo", "May 26 06:42:39 gw kernel: IN=eth0 OUT= MAC=00:0c:29:aa:bb:cc:00:50:56:dd:ee:ff:08:00 SRC=198.51.100.9 DST=192.0.2.1 LEN=28 TOS=0x00 PREC=0x00 TTL=50 ID=1 PROTO=ICMP TYPE=8 CODE=0 ID=512 SEQ=1", event.FormatIptables,
			fm{event.SourceIP: "198.51.100.9", event.DestinationIP: "192.0.2.1", event.Protocol: "icmp", event.ICMPType: "8", event.ICMPCode: "0",
				event.Direction: "in", event.Interface: "eth0", event.SourcePort: absent}},
		{"ufw with kernel stamp", "Jan 10 09:00:01 host kernel: [123456.789012] [UFW BLOCK] IN=eth0 OUT= MAC=aa SRC=203.0.113.5 DST=192.0.2.10 LEN=40 TOS=0x00 PREC=0x00 TTL=241 ID=54321 PROTO=TCP SPT=44444 DPT=23 WINDOW=1024 RES=0x00 ACK PSH FIN URGP=0 \r", event.FormatIptables,
			fm{event.Action: "block", event.TCPFlags: "ACK PSH FIN", event.DestinationPort: "23"}},
		{"shorewall no space", "Jan 10 09:00:01 fw kernel: Shorewall:net2fw:DROP:IN=eth0 OUT= SRC=203.0.113.5 DST=192.0.2.10 LEN=40 TOS=0x00 PREC=0x00 TTL=241 ID=1 PROTO=UDP SPT=5353 DPT=5353 LEN=20", event.FormatIptables,
			fm{event.Action: "drop", event.Protocol: "udp", event.Interface: "eth0", event.Direction: "in"}},
		{"outbound", "Jan 10 09:00:01 fw kernel: OUT-REJECT IN= OUT=ppp0 SRC=192.0.2.10 DST=203.0.113.5 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=47", event.FormatIptables,
			fm{event.Action: "reject", event.Protocol: "47", event.Interface: "ppp0", event.Direction: "out"}},
		{"icmp error with embedded packet", "Jan 10 09:00:01 fw kernel: IN=eth0 OUT= SRC=198.51.100.1 DST=192.0.2.10 LEN=56 TOS=0x00 PREC=0xC0 TTL=254 ID=2 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.10 DST=198.51.100.99 LEN=28 TOS=0x00 PREC=0x00 TTL=1 ID=3 PROTO=UDP SPT=33434 DPT=33435 LEN=8 ]", event.FormatIptables,
			fm{event.SourceIP: "198.51.100.1", event.DestinationIP: "192.0.2.10", event.ICMPType: "3", event.ICMPCode: "3", event.SourcePort: absent}},
		{"ipv6 mixed case proto", "Jan 10 09:00:01 fw kernel: IN=eth0 OUT= SRC=2001:db8::1 DST=2001:db8::2 LEN=72 TC=0 HOPLIMIT=255 FLOWLBL=0 PROTO=ICMPv6 TYPE=135 CODE=0", event.FormatIptables,
			fm{event.Protocol: "icmpv6", event.ICMPType: "135"}},
		{"unknown proto name lower-cased", "Jan 10 09:00:01 fw kernel: IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDPLITE", event.FormatIptables,
			fm{event.Protocol: "udplite"}},
		// Resemble netfilter but are not claimed.
		{"arp has no PROTO", "Jan 10 09:00:01 fw kernel: IN=eth0 OUT= MAC=ff SRC=1.2.3.4 DST=5.6.7.8", event.FormatSyslog, fm{event.SourceIP: absent}},
		{"not kernel", "Jan 10 09:00:01 fw sshd[1]: Invalid user IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP from 198.51.100.2", event.FormatAuth, fm{event.SourceIP: "198.51.100.2", event.Protocol: absent}},
		{"truncated", "Jan 10 09:00:01 fw kernel: IN=eth0 OUT= SRC=1.2.3.4 DS", event.FormatSyslog, fm{event.SourceIP: absent}},
	})
}

func TestIpchains(t *testing.T) {
	checkCases(t, []fieldCase{
		{"deny syn", "May 14 11:03:57 gateway kernel: Packet log: input DENY eth0 PROTO=6 198.51.100.4:3894 192.0.2.8:10008 L=60 S=0x00 I=38924 F=0x4000 T=51 SYN (#11)", event.FormatIpchains,
			fm{event.Direction: "in", event.Action: "deny", event.Interface: "eth0", event.Protocol: "tcp", event.SourceIP: "198.51.100.4",
				event.SourcePort: "3894", event.DestinationIP: "192.0.2.8", event.DestinationPort: "10008", event.TCPFlags: "SYN"}},
		{"icmp type code", "May 14 11:03:57 gateway kernel: Packet log: output REJECT ppp0 PROTO=1 192.0.2.8:8 198.51.100.4:0 L=84 S=0x00 I=1 F=0x0000 T=64 (#3)", event.FormatIpchains,
			fm{event.Direction: "out", event.Action: "reject", event.Protocol: "icmp", event.ICMPType: "8", event.ICMPCode: "0", event.SourcePort: absent, event.TCPFlags: absent}},
		{"udp forward masq", "May 14 11:03:57 gateway kernel: Packet log: forward MASQ eth1 PROTO=17 192.168.1.2:1024 198.51.100.53:53 L=60 S=0x00 I=1 F=0x0000 T=63 (#1)", event.FormatIpchains,
			fm{event.Direction: "forward", event.Action: "masq", event.Protocol: "udp"}},
		{"user chain other proto", "May 14 11:03:57 gateway kernel: Packet log: mychain ACCEPT eth0 PROTO=47 1.2.3.4:65535 5.6.7.8:65535 L=60 (#1)", event.FormatIpchains,
			fm{event.Direction: absent, event.Protocol: "47"}},
		{"truncated", "May 14 11:03:57 gateway kernel: Packet log: input DENY eth0 PROTO=6 198.51.100.4", event.FormatSyslog, nil},
	})
}

func TestIpfw(t *testing.T) {
	checkCases(t, []fieldCase{
		{"deny tcp", "Feb  3 16:02:58 lhotse /kernel: ipfw: 2700 Deny TCP 10.9.8.7:1103 192.0.2.78:135 in via tun0", event.FormatIpfw,
			fm{event.Program: "/kernel", event.Action: "deny", event.Protocol: "tcp", event.SourceIP: "10.9.8.7", event.SourcePort: "1103",
				event.DestinationIP: "192.0.2.78", event.DestinationPort: "135", event.Direction: "in", event.Interface: "tun0"}},
		{"icmp", "Feb  3 16:02:58 lhotse kernel: ipfw: 100 Accept ICMP:8.0 198.51.100.1 192.0.2.78 out via xl0", event.FormatIpfw,
			fm{event.Action: "accept", event.Protocol: "icmp", event.ICMPType: "8", event.ICMPCode: "0", event.Direction: "out", event.Interface: "xl0", event.SourcePort: absent}},
		{"udp fragment", "Feb  3 16:02:58 lhotse kernel: ipfw: 65000 Deny UDP 198.51.100.1:53 192.0.2.78:1024 in via ed0 Fragment = 123", event.FormatIpfw,
			fm{event.Protocol: "udp", event.DestinationPort: "1024", event.Interface: "ed0"}},
		{"action with argument", "Feb  3 16:02:58 lhotse kernel: ipfw: 500 Unreach 3 UDP 198.51.100.1:53 192.0.2.78:1024 in via em0", event.FormatIpfw,
			fm{event.Action: "unreach", event.Protocol: "udp"}},
		{"other protocol", "Feb  3 16:02:58 lhotse kernel: ipfw: 500 Deny P:47 198.51.100.1 192.0.2.78 in via em0", event.FormatIpfw,
			fm{event.Protocol: "47", event.SourcePort: absent}},
		{"not ipfw", "Feb  3 16:02:58 lhotse kernel: ipfw: ipfw2 initialized, divert loadable, rule-based forwarding disabled", event.FormatSyslog, nil},
	})
}

func TestCiscoACL(t *testing.T) {
	checkCases(t, []fieldCase{
		{"logp", "Sep 23 07:30:41 gate 301270: 5d17h: %SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.4(1929) -> 192.0.2.8(80), 1 packet", event.FormatCiscoACL,
			fm{event.Program: "301270", event.Action: "denied", event.Protocol: "tcp", event.SourceIP: "198.51.100.4", event.SourcePort: "1929",
				event.DestinationIP: "192.0.2.8", event.DestinationPort: "80", event.Direction: absent}},
		{"logdp icmp", "Sep 23 07:31:02 gate 301271: 5d17h: %SEC-6-IPACCESSLOGDP: list 101 denied icmp 198.51.100.4 -> 192.0.2.8 (8/0), 1 packet", event.FormatCiscoACL,
			fm{event.Protocol: "icmp", event.ICMPType: "8", event.ICMPCode: "0", event.DestinationIP: "192.0.2.8", event.SourcePort: absent}},
		{"logs standard", "Sep 23 07:31:02 gate 12: *Mar  1 00:00:40.123: %SEC-6-IPACCESSLOGS: list 10 denied 198.51.100.4 3 packets", event.FormatCiscoACL,
			fm{event.SourceIP: "198.51.100.4", event.DestinationIP: absent, event.Protocol: absent}},
		{"named with interface", "Sep 23 07:31:02 gate %SEC-6-IPACCESSLOGP: list OUTSIDE-IN permitted udp 198.51.100.4(53) (Serial0/0 ) -> 192.0.2.8(1025), 12 packets", event.FormatCiscoACL,
			fm{event.Action: "permitted", event.Interface: "Serial0/0", event.SourcePort: "53", event.DestinationPort: "1025"}},
		{"lognp", "Sep 23 07:31:02 gate 5: %SEC-6-IPACCESSLOGNP: list 110 denied 47 198.51.100.4 -> 192.0.2.8, 1 packet", event.FormatCiscoACL,
			fm{event.Protocol: "47", event.DestinationIP: "192.0.2.8"}},
		{"rate limit notice not claimed", "Sep 23 07:31:02 gate 5: %SEC-6-IPACCESSLOGRL: access-list logging rate-limited or missed 3 packets", event.FormatSyslog, nil},
		{"garbage address", "Sep 23 07:31:02 gate 5: %SEC-6-IPACCESSLOGP: list 1 denied tcp x(1) -> y(2), 1 packet", event.FormatSyslog, nil},
	})
}

func TestPF(t *testing.T) {
	checkCases(t, []fieldCase{
		{"tcpdump tcp", "Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384", event.FormatPF,
			fm{event.Action: "block", event.Direction: "in", event.Interface: "fxp0", event.SourceIP: "198.51.100.5", event.SourcePort: "1234",
				event.DestinationIP: "192.0.2.1", event.DestinationPort: "80", event.Protocol: "tcp", event.TCPFlags: "S", event.Host: absent}},
		{"icmp echo", "Oct 11 10:00:01.000001 rule 3/0(match): pass out on em0: 192.0.2.1 > 198.51.100.5: icmp: echo request", event.FormatPF,
			fm{event.Action: "pass", event.Direction: "out", event.Protocol: "icmp", event.ICMPType: "8", event.SourcePort: absent}},
		{"icmp unreachable", "Oct 11 10:00:01 rule 3/0(match): block out on em0: 192.0.2.1 > 198.51.100.5: icmp: 192.0.2.1 udp port 53 unreachable", event.FormatPF,
			fm{event.ICMPType: "3", event.ICMPCode: "3"}},
		{"udp ipv6", "Oct 11 10:00:01.5 rule 1.anchor.3/0(match): match in on em0: 2001:db8::1.1234 > 2001:db8::2.53: udp 52", event.FormatPF,
			fm{event.Action: "match", event.SourceIP: "2001:db8::1", event.SourcePort: "1234", event.DestinationIP: "2001:db8::2", event.DestinationPort: "53", event.Protocol: "udp"}},
		{"no subrule uid pid", "Oct 11 10:00:01.5 rule 0/0(match) [uid 0, pid 123]: pass out on lo0: 127.0.0.1.5000 > 127.0.0.1.80: [S] 1:1(0) win 1", event.FormatPF,
			fm{event.TCPFlags: "S", event.Protocol: "tcp"}},
		{"empty subrule", "Oct 11 10:00:01.5 rule 2/(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.22: P. 1:2(1) ack 1 win 1", event.FormatPF,
			fm{event.TCPFlags: "P."}},
		{"syslog framed", "Oct 11 10:00:02 fw pflogd: Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 1:1(0) win 1", event.FormatPF,
			fm{event.Host: "fw", event.Program: "pflogd", event.SourceIP: "198.51.100.5"}},
		{"syslog framed bare", "Oct 11 10:00:02 fw pf: rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 1:1(0) win 1", event.FormatPF,
			fm{event.Program: "pf", event.DestinationPort: "80"}},
		{"not rule", "Oct 11 10:00:00.123456 IP 198.51.100.5.1234 > 192.0.2.1.80: S", event.FormatUnknown, nil},
		{"truncated", "Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100", event.FormatUnknown, nil},
	})
}
