package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// The real-shaped corpus (-shape real) follows the make-up of public honeynet and host logs rather
// than the mixed corpus' even spread: about a third of the lines are firewall denies (iptables, pf,
// Cisco ASA/PIX) from a population of 60,000 sources (a few persistent scanners send a quarter of
// them), snort IDS alerts, web access logs in which Code Red and Nimda requests arrive from the
// whole population, Apache error logs with the "File does not exist" lines the worms leave and
// Slapper's mod_ssl pairs, and syslog with sshd failures from many sources beside other daemons.
// Bursts (port scans, host sweeps, floods, ssh password guessing) make every bundled correlation
// fire; the many sources make correlation and ranking state as large as real logs make it.
//
// Sources are drawn from 198.18.0.0/15 (RFC 2544, set aside for benchmarks), targets from
// 192.0.2.0/24; -attack-rate does not apply.

const (
	rFirewall kind = nKinds + iota // single denies from the source population
	rScan                          // port scans and host sweeps: bursts of denies from one source
	rFlood                         // one source to one target, 50 or more denies in a few seconds
	rIDS                           // snort alerts
	rAccess                        // web access, benign
	rWorm                          // Code Red and Nimda requests
	rWebError                      // Apache error log, benign and the worms' "File does not exist"
	rSlapper                       // mod_ssl handshake pairs and udp/2002 denies
	rSSHFail                       // single sshd failures from the population
	rBrute                         // ssh password guessing bursts
	rSyslog                        // other daemons, logins, mail
	nAllKinds
)

func init() {
	for k, name := range map[kind]string{
		rFirewall: "firewall-deny", rScan: "scan-burst", rFlood: "flood-burst", rIDS: "snort",
		rAccess: "web-access", rWorm: "worm-request", rWebError: "web-error", rSlapper: "slapper",
		rSSHFail: "sshd-failure", rBrute: "ssh-brute", rSyslog: "syslog-other",
	} {
		kindNames[k] = name
	}
}

// realSlots are the decisions of the real shape per 10,000 slots (a burst takes one slot).
var realSlots = []struct {
	k     kind
	slots int
}{
	{rFirewall, 3400}, {rScan, 5}, {rFlood, 1}, {rIDS, 600}, {rAccess, 2100}, {rWorm, 100},
	{rWebError, 300}, {rSlapper, 50}, {rSSHFail, 400}, {rBrute, 10}, {rSyslog, 3034},
}

// population is how many distinct sources the real shape draws from.
const population = 60000

// popSrc returns a source of the population: a quarter of the draws go to 256 persistent ones.
func (r *rng) popSrc() ip4 {
	i := r.n(population)
	if r.n(4) == 0 {
		i = r.n(256)
	}
	return ip4{198, byte(18 + i/(254*256)), byte(i / 254 % 256), byte(1 + i%254)}
}

var (
	snortSigs = []struct {
		sig, proto string
		port       int
	}{
		{"[1:1418:11] SNMP request tcp [Classification: Attempted Information Leak] [Priority: 2]", "TCP", 161},
		{"[1:1417:9] SNMP request udp [Classification: Attempted Information Leak] [Priority: 2]", "UDP", 161},
		{"[1:469:3] ICMP PING NMAP [Classification: Attempted Information Leak] [Priority: 2]", "ICMP", 0},
		{"[1:1256:7] WEB-IIS CodeRed v2 root.exe access [Classification: Web Application Attack] [Priority: 1]", "TCP", 80},
		{"[1:1002:7] WEB-IIS cmd.exe access [Classification: Web Application Attack] [Priority: 1]", "TCP", 80},
		{"[1:1243:11] WEB-IIS ISAPI .ida attempt [Classification: Web Application Attack] [Priority: 1]", "TCP", 80},
		{"[1:1881:4] MISC bad SSL client hello [Classification: Attempted Denial of Service] [Priority: 2]", "TCP", 443},
		{"[1:615:5] SCAN SOCKS Proxy attempt [Classification: Attempted Information Leak] [Priority: 2]", "TCP", 1080},
		{"[1:618:5] SCAN Squid Proxy attempt [Classification: Attempted Information Leak] [Priority: 2]", "TCP", 3128},
		{"[1:2003:8] MS-SQL Worm propagation attempt [Classification: Misc Attack] [Priority: 2]", "UDP", 1434},
		{"[1:1390:5] SHELLCODE x86 inc ebx NOOP [Classification: Executable code was detected] [Priority: 1]", "TCP", 21},
		{"[116:46:1] (snort_decoder) WARNING: TCP Data Offset is less than 5! [Priority: 3]", "TCP", 139},
	}
	asaRules = []string{"outside_in", "acl_outside", "inbound"}
)

// fillReal is fill for the real shape.
func (g *gen) fillReal(end int64) {
	r := &g.r
	for g.line < end {
		left := int(end - g.line)
		x := r.n(10000)
		k := rSyslog
		for _, s := range realSlots {
			if x < s.slots {
				k = s.k
				break
			}
			x -= s.slots
		}
		g.realEvent(k, left)
	}
}

func (g *gen) realEvent(k kind, left int) {
	r := &g.r
	first := true
	line := func() { g.end(k, first); first = false }
	switch k {
	case rFirewall:
		g.deny(r.n(3), r.popSrc(), r.target(), "", 0)
		line()
	case rScan:
		fw, src, dst := r.n(3), r.popSrc(), r.target()
		n := min(20+r.n(41), left)
		sweep := r.n(2) == 0 // one port on many hosts, else many ports on one host
		port := r.pick2(scanPorts)
		base := r.n(len(scanPorts))
		for j := 0; j < n; j++ {
			if sweep {
				dst = r.target()
			} else {
				port = scanPorts[(base+j)%len(scanPorts)]
				if j >= len(scanPorts) {
					port = 1 + r.n(1024)
				}
			}
			g.deny(fw, src, dst, "TCP", port)
			line()
		}
	case rFlood:
		fw, src, dst := r.n(3), r.popSrc(), r.target()
		for j, n := 0, min(50+r.n(31), left); j < n; j++ {
			g.deny(fw, src, dst, "TCP", 80)
			line()
		}
	case rIDS:
		s := snortSigs[r.n(len(snortSigs))]
		g.sys("bastion", "snort", 1200+r.n(50))
		g.s(s.sig)
		g.s(": {")
		g.s(s.proto)
		g.s("} ")
		src := r.popSrc()
		g.b = appIP4(g.b, src)
		if s.proto != "ICMP" {
			g.s(":")
			g.i(1024 + r.n(64000))
		}
		g.s(" -> ")
		g.b = appIP4(g.b, r.target())
		if s.proto != "ICMP" {
			g.s(":")
			g.i(s.port)
		}
		line()
	case rAccess:
		g.benign(kAccess) // its own end
		g.kinds[len(g.kinds)-1] = uint8(rAccess) | eventStart
	case rWorm:
		src := r.popSrc()
		if r.n(3) > 0 {
			g.begin()
			g.b = appIP4(g.b, src)
			g.s(" - - [")
			g.b = append(g.b, g.c.access...)
			g.s("] \"GET /default.ida?")
			fill := "N"
			if r.n(2) == 0 {
				fill = "X"
			}
			g.s(strings.Repeat(fill, 224))
			g.s("%u9090%u6858%ucbd3%u7801%u9090%u6858%ucbd3%u7801%u9090%u6858%ucbd3%u7801%u9090%u9090%u8190%u00c3%u0003%u8b00%u531b%u53ff%u0078%u0000%u00=a HTTP/1.0\" 404 ")
			g.i(280 + r.n(20))
			g.s(" \"-\" \"-\"")
			line()
			return
		}
		n := min(len(nimdaPaths), left)
		for j := 0; j < n; j++ {
			g.access(src, "GET", nimdaPaths[j], "HTTP/1.0", 404, 280+r.n(20), "-")
			line()
		}
	case rWebError:
		if r.n(2) == 0 {
			g.benign(kApacheErr)
			g.kinds[len(g.kinds)-1] = uint8(rWebError) | eventStart
			return
		}
		g.begin()
		g.s("[")
		g.b = append(g.b, g.c.errlog...)
		g.s("] [error] [client ")
		g.b = appIP4(g.b, r.popSrc())
		g.s("] File does not exist: /var/www/html/")
		g.s(r.pick([]string{"scripts/root.exe", "MSADC/root.exe", "c/winnt/system32/cmd.exe", "d/winnt/system32/cmd.exe", "scripts/..%5c../winnt/system32/cmd.exe", "default.ida"}))
		line()
	case rSlapper:
		src := r.popSrc()
		if r.n(2) == 0 {
			g.ipt("", r.pick(fwPrefixes), src, r.target(), "UDP", 2002, 2002, false)
			line()
			return
		}
		g.begin()
		g.s("[")
		g.b = append(g.b, g.c.errlog...)
		g.s("] [error] mod_ssl: SSL handshake failed (server www.example.jp:443, client ")
		g.b = appIP4(g.b, src)
		g.s(") (OpenSSL library error follows)")
		line()
		if left > 1 {
			g.begin()
			g.s("[")
			g.b = append(g.b, g.c.errlog...)
			g.s("] [error] OpenSSL: error:1406908F:SSL routines:GET_CLIENT_FINISHED:connection id is different")
			line()
		}
	case rSSHFail:
		g.sshFail(r.pick([]string{"bastion", "shell", "LabSZ"}), r.popSrc())
		line()
	case rBrute:
		h, src := r.pick([]string{"bastion", "shell", "LabSZ"}), r.popSrc()
		for j, n := 0, min(10+r.n(16), left); j < n; j++ {
			g.sshFail(h, src)
			line()
		}
	default:
		switch x := r.n(10); {
		case x < 1:
			g.benign(kLogin)
		case x < 2:
			g.benign(kMail)
		default:
			g.benign(kSyslog)
		}
		g.kinds[len(g.kinds)-1] = uint8(rSyslog) | eventStart
	}
}

// sshFail appends one failed ssh login from src.
func (g *gen) sshFail(host string, src ip4) {
	r := &g.r
	g.sys(host, "sshd", g.pid())
	u := r.pick(bruteUsers)
	switch r.n(4) {
	case 0:
		g.s("Invalid user ")
		g.s(u)
		g.s(" from ")
		g.b = appIP4(g.b, src)
	case 1:
		g.s("Failed password for invalid user ")
		g.s(u)
		g.s(" from ")
		g.b = appIP4(g.b, src)
		g.s(" port ")
		g.i(30000 + r.n(30000))
		g.s(" ssh2")
	default:
		g.s("Failed password for root from ")
		g.b = appIP4(g.b, src)
		g.s(" port ")
		g.i(30000 + r.n(30000))
		g.s(" ssh2")
	}
}

// deny appends one inbound packet that a firewall dropped: iptables (fw 0), pf (1) or Cisco ASA /
// PIX (2). proto "" and port 0 mean random.
func (g *gen) deny(fw int, src, dst ip4, proto string, port int) {
	r := &g.r
	if proto == "" {
		proto = []string{"TCP", "TCP", "TCP", "UDP", "ICMP"}[r.n(5)]
	}
	if port == 0 {
		port = r.pick2(tcpPorts)
		if proto == "UDP" {
			port = r.pick2(udpPorts)
		}
	}
	sport := 1024 + r.n(64000)
	switch fw {
	case 0:
		g.ipt("", r.pick(fwPrefixes), src, dst, proto, sport, port, false)
	case 1:
		g.sys("fw", "pf", 0)
		g.s("rule ")
		g.i(r.n(40))
		g.s("/0(match): block in on fxp0: ")
		g.b = appIP4(g.b, src)
		switch proto {
		case "ICMP":
			g.s(" > ")
			g.b = appIP4(g.b, dst)
			g.s(": icmp: echo request")
		case "UDP":
			g.s(".")
			g.i(sport)
			g.s(" > ")
			g.b = appIP4(g.b, dst)
			g.s(".")
			g.i(port)
			g.s(": udp ")
			g.i(20 + r.n(400))
		default:
			g.s(".")
			g.i(sport)
			g.s(" > ")
			g.b = appIP4(g.b, dst)
			g.s(".")
			g.i(port)
			g.s(": S ")
			seq := r.n(1 << 30)
			g.i(seq)
			g.s(":")
			g.i(seq)
			g.s("(0) win 16384 <mss 1460>")
		}
	default:
		g.begin()
		g.b = append(g.b, g.c.syslog...)
		g.s(" asa ")
		lp := strings.ToLower(proto)
		switch {
		case proto == "ICMP":
			g.s("%ASA-4-106023: Deny icmp src outside:")
			g.b = appIP4(g.b, src)
			g.s(" dst inside:")
			g.b = appIP4(g.b, dst)
			g.s(" (type 8, code 0) by access-group \"")
			g.s(r.pick(asaRules))
			g.s("\" [0x0, 0x0]")
		case r.n(3) == 0:
			g.s("%ASA-6-106100: access-list ")
			g.s(r.pick(asaRules))
			g.s(" denied ")
			g.s(lp)
			g.s(" outside/")
			g.b = appIP4(g.b, src)
			g.s("(")
			g.i(sport)
			g.s(") -> inside/")
			g.b = appIP4(g.b, dst)
			g.s("(")
			g.i(port)
			g.s(") hit-cnt 1 first hit [0x0, 0x0]")
		case proto == "TCP" && r.n(3) == 0:
			g.s("%PIX-2-106001: Inbound TCP connection denied from ")
			g.b = appIP4(g.b, src)
			g.s("/")
			g.i(sport)
			g.s(" to ")
			g.b = appIP4(g.b, dst)
			g.s("/")
			g.i(port)
			g.s(" flags SYN  on interface outside")
		default:
			g.s("%ASA-4-106023: Deny ")
			g.s(lp)
			g.s(" src outside:")
			g.b = appIP4(g.b, src)
			g.s("/")
			g.i(sport)
			g.s(" dst inside:")
			g.b = appIP4(g.b, dst)
			g.s("/")
			g.i(port)
			g.s(" by access-group \"")
			g.s(r.pick(asaRules))
			g.s("\" [0x0, 0x0]")
		}
	}
}

func (st *stats) printReal(w io.Writer, sizeArg string, size int64, seed uint64, el time.Duration, quiet bool) {
	fmt.Fprintf(w, "gencorpus: shape=real size=%s (%d) seed=%d: wrote %d bytes, %d lines, %.2fs, %.0f MB/s\n",
		sizeArg, size, seed, st.bytes, st.lines, el.Seconds(), float64(st.bytes)/1e6/el.Seconds())
	if quiet {
		return
	}
	fmt.Fprintf(w, "  %-18s %12s %10s %7s\n", "kind", "lines", "events", "share")
	for k := rFirewall; k < nAllKinds; k++ {
		share := 0.0
		if st.lines > 0 {
			share = 100 * float64(st.kLines[k]) / float64(st.lines)
		}
		fmt.Fprintf(w, "  %-18s %12d %10d %6.2f%%\n", kindNames[k], st.kLines[k], st.kEvts[k], share)
	}
}
