// Command gencorpus writes a deterministic, mixed log corpus for benchmarking `keikai analyze`.
//
//	go run ./bench/gencorpus -size 1GB -seed 1 -out /tmp/corpus.log
//
// The corpus interleaves, line by line, RFC 3164 syslog of many programs (cron, systemd, named, ntpd,
// dhcpd, su, sudo, xinetd, ...), sshd and pam_unix logins, Linux iptables kernel lines (prefixed,
// bridged, ICMP, UDP) with a few ipfw/ipchains lines, Apache combined access lines, Apache error-log
// lines, and sendmail and postfix lines. About -attack-rate of the lines (default 1%) are attack
// traces in the formats of shared/formats.md: the 1998 statd line with raw unprintable bytes,
// rpc.statd format-string lines, CGI probes, Code Red and Nimda requests, relay denials, udp/2002
// (Slapper) firewall lines, port-scan bursts, SYN-flood kernel lines, mod_ssl "connection id is
// different" error pairs and ssh brute-force bursts.
//
// Addresses come only from the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
// and the private ranges. Timestamps never decrease: line i is stamped start + i*50ms.
//
// The output is a pure function of (-seed, -attack-rate): it is generated in fixed blocks of lines,
// each from its own seed, on every core, and written in order, so memory is constant and a smaller
// corpus is a byte-for-byte prefix of a larger one with the same seed and rate. The file ends on a
// line boundary at or just below -size. The corpus contains no NUL bytes (so grep-like tools treat
// it as text) but does contain bytes >= 0x80 and control bytes, a few CRLF line ends and trailing
// blanks, as real logs do.
//
// What was written (bytes, lines, lines per family, attack lines and events per kind) goes to stderr.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	linesPerBlock = 8192
	stepNanos     = 50 * int64(time.Millisecond) // time between two consecutive lines
)

// start of the corpus: 2002-09-10 00:00:00 JST (the week of the Slapper alert).
var (
	zone      = time.FixedZone("JST", 9*3600)
	startUnix = time.Date(2002, time.September, 10, 0, 0, 0, 0, zone).Unix()
)

// ---------------------------------------------------------------- kinds

type kind uint8

const (
	kSyslog kind = iota // benign families
	kLogin
	kFirewall
	kAccess
	kApacheErr
	kMail
	nBenign

	kStatd1998 = iota - 1 // attack kinds (nBenign ... )
	kStatdFmt
	kCGI
	kCodeRed
	kNimda
	kRelay
	kUDP2002
	kPortScan
	kSynFlood
	kModSSL
	kSSHBrute
	nKinds
)

const eventStart = 0x80 // flag on the first line of an event

var kindNames = [nAllKinds]string{
	kSyslog: "syslog", kLogin: "login", kFirewall: "firewall", kAccess: "access", kApacheErr: "apache-error",
	kMail: "mail", kStatd1998: "statd-1998", kStatdFmt: "rpc.statd-format", kCGI: "cgi-probe",
	kCodeRed: "codered", kNimda: "nimda", kRelay: "relay-denied", kUDP2002: "udp-2002",
	kPortScan: "port-scan", kSynFlood: "syn-flood", kModSSL: "mod_ssl-slapper", kSSHBrute: "ssh-brute",
}

// benign family weights (per mille of benign lines)
var benignWeights = [nBenign]uint32{
	kSyslog: 330, kLogin: 50, kFirewall: 200, kAccess: 320, kApacheErr: 20, kMail: 80,
}

// attack event weights and mean lines per event (the generators below must agree with meanLen)
type attackSpec struct {
	k       kind
	weight  float64
	meanLen float64
}

var attackSpecs = []attackSpec{
	{kStatd1998, 3, 1},
	{kStatdFmt, 3, 1},
	{kCGI, 14, 1},
	{kCodeRed, 8, 1},
	{kNimda, 1, float64(len(nimdaPaths))},
	{kRelay, 8, 2},   // 1..3
	{kUDP2002, 8, 1}, // one packet
	{kPortScan, 1, 40},
	{kSynFlood, 4, 2}, // 1..3
	{kModSSL, 6, 2},   // pair
	{kSSHBrute, 2, 15},
}

// ---------------------------------------------------------------- rng

// splitmix64: tiny, fast, good enough for synthetic text.
type rng struct{ s uint64 }

func (r *rng) u64() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// n returns a uniform int in [0, n).
func (r *rng) n(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

func (r *rng) pick(s []string) string { return s[r.n(len(s))] }

// f returns a uniform float in [0, 1).
func (r *rng) f() float64 { return float64(r.u64()>>11) / (1 << 53) }

// ---------------------------------------------------------------- appenders

var dec [256]string

func init() {
	for i := range dec {
		dec[i] = strconv.Itoa(i)
	}
}

func appIP(b []byte, a, c, d, e int) []byte {
	b = append(b, dec[a]...)
	b = append(b, '.')
	b = append(b, dec[c]...)
	b = append(b, '.')
	b = append(b, dec[d]...)
	b = append(b, '.')
	return append(b, dec[e]...)
}

func appInt(b []byte, v int) []byte { return strconv.AppendInt(b, int64(v), 10) }

// external addresses (attackers, web clients, mail peers)
func (r *rng) extIP(b []byte) []byte {
	switch r.n(3) {
	case 0:
		return appIP(b, 198, 51, 100, 1+r.n(254))
	case 1:
		return appIP(b, 203, 0, 113, 1+r.n(254))
	default:
		return appIP(b, 192, 0, 2, 1+r.n(254))
	}
}

// the site's own addresses: 192.0.2.0/24 and private ranges
func (r *rng) siteIP(b []byte) []byte {
	switch r.n(4) {
	case 0:
		return appIP(b, 10, r.n(4), r.n(256), 1+r.n(254))
	case 1:
		return appIP(b, 172, 16+r.n(16), r.n(256), 1+r.n(254))
	case 2:
		return appIP(b, 192, 168, r.n(4), 1+r.n(254))
	default:
		return appIP(b, 192, 0, 2, 1+r.n(254))
	}
}

func (r *rng) anyIP(b []byte) []byte {
	if r.n(3) == 0 {
		return r.siteIP(b)
	}
	return r.extIP(b)
}

// attacker addresses: 198.51.100.0/24 and 203.0.113.0/24
type ip4 [4]byte

func (r *rng) attacker() ip4 {
	if r.n(2) == 0 {
		return ip4{198, 51, 100, byte(1 + r.n(254))}
	}
	return ip4{203, 0, 113, byte(1 + r.n(254))}
}

func (r *rng) target() ip4 { return ip4{192, 0, 2, byte(1 + r.n(254))} }

func appIP4(b []byte, a ip4) []byte { return appIP(b, int(a[0]), int(a[1]), int(a[2]), int(a[3])) }

const hexdigits = "0123456789abcdef"

func appHex(b []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, hexdigits[(v>>(uint(i)*4))&15])
	}
	return b
}

func (r *rng) mac(b []byte) []byte {
	v := r.u64()
	b = append(b, "00:0c:29"...)
	for i := 0; i < 3; i++ {
		b = append(b, ':')
		b = appHex(b, v>>(uint(i)*8), 2)
	}
	return b
}

// ---------------------------------------------------------------- time stamps

// clock formats the time stamps of the current second once and reuses them.
type clock struct {
	sec    int64
	syslog []byte // "Sep 10 00:00:00"
	access []byte // "10/Sep/2002:00:00:00 +0900"
	errlog []byte // "Tue Sep 10 00:00:00 2002"
	uptime []byte // kernel "[ 1234.567890]"-style seconds since boot
}

func (c *clock) set(sec int64) {
	if sec == c.sec && c.syslog != nil {
		return
	}
	c.sec = sec
	t := time.Unix(sec, 0).In(zone)
	c.syslog = t.AppendFormat(c.syslog[:0], time.Stamp)
	c.access = t.AppendFormat(c.access[:0], "02/Jan/2006:15:04:05 -0700")
	c.errlog = t.AppendFormat(c.errlog[:0], "Mon Jan _2 15:04:05 2006")
	c.uptime = strconv.AppendInt(c.uptime[:0], sec-startUnix+86400*3, 10)
}

// ---------------------------------------------------------------- vocabularies

var (
	hosts      = []string{"www", "www2", "mail", "ns1", "ns2", "gw", "fw", "db01", "web02", "combo", "shell", "ftp", "LabSZ", "lhotse"}
	fwHosts    = []string{"gw", "fw", "bridge", "gateway", "router"}
	mailHosts  = []string{"mail", "mx", "mx2", "kismet", "combo"}
	users      = []string{"alice", "bob", "carol", "dave", "eve", "frank", "hanako", "taro", "jiro", "yuki", "admin", "oracle", "backup", "www-data"}
	bruteUsers = []string{"root", "root", "root", "admin", "test", "guest", "user", "oracle", "postgres", "mysql", "ftpuser", "ubuntu", "pi", "support", "webmaster", "info", "nagios", "git"}
	domains    = []string{"example.jp", "example.com", "example.net", "example.org", "mail.example.jp", "ne.example.jp"}
	names      = []string{"www.example.com", "mail.example.jp", "ns.example.net", "ftp.example.org", "www.example.jp", "update.example.com", "cdn.example.net", "time.example.org"}

	cronCmds = []string{
		"   cd / && run-parts --report /etc/cron.hourly",
		"/usr/lib/sa/sa1 1 1",
		"test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )",
		"/usr/local/bin/backup.sh > /dev/null 2>&1",
		"[ -x /usr/lib/php/sessionclean ] && /usr/lib/php/sessionclean",
		"/usr/bin/mrtg /etc/mrtg.cfg",
	}
	systemdUnits = []string{"Daily apt download activities", "Rotate log files", "Cleanup of Temporary Directories",
		"Daily man-db regeneration", "Message of the Day", "LSB: Apache web server", "OpenBSD Secure Shell server",
		"Network Time Synchronization", "Postfix Mail Transport Agent", "Discard unused blocks"}
	kernelMsgs = []string{
		"eth0: link up, 100Mbps, full-duplex, lpa 0x45E1",
		"eth1: Setting full-duplex based on MII#1 link partner capability of 45e1.",
		"hda: dma_intr: status=0x51 { DriveReady SeekComplete Error }",
		"EXT3 FS on sda1, internal journal",
		"nfs: server fileserv not responding, still trying",
		"nfs: server fileserv OK",
		"Out of Memory: Killed process 2421 (httpd).",
		"usb 1-1: new full speed USB device using uhci_hcd and address 2",
	}

	webPaths = []string{
		"/", "/", "/index.html", "/index.html", "/favicon.ico", "/robots.txt", "/images/logo.gif", "/images/bg.jpg",
		"/images/spacer.gif", "/css/style.css", "/js/menu.js", "/about/", "/about/staff.html", "/news/", "/news/2002/0913.html",
		"/news/2002/0912.html", "/products/", "/products/item.php?id=", "/search?q=", "/download/", "/download/keikai-1.0.tar.gz",
		"/contact.html", "/ja/", "/en/", "/manual/", "/manual/mod/mod_ssl.html", "/icons/blank.gif", "/docs/faq.html",
		"/archive/2002/09/", "/feed.rss", "/bbs/read.php?thread=", "/login.php", "/member/mypage.php",
	}
	searchWords = []string{"keikai", "apache", "openssl", "%E8%AD%A6%E6%88%92", "slapper", "csirt", "ssh", "linux", "mod_ssl"}
	userAgents  = []string{
		"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)",
		"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0; .NET CLR 1.0.3705)",
		"Mozilla/4.0 (compatible; MSIE 5.5; Windows 98; Win 9x 4.90)",
		"Mozilla/4.0 (compatible; MSIE 5.01; Windows NT 5.0)",
		"Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.0.1) Gecko/20020823 Netscape/7.0",
		"Mozilla/5.0 (Windows; U; Windows NT 5.1; ja-JP; rv:1.1) Gecko/20020826",
		"Mozilla/4.76 [ja] (X11; U; FreeBSD 4.6-RELEASE i386)",
		"Opera/6.05 (Windows 2000; U)  [ja]",
		"Googlebot/2.1 (+http://www.googlebot.com/bot.html)",
		"Mozilla/3.0 (Slurp/si; slurp@inktomi.com; http://www.inktomi.com/slurp.html)",
		"Wget/1.8.2",
		"Lynx/2.8.4rel.1 libwww-FM/2.14 SSL-MM/1.4.1 OpenSSL/0.9.6c",
		"DoCoMo/1.0/N503i/c10",
		"KDDI-CA21 UP.Browser/6.0.2.254 (GUI) MMP/1.1",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
	}
	referers = []string{"-", "-", "-", "http://www.example.jp/", "http://www.example.jp/news/", "http://search.example.com/search?q=keikai&lr=lang_ja", "http://www.example.net/links.html"}

	probeUAs  = []string{"-", "-", "Mozilla/4.75 (Nikto/1.32 )", "libwww-perl/5.65", "Mozilla/4.0 (compatible; MSIE 5.5; Windows NT 5.0)", "Wget/1.6"}
	cgiProbes = []string{
		"/cgi-bin/phf?Qalias=x%0a/bin/cat%20/etc/passwd",
		"/cgi-bin/phf.cgi?QALIAS=x%0a/bin/cat%20/etc/passwd",
		"/cgi-bin/phf",
		"/cgi-bin/test-cgi?*",
		"/cgi-bin/test-cgi?/*",
		"/cgi-bin/nph-test-cgi?*",
		"/cgi-bin/php.cgi?/etc/passwd",
		"/cgi-bin/php.cgi",
		"/cgi-bin/Count.cgi?align=topcenter&df=../../../../../../etc/passwd",
		"/cgi-bin/Count.cgi",
		"/cgi-bin/formmail.pl?recipient=x@example.com&subject=test&email=a@example.org",
		"/cgi-bin/FormMail.pl",
		"/cgi-bin/formmail.cgi",
		"/cgi-bin/awstats.pl?configdir=|echo;echo%20YYY;cd%20%2ftmp%3bid;echo%20YYY;echo|",
		"/cgi-bin/awstats/awstats.pl?configdir=|echo;echo;id;echo;echo|",
		"/awstats/awstats.pl?configdir=|uname%20-a|",
	}
	nimdaPaths = []string{
		"/scripts/root.exe?/c+dir",
		"/MSADC/root.exe?/c+dir",
		"/c/winnt/system32/cmd.exe?/c+dir",
		"/d/winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%255c../winnt/system32/cmd.exe?/c+dir",
		"/_vti_bin/..%255c../..%255c../..%255c../winnt/system32/cmd.exe?/c+dir",
		"/_mem_bin/..%255c../..%255c../..%255c../winnt/system32/cmd.exe?/c+dir",
		"/msadc/..%255c../..%255c../..%255c/..%c1%1c../..%c1%1c../..%c1%1c../winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%c1%1c../winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%c0%2f../winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%c1%9c../winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%%35%63../winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%%35c../winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%25%35%63../winnt/system32/cmd.exe?/c+dir",
		"/scripts/..%252f../winnt/system32/cmd.exe?/c+dir",
	}
	fwPrefixes = []string{"", "", "DROP ", "iptables-in: ", "[UFW BLOCK] ", "FW-IN DROP: ", "INPUT:DROP:", "Shorewall:net2fw:DROP:"}
	tcpPorts   = []int{80, 443, 22, 25, 21, 23, 53, 110, 111, 113, 135, 139, 143, 445, 1080, 1433, 3128, 3306, 6000, 8080, 515, 98}
	udpPorts   = []int{53, 123, 137, 138, 161, 500, 1434, 33434, 111, 514}
	scanPorts  = []int{21, 22, 23, 25, 53, 79, 80, 81, 110, 111, 113, 119, 135, 139, 143, 443, 445, 512, 513, 514, 515, 1080, 1433, 3128, 3306, 5632, 6000, 8000, 8080, 12345, 27374, 31337}
)

// ---------------------------------------------------------------- block generation

type block struct {
	idx   int64
	buf   []byte
	ends  []int32 // end offset (after '\n') of each line
	kinds []uint8 // kind of each line, eventStart on the first line of an event
}

type gen struct {
	r         rng
	c         clock
	b         []byte
	ends      []int32
	kinds     []uint8
	line      int64 // global index of the next line
	pEvent    float64
	attackCDF []float64
	benignCDF [nBenign]uint32
	shape     shape
}

// shape selects the corpus: the even mix or the real-shaped one (real.go).
type shape uint8

const (
	shapeMix shape = iota
	shapeReal
)

func parseShape(s string) (shape, error) {
	switch s {
	case "mix":
		return shapeMix, nil
	case "real":
		return shapeReal, nil
	}
	return 0, fmt.Errorf("unknown -shape %q (use mix or real)", s)
}

func newGen(sh shape, attackRate float64) *gen {
	g := &gen{shape: sh}
	var wsum, lines float64
	for _, s := range attackSpecs {
		wsum += s.weight
		lines += s.weight * s.meanLen
	}
	// An event of L lines takes one decision slot, a benign line one: the share of attack lines is
	// pL/(pL+1-p), so p = rate/(L(1-rate)+rate).
	meanLen := lines / wsum
	g.pEvent = attackRate / (meanLen*(1-attackRate) + attackRate)
	acc := 0.0
	for _, s := range attackSpecs {
		acc += s.weight / wsum
		g.attackCDF = append(g.attackCDF, acc)
	}
	var tot uint32
	for i, w := range benignWeights {
		tot += w
		g.benignCDF[i] = tot
	}
	return g
}

func blockSeed(seed uint64, idx int64) uint64 {
	r := rng{seed ^ 0x6b65696b6169} // "keikai"
	r.s += uint64(idx) * 0xD1B54A32D192ED03
	r.u64()
	return r.u64()
}

func (g *gen) fill(bl *block, seed uint64) {
	g.r = rng{blockSeed(seed, bl.idx)}
	g.b = bl.buf[:0]
	g.ends = bl.ends[:0]
	g.kinds = bl.kinds[:0]
	g.line = bl.idx * linesPerBlock
	end := g.line + linesPerBlock
	if g.shape == shapeReal {
		g.fillReal(end)
		bl.buf, bl.ends, bl.kinds = g.b, g.ends, g.kinds
		return
	}
	for g.line < end {
		left := int(end - g.line)
		if g.r.f() < g.pEvent {
			x := g.r.f()
			i := sort.SearchFloat64s(g.attackCDF, x)
			if i >= len(attackSpecs) {
				i = len(attackSpecs) - 1
			}
			g.attack(attackSpecs[i].k, left)
			continue
		}
		x := uint32(g.r.n(int(g.benignCDF[nBenign-1])))
		k := kSyslog
		for k < nBenign-1 && x >= g.benignCDF[k] {
			k++
		}
		g.benign(k)
	}
	bl.buf, bl.ends, bl.kinds = g.b, g.ends, g.kinds
}

// begin starts a line: sets the clock for the current line.
func (g *gen) begin() { g.c.set(startUnix + (g.line*stepNanos)/1e9) }

// end finishes a line of kind k.
func (g *gen) end(k kind, first bool) {
	// quirks of real logs, rarely: trailing blanks, CRLF.
	switch g.r.n(2000) {
	case 0:
		g.b = append(g.b, ' ')
	case 1:
		g.b = append(g.b, '\r')
	}
	g.b = append(g.b, '\n')
	g.ends = append(g.ends, int32(len(g.b)))
	f := uint8(k)
	if first {
		f |= eventStart
	}
	g.kinds = append(g.kinds, f)
	g.line++
}

// sys appends a syslog header "Sep 10 00:00:00 host prog[pid]: ".
func (g *gen) sys(host, prog string, pid int) {
	g.begin()
	g.b = append(g.b, g.c.syslog...)
	g.b = append(g.b, ' ')
	g.b = append(g.b, host...)
	g.b = append(g.b, ' ')
	g.b = append(g.b, prog...)
	if pid > 0 {
		g.b = append(g.b, '[')
		g.b = appInt(g.b, pid)
		g.b = append(g.b, ']')
	}
	g.b = append(g.b, ": "...)
}

func (g *gen) pid() int { return 300 + g.r.n(32000) }

func (g *gen) s(x string) { g.b = append(g.b, x...) }

// fromPort writes " from ADDRESS port N", the tail of most sshd lines.
func (g *gen) fromPort() {
	g.s(" from ")
	g.b = g.r.siteIP(g.b)
	g.s(" port ")
	g.i(1024 + g.r.n(64000))
}
func (g *gen) i(x int) { g.b = appInt(g.b, x) }

func (g *gen) benign(k kind) {
	r := &g.r
	switch k {
	case kSyslog:
		g.syslogLine()
	case kLogin:
		g.loginLine()
	case kFirewall:
		g.firewallLine(r.anyIPPair())
	case kAccess:
		g.begin()
		g.b = r.anyIP(g.b)
		g.s(" - ")
		if r.n(20) == 0 {
			g.s(r.pick(users))
		} else {
			g.s("-")
		}
		g.s(" [")
		g.b = append(g.b, g.c.access...)
		g.s("] \"")
		switch r.n(20) {
		case 0:
			g.s("HEAD ")
		case 1:
			g.s("POST ")
		default:
			g.s("GET ")
		}
		p := r.pick(webPaths)
		g.s(p)
		switch p[len(p)-1] {
		case '=':
			if p[1] == 's' {
				g.s(r.pick(searchWords))
			} else {
				g.i(r.n(5000))
			}
		}
		if r.n(4) == 0 {
			g.s(" HTTP/1.0\" ")
		} else {
			g.s(" HTTP/1.1\" ")
		}
		st := r.n(100)
		switch {
		case st < 74:
			g.s("200 ")
			g.i(200 + r.n(40000))
		case st < 85:
			g.s("304 -")
		case st < 91:
			g.s("404 ")
			g.i(280 + r.n(20))
		case st < 95:
			g.s("302 ")
			g.i(200 + r.n(100))
		case st < 97:
			g.s("301 ")
			g.i(230 + r.n(20))
		case st < 98:
			g.s("206 ")
			g.i(1000 + r.n(100000))
		case st < 99:
			g.s("403 ")
			g.i(280 + r.n(20))
		default:
			g.s("500 ")
			g.i(500 + r.n(100))
		}
		g.s(" \"")
		g.s(r.pick(referers))
		g.s("\" \"")
		g.s(r.pick(userAgents))
		g.s("\"")
	case kApacheErr:
		g.begin()
		g.s("[")
		g.b = append(g.b, g.c.errlog...)
		switch r.n(6) {
		case 0:
			g.s("] [notice] Apache/1.3.26 (Unix) mod_ssl/2.8.10 OpenSSL/0.9.6g configured -- resuming normal operations")
		case 1:
			g.s("] [warn] [client ")
			g.b = r.anyIP(g.b)
			g.s("] File does not exist: /var/www/html/favicon.ico")
		case 2:
			g.s("] [info] [client ")
			g.b = r.anyIP(g.b)
			g.s("] (104)Connection reset by peer: client stopped connection before send body completed")
		default:
			g.s("] [error] [client ")
			g.b = r.anyIP(g.b)
			g.s("] File does not exist: /var/www/html/")
			g.s(strings.TrimPrefix(r.pick(webPaths), "/"))
		}
	case kMail:
		g.mailLine()
	}
	g.end(k, true)
}

func (r *rng) anyIPPair() (ip4, ip4) {
	var src ip4
	switch r.n(3) {
	case 0:
		src = ip4{198, 51, 100, byte(1 + r.n(254))}
	case 1:
		src = ip4{203, 0, 113, byte(1 + r.n(254))}
	default:
		src = ip4{10, byte(r.n(4)), byte(r.n(256)), byte(1 + r.n(254))}
	}
	return src, ip4{192, 0, 2, byte(1 + r.n(254))}
}

func (g *gen) syslogLine() {
	r := &g.r
	h := r.pick(hosts)
	switch r.n(24) {
	case 0, 1:
		g.sys(h, "CRON", g.pid())
		g.s("(root) CMD (")
		g.s(r.pick(cronCmds))
		g.s(")")
	case 2:
		g.sys(h, "CRON", g.pid())
		g.s("pam_unix(cron:session): session opened for user root by (uid=0)")
	case 3:
		g.sys(h, "CRON", g.pid())
		g.s("pam_unix(cron:session): session closed for user root")
	case 4:
		g.sys(h, "crond", g.pid())
		g.s("(")
		g.s(r.pick(users))
		g.s(") CMD (/usr/bin/fetchmail -s)")
	case 5, 6:
		g.sys(h, "systemd", 1)
		switch r.n(3) {
		case 0:
			g.s("Starting ")
			g.s(r.pick(systemdUnits))
			g.s("...")
		case 1:
			g.s("Finished ")
			g.s(r.pick(systemdUnits))
			g.s(".")
		default:
			g.s("Started Session ")
			g.i(r.n(90000))
			g.s(" of user ")
			g.s(r.pick(users))
			g.s(".")
		}
	case 7:
		g.sys(h, "systemd-logind", 400+r.n(100))
		g.s("New session ")
		g.i(r.n(90000))
		g.s(" of user ")
		g.s(r.pick(users))
		g.s(".")
	case 8, 9, 10:
		g.sys(r.pick([]string{"ns1", "ns2"}), "named", 700+r.n(50))
		g.s("client ")
		g.b = r.siteIP(g.b)
		g.s("#")
		g.i(1024 + r.n(60000))
		g.s(": query: ")
		g.s(r.pick(names))
		g.s(r.pick([]string{" IN A +", " IN MX +", " IN AAAA +", " IN PTR -"}))
	case 11:
		g.sys(r.pick([]string{"ns1", "ns2"}), "named", 700+r.n(50))
		switch r.n(3) {
		case 0:
			g.s("lame server resolving '")
			g.s(r.pick(domains))
			g.s("' (in '")
			g.s(r.pick(domains))
			g.s("'?): ")
			g.b = r.extIP(g.b)
			g.s("#53")
		case 1:
			g.s("zone ")
			g.s(r.pick(domains))
			g.s("/IN: loaded serial 20020910")
			g.i(10 + r.n(89))
		default:
			g.s("client ")
			g.b = r.extIP(g.b)
			g.s("#")
			g.i(1024 + r.n(60000))
			g.s(": zone transfer 'example.jp/IN' denied")
		}
	case 12:
		g.sys(h, "ntpd", 500+r.n(300))
		switch r.n(3) {
		case 0:
			g.s("synchronized to ")
			g.b = r.siteIP(g.b)
			g.s(", stratum ")
			g.i(1 + r.n(4))
		case 1:
			g.s("time reset +0.")
			g.i(100 + r.n(899))
			g.s(" s")
		default:
			g.s("kernel time sync status change 2001")
		}
	case 13, 14:
		// dhcpd logs without a PID on many systems
		g.sys("gw", "dhcpd", 0)
		ip := appIP(nil, 10, 0, r.n(4), 2+r.n(250))
		switch r.n(4) {
		case 0:
			g.s("DHCPDISCOVER from ")
			g.b = r.mac(g.b)
			g.s(" via eth1")
		case 1:
			g.s("DHCPOFFER on ")
			g.b = append(g.b, ip...)
			g.s(" to ")
			g.b = r.mac(g.b)
			g.s(" via eth1")
		case 2:
			g.s("DHCPREQUEST for ")
			g.b = append(g.b, ip...)
			g.s(" (10.0.0.1) from ")
			g.b = r.mac(g.b)
			g.s(" via eth1")
		default:
			g.s("DHCPACK on ")
			g.b = append(g.b, ip...)
			g.s(" to ")
			g.b = r.mac(g.b)
			g.s(" via eth1")
		}
	case 15:
		g.sys(h, "kernel", 0)
		if r.n(3) == 0 {
			g.s("[")
			g.b = append(g.b, g.c.uptime...)
			g.s(".")
			g.i(100000 + r.n(899999))
			g.s("] ")
		}
		g.s(r.pick(kernelMsgs))
	case 16:
		u := r.pick(users)
		g.sys(h, "su", g.pid())
		if r.n(2) == 0 {
			g.s("(to root) ")
			g.s(u)
			g.s(" on pts/")
			g.i(r.n(8))
		} else {
			g.s("pam_unix(su:session): session opened for user root by ")
			g.s(u)
			g.s("(uid=")
			g.i(1000 + r.n(20))
			g.s(")")
		}
	case 17:
		g.sys(h, "sudo", 0)
		g.s(r.pick(users))
		g.s(" : TTY=pts/")
		g.i(r.n(8))
		g.s(" ; PWD=/home/")
		g.s(r.pick(users))
		g.s(" ; USER=root ; COMMAND=")
		g.s(r.pick([]string{"/usr/bin/apt-get update", "/etc/init.d/apache restart", "/bin/cat /var/log/messages", "/usr/sbin/tcpdump -i eth0 -n"}))
	case 18:
		g.sys(h, "xinetd", 300+r.n(100))
		g.s("START: ")
		g.s(r.pick([]string{"ftp", "telnet", "pop3", "auth", "rsync"}))
		g.s(" pid=")
		g.i(g.pid())
		g.s(" from=")
		g.b = r.anyIP(g.b)
	case 19:
		g.sys("ftp", "ftpd", g.pid())
		g.s("FTP LOGIN FROM ")
		g.b = r.siteIP(g.b)
		g.s(", ")
		g.s(r.pick(users))
	case 20:
		g.sys(h, "snmpd", 600+r.n(50))
		g.s("Connection from UDP: [")
		g.b = r.siteIP(g.b)
		g.s("]:")
		g.i(1024 + r.n(60000))
	case 21:
		g.sys(h, "portmap", g.pid())
		g.s("connect from ")
		g.b = r.siteIP(g.b)
		g.s(" to getport(")
		g.s(r.pick([]string{"status", "nfs", "mountd", "nlockmgr"}))
		g.s(")")
	case 22:
		g.sys(h, "rpc.statd", 400+r.n(100))
		g.s(r.pick([]string{"Version 1.0.6 Starting", "Received SM_UNMON_ALL request from fileserv.", "Caught signal 15, un-registering and exiting."}))
	default:
		g.sys(h, "syslogd 1.4.1", 0)
		g.s("restart.")
	}
}

func (g *gen) loginLine() {
	r := &g.r
	h := r.pick([]string{"shell", "www", "db01", "LabSZ", "combo"})
	pid := g.pid()
	switch r.n(12) {
	case 0, 1, 2:
		g.sys(h, "sshd", pid)
		g.s("Accepted password for ")
		g.s(r.pick(users))
		g.fromPort()
		g.s(" ssh2")
	case 3:
		g.sys(h, "sshd", pid)
		g.s("Accepted publickey for ")
		g.s(r.pick(users))
		g.fromPort()
		g.s(" ssh2: RSA SHA256:")
		g.b = appHex(g.b, r.u64(), 16)
	case 4, 5:
		g.sys(h, "sshd", pid)
		g.s("pam_unix(sshd:session): session opened for user ")
		g.s(r.pick(users))
		g.s(" by (uid=0)")
	case 6:
		g.sys(h, "sshd", pid)
		g.s("pam_unix(sshd:session): session closed for user ")
		g.s(r.pick(users))
	case 7:
		// a single mistyped password
		g.sys(h, "sshd", pid)
		g.s("Failed password for ")
		g.s(r.pick(users))
		g.fromPort()
		g.s(" ssh2")
	case 8:
		g.sys(h, "sshd", pid)
		g.s("Invalid user ")
		g.s(r.pick(users))
		g.s("x from ")
		g.b = r.siteIP(g.b)
		g.s(" port ")
		g.i(1024 + r.n(64000))
	case 9:
		g.sys(h, "sshd(pam_unix)", pid)
		g.s("authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=")
		g.b = r.siteIP(g.b)
		g.s("  user=")
		g.s(r.pick(users))
	case 10:
		g.sys(h, "sshd", pid)
		g.s("Received disconnect from ")
		g.b = r.siteIP(g.b)
		g.s(" port ")
		g.i(1024 + r.n(64000))
		g.s(":11: disconnected by user")
	default:
		g.sys(h, "sshd", pid)
		g.s("Connection closed by ")
		g.b = r.anyIP(g.b)
		g.s(" port ")
		g.i(1024 + r.n(64000))
		g.s(" [preauth]")
	}
}

// firewallLine writes one iptables (rarely ipfw / ipchains) line for a random packet src -> dst.
func (g *gen) firewallLine(src, dst ip4) {
	r := &g.r
	v := r.n(200)
	switch {
	case v == 0:
		g.sys("lhotse", "/kernel", 0)
		g.s("ipfw: 2700 Deny TCP ")
		g.b = appIP4(g.b, src)
		g.s(":")
		g.i(1024 + r.n(64000))
		g.s(" ")
		g.b = appIP4(g.b, dst)
		g.s(":")
		g.i(r.pick2(tcpPorts))
		g.s(" in via tun0")
		return
	case v == 1:
		g.sys("gateway", "kernel", 0)
		g.s("Packet log: input DENY eth0 PROTO=6 ")
		g.b = appIP4(g.b, src)
		g.s(":")
		g.i(1024 + r.n(64000))
		g.s(" ")
		g.b = appIP4(g.b, dst)
		g.s(":")
		g.i(r.pick2(tcpPorts))
		g.s(" L=60 S=0x00 I=")
		g.i(r.n(65536))
		g.s(" F=0x4000 T=")
		g.i(30 + r.n(100))
		g.s(" SYN (#11)")
		return
	}
	if v < 60 {
		g.iptOut()
		return
	}
	p := r.n(10)
	proto := "TCP"
	if p >= 7 {
		proto = "UDP"
	}
	if p == 9 {
		proto = "ICMP"
	}
	g.ipt("", r.pick(fwPrefixes), src, dst, proto, 0, 0, v < 90) // 60..89: bridged
}

// iptOut appends an outbound connection that a firewall logged and let through.
func (g *gen) iptOut() {
	r := &g.r
	g.sys(r.pick(fwHosts), "kernel", 0)
	g.s(r.pick([]string{"FW-OUT ACCEPT: ", "OUTPUT:ACCEPT:", "[UFW ALLOW] "}))
	g.s("IN= OUT=eth0 SRC=")
	g.b = r.siteIP(g.b)
	g.s(" DST=")
	g.b = r.extIP(g.b)
	udp := r.n(4) == 0
	g.s(" LEN=")
	if udp {
		g.i(40 + r.n(100))
	} else {
		g.i(60)
	}
	g.s(" TOS=0x00 PREC=0x00 TTL=64 ID=")
	g.i(r.n(65536))
	if udp {
		g.s(" DF PROTO=UDP SPT=")
		g.i(1024 + r.n(64000))
		g.s(" DPT=")
		g.i([]int{53, 123}[r.n(2)])
		g.s(" LEN=")
		g.i(20 + r.n(100))
		return
	}
	g.s(" DF PROTO=TCP SPT=")
	g.i(1024 + r.n(64000))
	g.s(" DPT=")
	g.i([]int{80, 443, 443, 25, 22}[r.n(5)])
	g.s(" WINDOW=29200 RES=0x00 SYN URGP=0")
}

func (r *rng) pick2(s []int) int { return s[r.n(len(s))] }

// ipt appends a full iptables kernel line. host "" and sport/dport 0 mean random.
func (g *gen) ipt(host, prefix string, src, dst ip4, proto string, sport, dport int, bridge bool) {
	r := &g.r
	if host == "" {
		host = r.pick(fwHosts)
	}
	if bridge {
		host = "bridge"
	}
	g.sys(host, "kernel", 0)
	if r.n(4) == 0 {
		g.s("[")
		g.b = append(g.b, g.c.uptime...)
		g.s(".")
		g.i(100000 + r.n(899999))
		g.s("] ")
	}
	if bridge {
		if prefix == "" {
			prefix = "INBOUND " + proto + ": "
		}
		g.s(prefix)
		g.s("IN=br0 PHYSIN=eth0 OUT=br0 PHYSOUT=eth1 ")
	} else {
		g.s(prefix)
		g.s("IN=eth0 OUT= MAC=")
		g.b = r.mac(g.b)
		g.s(":00:50:56:dd:ee:ff:08:00 ")
	}
	g.s("SRC=")
	g.b = appIP4(g.b, src)
	g.s(" DST=")
	g.b = appIP4(g.b, dst)
	g.s(" LEN=")
	switch proto {
	case "TCP":
		g.i(40 + 4*r.n(7))
	case "UDP":
		g.i(28 + r.n(400))
	default:
		g.i(28 + r.n(60))
	}
	g.s(" TOS=0x00 PREC=0x00 TTL=")
	g.i(30 + r.n(98))
	g.s(" ID=")
	g.i(r.n(65536))
	if r.n(2) == 0 {
		g.s(" DF")
	}
	g.s(" PROTO=")
	g.s(proto)
	switch proto {
	case "ICMP":
		if r.n(4) == 0 {
			g.s(" TYPE=3 CODE=3 [SRC=")
			g.b = appIP4(g.b, dst)
			g.s(" DST=")
			g.b = appIP4(g.b, src)
			g.s(" LEN=56 TOS=0x00 PREC=0x00 TTL=64 ID=")
			g.i(r.n(65536))
			g.s(" PROTO=UDP SPT=53 DPT=")
			g.i(1024 + r.n(64000))
			g.s(" LEN=36 ]")
		} else {
			g.s(" TYPE=8 CODE=0 ID=")
			g.i(r.n(65536))
			g.s(" SEQ=")
			g.i(r.n(1000))
		}
		return
	}
	if sport == 0 {
		sport = 1024 + r.n(64000)
	}
	if dport == 0 {
		if proto == "TCP" {
			dport = r.pick2(tcpPorts)
		} else {
			dport = r.pick2(udpPorts)
		}
	}
	g.s(" SPT=")
	g.i(sport)
	g.s(" DPT=")
	g.i(dport)
	if proto == "UDP" {
		g.s(" LEN=")
		g.i(8 + r.n(400))
		return
	}
	g.s(" WINDOW=")
	g.i(512 + r.n(65000))
	g.s(" RES=0x00 SYN URGP=0")
}

func (g *gen) sendmailQID() {
	const a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
	v := g.r.u64()
	for i := 0; i < 8; i++ {
		g.b = append(g.b, a[v%60])
		v /= 60
	}
	g.i(10000 + g.r.n(89999))
}

func (g *gen) postfixQID() {
	g.b = appHex(g.b, g.r.u64(), 10)
	n := len(g.b)
	for i := n - 10; i < n; i++ {
		if c := g.b[i]; c >= 'a' {
			g.b[i] = c - 32
		}
	}
}

func (g *gen) addr(user bool) {
	if user {
		g.s(g.r.pick(users))
	} else {
		g.s("info")
	}
	g.s("@")
	g.s(g.r.pick(domains))
}

func (g *gen) mailLine() {
	r := &g.r
	h := r.pick(mailHosts)
	pid := g.pid()
	switch r.n(10) {
	case 0:
		if r.n(4) == 0 {
			// a connection that never sent mail: scanners and broken clients
			g.sys(h, "sm-mta", pid)
			g.sendmailQID()
			g.s(": [")
			g.b = r.anyIP(g.b)
			g.s("] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA")
			break
		}
		fallthrough
	case 1:
		g.sys(h, r.pick([]string{"sendmail", "sm-mta"}), pid)
		g.sendmailQID()
		g.s(": from=<")
		g.addr(r.n(4) != 0)
		g.s(">, size=")
		g.i(500 + r.n(100000))
		g.s(", class=0, nrcpts=1, msgid=<")
		// 200209100000 + n, written so that it builds where int is 32 bits.
		g.b = strconv.AppendInt(g.b, 200209100000+int64(r.n(99999)), 10)
		g.s(".")
		g.sendmailQID()
		g.s("@")
		g.s(r.pick(domains))
		g.s(">, proto=ESMTP, daemon=MTA, relay=")
		g.s(r.pick(names))
		g.s(" [")
		g.b = r.anyIP(g.b)
		g.s("]")
	case 2, 3:
		g.sys(h, r.pick([]string{"sendmail", "sm-mta"}), pid)
		g.sendmailQID()
		g.s(": to=<")
		g.addr(true)
		g.s(">, delay=00:00:0")
		g.i(r.n(10))
		g.s(", xdelay=00:00:00, mailer=local, pri=")
		g.i(30000 + r.n(90000))
		g.s(", dsn=2.0.0, stat=Sent")
	case 4:
		g.sys(h, "postfix/smtpd", pid)
		g.s(r.pick([]string{"connect from ", "disconnect from "}))
		g.s(r.pick([]string{"unknown", "mail.example.com", "mx.example.net"}))
		g.s("[")
		g.b = r.anyIP(g.b)
		g.s("]")
	case 5:
		g.sys(h, "postfix/smtpd", pid)
		g.postfixQID()
		g.s(": client=")
		g.s(r.pick(names))
		g.s("[")
		g.b = r.anyIP(g.b)
		g.s("]")
	case 6:
		g.sys(h, "postfix/cleanup", pid)
		g.postfixQID()
		g.s(": message-id=<")
		g.b = appHex(g.b, r.u64(), 12)
		g.s("@")
		g.s(r.pick(domains))
		g.s(">")
	case 7:
		g.sys(h, "postfix/qmgr", pid)
		g.postfixQID()
		g.s(": from=<")
		g.addr(true)
		g.s(">, size=")
		g.i(500 + r.n(100000))
		g.s(", nrcpt=1 (queue active)")
	default:
		g.sys(h, "postfix/smtp", pid)
		g.postfixQID()
		g.s(": to=<")
		g.addr(true)
		g.s(">, relay=")
		g.s(r.pick(names))
		g.s("[")
		g.b = r.extIP(g.b)
		g.s("]:25, delay=")
		g.i(r.n(5))
		g.s(".")
		g.i(r.n(10))
		g.s(", delays=0.1/0/0.5/0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ")
		g.postfixQID()
		g.s(")")
	}
}

// ---------------------------------------------------------------- attacks

// raw appends n bytes that are unprintable or 8-bit, never NUL, '\n' or '\r'.
func (g *gen) raw(n int) {
	for i := 0; i < n; i++ {
		v := byte(g.r.u64())
		if v < 0x80 {
			v = v&0x1f | 0x01
			if v == '\n' || v == '\r' {
				v = 0x01
			}
			if g.r.n(2) == 0 {
				v = 0x90
			}
		}
		g.b = append(g.b, v)
	}
}

func (g *gen) access(src ip4, method, path, proto string, status, size int, ua string) {
	g.begin()
	g.b = appIP4(g.b, src)
	g.s(" - - [")
	g.b = append(g.b, g.c.access...)
	g.s("] \"")
	g.s(method)
	g.s(" ")
	g.s(path)
	g.s(" ")
	g.s(proto)
	g.s("\" ")
	g.i(status)
	g.s(" ")
	g.i(size)
	g.s(" \"-\" \"")
	g.s(ua)
	g.s("\"")
}

func (g *gen) attack(k kind, left int) {
	r := &g.r
	src := r.attacker()
	dst := r.target()
	host := r.pick(hosts)
	first := true
	line := func() { g.end(k, first); first = false }
	var n int // lines of a burst, never more than are left in the block
	switch k {
	case kStatd1998:
		g.sys(host, "statd", 40+r.n(200))
		g.s("attempt to create \"/var/statmon/sm//../../../../tmp/.nfs09 ")
		g.raw(40 + r.n(120))
		g.s(" XbinXsh tirdwr\"")
		line()
	case kStatdFmt:
		g.sys(host, "rpc.statd", 400+r.n(2000))
		if r.n(3) == 0 {
			g.s("SM_MON request for hostname containing '/': ^D^D^E^E^F")
			g.raw(20 + r.n(40))
			g.s("/bin/sh -c echo 9704 stream tcp nowait root /bin/sh sh -i >> /etc/inetd.conf")
		} else {
			g.s("gethostbyname error for ^X")
			g.b = append(g.b, 0xf7, 0xff, 0xbf, '^', 'X', 0xf7, 0xff, 0xbf, 0x19, 0xf7, 0xff, 0xbf, 0x1a, 0xf7, 0xff, 0xbf)
			g.s("%8x%8x%8x%8x%8x%8x%8x%8x%8x%62716x%hn%51859x%hn")
			for j := 40 + r.n(60); j > 0; j-- {
				g.b = append(g.b, 0x90)
			}
			g.raw(30 + r.n(30))
		}
		line()
	case kCGI:
		g.access(src, "GET", r.pick(cgiProbes), "HTTP/1.0", []int{404, 404, 404, 200, 403}[r.n(5)], 200+r.n(100), r.pick(probeUAs))
		line()
	case kCodeRed:
		g.begin()
		g.b = appIP4(g.b, src)
		g.s(" - - [")
		g.b = append(g.b, g.c.access...)
		g.s("] \"GET /default.ida?")
		fill := byte('N')
		if r.n(2) == 0 {
			fill = 'X' // Code Red II
		}
		for j := 0; j < 224; j++ {
			g.b = append(g.b, fill)
		}
		g.s("%u9090%u6858%ucbd3%u7801%u9090%u6858%ucbd3%u7801%u9090%u6858%ucbd3%u7801%u9090%u9090%u8190%u00c3%u0003%u8b00%u531b%u53ff%u0078%u0000%u00=a HTTP/1.0\" 404 ")
		g.i(280 + r.n(20))
		g.s(" \"-\" \"-\"")
		line()
	case kNimda:
		n = min(len(nimdaPaths), left)
		for j := 0; j < n; j++ {
			g.access(src, "GET", nimdaPaths[j], "HTTP/1.0", 404, 280+r.n(20), "-")
			line()
		}
	case kRelay:
		n = min(1+r.n(3), left)
		mh := r.pick(mailHosts)
		mta := r.n(3) // 0 sendmail, 1 sm-mta, 2 postfix
		for j := 0; j < n; j++ {
			if mta < 2 {
				g.sys(mh, []string{"sendmail", "sm-mta"}[mta], g.pid())
				g.sendmailQID()
				g.s(": ruleset=check_rcpt, arg1=<x")
				g.i(r.n(1000))
				g.s("@example.com>, relay=")
				if r.n(2) == 0 {
					g.s("[")
					g.b = appIP4(g.b, src)
					g.s("], reject=550 5.7.1 <x@example.com>... Relaying denied. IP name lookup failed [")
					g.b = appIP4(g.b, src)
					g.s("]")
				} else {
					g.s("spam.example.net [")
					g.b = appIP4(g.b, src)
					g.s("], reject=550 5.7.1 <x@example.com>... Relaying denied")
				}
			} else {
				g.sys(mh, "postfix/smtpd", g.pid())
				g.s("NOQUEUE: reject: RCPT from unknown[")
				g.b = appIP4(g.b, src)
				g.s("]: 554 5.7.1 <x")
				g.i(r.n(1000))
				g.s("@example.net>: Relay access denied; from=<a@example.org> to=<x@example.net> proto=SMTP helo=<example>")
			}
			line()
		}
	case kUDP2002:
		g.ipt("", r.pick(fwPrefixes), src, dst, "UDP", 2002, 2002, false)
		line()
	case kPortScan:
		n = min(20+r.n(41), left) // mean 40
		base := r.n(len(scanPorts))
		sport := 1024 + r.n(60000)
		fw := r.pick(fwHosts)
		for j := 0; j < n; j++ {
			port := scanPorts[(base+j)%len(scanPorts)]
			if j >= len(scanPorts) {
				port = 1 + r.n(1024)
			}
			g.ipt(fw, "DROP ", src, dst, "TCP", sport, port, false)
			line()
		}
	case kSynFlood:
		n = min(1+r.n(3), left)
		web := r.pick([]string{"www", "www2", "web02"})
		for j := 0; j < n; j++ {
			g.sys(web, "kernel", 0)
			switch r.n(3) {
			case 0:
				g.s("possible SYN flooding on port 80. Sending cookies.")
			case 1:
				g.s("TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.")
			default:
				g.s("TCP: drop open request from ")
				g.b = appIP4(g.b, src)
				g.s("/")
				g.i(1024 + r.n(60000))
			}
			line()
		}
	case kModSSL:
		n = min(2, left)
		g.begin()
		g.s("[")
		g.b = append(g.b, g.c.errlog...)
		g.s("] [error] mod_ssl: SSL handshake failed (server www.example.jp:443, client ")
		g.b = appIP4(g.b, src)
		g.s(") (OpenSSL library error follows)")
		line()
		if n == 2 {
			g.begin()
			g.s("[")
			g.b = append(g.b, g.c.errlog...)
			g.s("] [error] OpenSSL: error:1406908F:SSL routines:GET_CLIENT_FINISHED:connection id is different")
			line()
		}
	case kSSHBrute:
		n = min(6+r.n(19), left) // mean 15
		h := r.pick([]string{"shell", "LabSZ", "combo", "db01"})
		for j := 0; j < n; j++ {
			pid := g.pid()
			u := r.pick(bruteUsers)
			port := 30000 + r.n(30000)
			switch r.n(5) {
			case 0:
				g.sys(h, "sshd", pid)
				g.s("Invalid user ")
				g.s(u)
				g.s(" from ")
				g.b = appIP4(g.b, src)
				g.s(" port ")
				g.i(port)
			case 1:
				g.sys(h, "sshd", pid)
				g.s("Failed password for invalid user ")
				g.s(u)
				g.s(" from ")
				g.b = appIP4(g.b, src)
				g.s(" port ")
				g.i(port)
				g.s(" ssh2")
			case 2:
				g.sys(h, "sshd(pam_unix)", pid)
				g.s("authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=")
				g.b = appIP4(g.b, src)
				g.s("  user=root")
			default:
				g.sys(h, "sshd", pid)
				g.s("Failed password for root from ")
				g.b = appIP4(g.b, src)
				g.s(" port ")
				g.i(port)
				g.s(" ssh2")
			}
			line()
		}
	}
}

// ---------------------------------------------------------------- sizes

// parseSize accepts 100MB, 1GB, 256MiB, 1.5G, 500k, 123456 (bytes). KB/MB/GB/TB (and K/M/G/T) are
// powers of 1000, KiB/MiB/GiB/TiB powers of 1024.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("bad size unit in %q (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", s)
	}
	n := v * mult
	if n > math.MaxInt64/2 {
		return 0, fmt.Errorf("size %q too large", s)
	}
	return int64(n), nil
}

// ---------------------------------------------------------------- main

func main() {
	sizeFlag := flag.String("size", "100MB", "corpus size: 100MB, 1GB, 256MiB, ... (KB/MB/GB are 1000-based, KiB/MiB/GiB 1024-based)")
	seed := flag.Uint64("seed", 1, "random seed; the output is a pure function of -shape, -seed and -attack-rate")
	shapeFlag := flag.String("shape", "mix", "corpus shape: mix (every format evenly) or real (shaped like honeynet and host logs: firewall denies from many sources, IDS, worms, sshd failures)")
	out := flag.String("out", "", "output file (\"-\" for standard output)")
	rate := flag.Float64("attack-rate", 0.01, "fraction of lines that are attack traces (-shape mix only)")
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "generator goroutines (does not change the output)")
	quiet := flag.Bool("q", false, "print only the one-line summary to stderr")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprof != "" {
		pf, err := os.Create(*cpuprof)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus -size 1GB -seed 1 -out FILE [-attack-rate 0.01]")
		os.Exit(2)
	}
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fatal(err)
	}
	sh, err := parseShape(*shapeFlag)
	if err != nil {
		fatal(err)
	}
	if *rate < 0 || *rate > 0.5 {
		fatal(errors.New("-attack-rate must be in [0, 0.5]"))
	}
	if *workers < 1 {
		*workers = 1
	}

	var w io.Writer
	var f *os.File
	if *out == "-" {
		w = bufio.NewWriterSize(os.Stdout, 1<<20)
	} else {
		f, err = os.Create(*out)
		if err != nil {
			fatal(err)
		}
		w = f
	}

	t0 := time.Now()
	st, err := generateShape(w, sh, size, *seed, *rate, *workers)
	if err == nil {
		if bw, ok := w.(*bufio.Writer); ok {
			err = bw.Flush()
		}
	}
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		fatal(err)
	}
	el := time.Since(t0)
	st.print(os.Stderr, sh, *sizeFlag, size, *seed, *rate, el, *quiet)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gencorpus:", err)
	os.Exit(1)
}

type stats struct {
	bytes  int64
	lines  int64
	kLines [nAllKinds]int64
	kEvts  [nAllKinds]int64
}

// generate writes the mixed corpus.
func generate(w io.Writer, size int64, seed uint64, rate float64, workers int) (*stats, error) {
	return generateShape(w, shapeMix, size, seed, rate, workers)
}

func generateShape(w io.Writer, sh shape, size int64, seed uint64, rate float64, workers int) (*stats, error) {
	pool := sync.Pool{New: func() any {
		return &block{
			buf:   make([]byte, 0, linesPerBlock*200),
			ends:  make([]int32, 0, linesPerBlock),
			kinds: make([]uint8, 0, linesPerBlock),
		}
	}}
	stop := make(chan struct{})
	order := make(chan chan *block, 2*workers) // results in block order; bounds memory
	sem := make(chan struct{}, workers)
	gens := make(chan *gen, workers)
	for i := 0; i < workers; i++ {
		gens <- newGen(sh, rate)
	}
	go func() {
		defer close(order)
		for idx := int64(0); ; idx++ {
			select {
			case <-stop:
				return
			case sem <- struct{}{}:
			}
			ch := make(chan *block, 1)
			select {
			case <-stop:
				return
			case order <- ch:
			}
			go func(idx int64) {
				g := <-gens
				bl := pool.Get().(*block)
				bl.idx = idx
				g.fill(bl, seed)
				gens <- g
				<-sem
				ch <- bl
			}(idx)
		}
	}()

	st := &stats{}
	var werr error
	done := false
	for ch := range order {
		bl := <-ch
		if !done && werr == nil {
			n := len(bl.ends)
			if left := size - st.bytes; int64(len(bl.buf)) > left {
				n = sort.Search(len(bl.ends), func(i int) bool { return int64(bl.ends[i]) > left })
				done = true
			}
			nb := 0
			if n > 0 {
				nb = int(bl.ends[n-1])
			}
			if nb > 0 {
				if _, err := w.Write(bl.buf[:nb]); err != nil {
					werr = err
				}
			}
			st.bytes += int64(nb)
			st.lines += int64(n)
			for _, k := range bl.kinds[:n] {
				st.kLines[k&^eventStart]++
				if k&eventStart != 0 {
					st.kEvts[k&^eventStart]++
				}
			}
			if done || werr != nil {
				close(stop)
			}
		}
		pool.Put(bl)
	}
	return st, werr
}

func (st *stats) print(w io.Writer, sh shape, sizeArg string, size int64, seed uint64, rate float64, el time.Duration, quiet bool) {
	if sh == shapeReal {
		st.printReal(w, sizeArg, size, seed, el, quiet)
		return
	}
	var atkLines, atkEvts int64
	for k := kind(nBenign); k < nKinds; k++ {
		atkLines += st.kLines[k]
		atkEvts += st.kEvts[k]
	}
	mbps := float64(st.bytes) / 1e6 / el.Seconds()
	pct := 0.0
	if st.lines > 0 {
		pct = 100 * float64(atkLines) / float64(st.lines)
	}
	fmt.Fprintf(w, "gencorpus: size=%s (%d) seed=%d attack-rate=%g: wrote %d bytes, %d lines, %d attack lines (%.3f%%) in %d events, %.2fs, %.0f MB/s\n",
		sizeArg, size, seed, rate, st.bytes, st.lines, atkLines, pct, atkEvts, el.Seconds(), mbps)
	if quiet {
		return
	}
	if st.lines > 0 {
		last := startUnix + ((st.lines-1)*stepNanos)/1e9
		fmt.Fprintf(w, "  time span: %s .. %s\n", time.Unix(startUnix, 0).In(zone).Format(time.RFC3339), time.Unix(last, 0).In(zone).Format(time.RFC3339))
	}
	fmt.Fprintf(w, "  %-18s %12s\n", "benign family", "lines")
	for k := kind(0); k < nBenign; k++ {
		fmt.Fprintf(w, "  %-18s %12d\n", kindNames[k], st.kLines[k])
	}
	fmt.Fprintf(w, "  %-18s %12s %10s\n", "attack kind", "lines", "events")
	for k := kind(nBenign); k < nKinds; k++ {
		fmt.Fprintf(w, "  %-18s %12d %10d\n", kindNames[k], st.kLines[k], st.kEvts[k])
	}
}
