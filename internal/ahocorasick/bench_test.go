package ahocorasick

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/keikai-project/keikai/internal/ascii"
)

// benchPatterns are 150 literals of the kind the bundled rules need: attack signatures from
// syslog, mail, web and firewall logs.
var benchPatterns = []string{
	"attempt to create", "/var/statmon/sm/", "phf", "test-cgi", "relaying denied",
	"relay access denied", "possible syn flooding", "default.ida", "cmd.exe", "root.exe",
	"%8x", "/bin/sh", "gethostbyname error", "xbinxsh", "connection id is different",
	"ssl handshake failed", "failed password", "invalid user", "authentication failure",
	"did not receive identification string", "bad protocol version", "possible break-in attempt",
	"reverse mapping checking getaddrinfo", "refused connect from", "illegal user",
	"maximum authentication attempts exceeded", "too many authentication failures",
	"pam_unix(sshd:auth)", "user unknown", "rejected rcpt", "sender address rejected",
	"recipient address rejected", "helo command rejected", "lost connection after auth",
	"sasl login authentication failed", "client host rejected", "expn root", "vrfy root",
	"wiz", "debug", "mail from:<|", "rcpt to:<|", "/etc/passwd", "/etc/shadow", "../..",
	"..%2f", "..%5c", "%c0%af", "%c1%9c", "%255c", "/winnt/system32", "/msadc/",
	"msadcs.dll", "_vti_bin", "shtml.exe", "owssvr.dll", "/iisadmpwd/", "/scripts/..",
	"nimda", "code red", "nnnnnnnn", "%u9090", "%u6858", "formmail", "awstats.pl",
	"/cgi-bin/php", "nph-test-cgi", "campas", "view-source", "handler", "aglimpse",
	"htmlscript", "info2www", "pfdispaly", "websendmail", "webgais", "count.cgi", "finger",
	"wwwboard", "glimpse", "jj", "/cgi-bin/mail", "wais.pl", "perl.exe", "uploader.exe",
	"union select", "select * from", "' or '1'='1", "information_schema", "xp_cmdshell",
	"<script", "javascript:", "onerror=", "document.cookie", "eval(", "base64_decode",
	"wget http", "curl http", "chmod 777", "/tmp/.x", "/dev/shm/", "nc -e", "bash -i",
	"/proc/self/environ", "boot.ini", "win.ini", "c:\\windows", "admin.php", "setup.php",
	"phpmyadmin", "wp-login.php", "xmlrpc.php", "jndi:ldap", "jndi:rmi", "${jndi:",
	"() { :; };", "statd", "rpc.statd", "sm_mon",
	"svc_run: - select failed", "rpc.mountd", "mountd", "amd", "automountd", "ttdbserverd",
	"cmsd", "sadmind", "snmpxdmid", "dtspcd", "login: root", "in.ftpd", "site exec",
	"wu-ftpd", "proftpd", "anonymous ftp login", "port 31337", "port 12345", "backdoor",
	"rootkit", "sniffer", "promiscuous mode", "entered promiscuous", "segfault at",
	"general protection", "oom-killer", "kernel panic", "martian source",
	"nf_conntrack: table full", "dropping packet", "syn_recv",
}

// benchLines returns 150-byte-ish log lines in the shapes keikai reads (syslog, iptables,
// Apache access). With withMatches false none of them contains any bench pattern.
func benchLines(withMatches bool) [][]byte {
	clean := []string{
		"Mar 14 03:12:45 gw01 kernel: [482913.225109] IPT-IN-DROP IN=eth0 OUT= MAC=00:16:3e:4f:21:aa SRC=203.0.113.77 DST=192.0.2.10 LEN=60 TOS=0x00 PROTO=TCP SPT=51422 DPT=23",
		"192.0.2.55 - - [14/Mar/2004:03:12:46 +0900] \"GET /images/logo_top.gif HTTP/1.1\" 200 4821 \"http://www.example.jp/index.html\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
		"Mar 14 03:12:47 mx2 postfix/smtpd[21744]: connect from unknown[198.51.100.23]; queue 4F2A31C0E8 size=10422 nrcpt=1 (queue active) via esmtp id 9921",
		"Mar 14 03:12:48 web3 sshd[1024]: Accepted publickey for operator from 192.0.2.77 port 50122 ssh2: RSA SHA256:q8Vx0n1Yk2uQ7c9Pz3Lw",
		"Mar 14 03:12:49 ns1 named[812]: client 203.0.113.9#53211 (www.example.jp): query: www.example.jp IN A +E(0)K (192.0.2.53) resolved ok",
		"192.0.2.56 - - [14/Mar/2004:03:12:50 +0900] \"POST /cart/update.cgi HTTP/1.1\" 302 0 \"http://shop.example.jp/cart\" \"Mozilla/4.0 (compatible; MSIE 6.0)\"",
		"Mar 14 03:12:51 gw01 kernel: [482919.002211] IPT-OUT-ACCEPT IN= OUT=eth1 SRC=192.0.2.10 DST=198.51.100.4 LEN=1500 TOS=0x00 PROTO=UDP SPT=123 DPT=123",
		"Mar 14 03:12:52 db1 CRON[30112]: (postgres) CMD (/usr/local/bin/pg_rotate_logfiles --keep 14 --quiet >> /var/log/pg_rotate.log 2>&1)",
	}
	if !withMatches {
		return toBytes(clean)
	}
	// Half the lines carry one or two signatures, as in an attack-heavy excerpt.
	matching := []string{
		"Mar 14 03:12:45 web3 sshd[2211]: Failed password for invalid user oracle from 203.0.113.77 port 40322 ssh2 (attempt 3 of 6, client closed)",
		"203.0.113.80 - - [14/Mar/2004:03:12:46 +0900] \"GET /scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir HTTP/1.0\" 404 289 \"-\" \"-\"",
		"Mar 14 03:12:47 mx2 postfix/smtpd[21744]: NOQUEUE: reject: RCPT from unknown[198.51.100.23]: 554 5.7.1 Relay access denied; proto=ESMTP",
		"Mar 14 03:12:48 gw01 kernel: [482913.225109] TCP: Possible SYN flooding on port 80. Sending cookies. Check SNMP counters. src=203.0.113.0/24",
	}
	return toBytes(append(clean[:4:4], matching...))
}

func toBytes(lines []string) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = []byte(l)
	}
	return out
}

func totalBytes(lines [][]byte) int64 {
	var n int64
	for _, l := range lines {
		n += int64(len(l))
	}
	return n
}

func TestBenchLinesAreWhatTheySay(t *testing.T) {
	for _, withMatches := range []bool{false, true} {
		matched := 0
		for _, line := range benchLines(withMatches) {
			if len(referenceScan(benchPatterns, line)) > 0 {
				matched++
			}
		}
		if withMatches && matched != 4 || !withMatches && matched != 0 {
			t.Errorf("withMatches=%v: %d lines match", withMatches, matched)
		}
	}
	if len(benchPatterns) != 150 {
		t.Errorf("%d bench patterns, want 150", len(benchPatterns))
	}
}

// tableBytes returns the total size of m's transition tables (4 bytes a cell), the memory the scan
// keeps hot; the benchmark reports it beside the speed.
func tableBytes(m *Matcher) int {
	if m.dense == nil {
		return 0
	}
	return 4 * len(m.dense.trans)
}

func BenchmarkScan(b *testing.B) {
	m := New(benchPatterns)
	b.ReportMetric(float64(tableBytes(m)), "table-bytes")
	for _, withMatches := range []bool{false, true} {
		lines := benchLines(withMatches)
		b.Run(fmt.Sprintf("matches=%v", withMatches), func(b *testing.B) {
			h := NewHits(m)
			b.SetBytes(totalBytes(lines))
			b.ReportMetric(float64(tableBytes(m)), "table-bytes")
			for b.Loop() {
				for _, line := range lines {
					h.Reset()
					m.Scan(line, h)
				}
			}
		})
	}
}

// BenchmarkNaive is what the matcher replaces: lower-case the line, then one bytes.Contains per
// literal.
func BenchmarkNaive(b *testing.B) {
	folded := make([][]byte, len(benchPatterns))
	for i, p := range benchPatterns {
		folded[i] = bytes.ToLower([]byte(p))
	}
	for _, withMatches := range []bool{false, true} {
		lines := benchLines(withMatches)
		b.Run(fmt.Sprintf("matches=%v", withMatches), func(b *testing.B) {
			buf := make([]byte, 0, 512)
			hits := make([]bool, len(folded))
			b.SetBytes(totalBytes(lines))
			for b.Loop() {
				for _, line := range lines {
					buf = buf[:0]
					for _, c := range line {
						buf = append(buf, ascii.Lower(c))
					}
					for i, p := range folded {
						hits[i] = bytes.Contains(buf, p)
					}
				}
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New(benchPatterns)
	}
}
