package logs

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

// benchLines is a mix of the common formats, weighted toward what large logs hold.
var benchLines = [][]byte{
	[]byte("Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for invalid user admin from 198.51.100.7 port 53224 ssh2"),
	[]byte("Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root"),
	[]byte("Feb 25 12:11:24 bridge kernel: INBOUND TCP: IN=br0 PHYSIN=eth0 OUT=br0 PHYSOUT=eth1 SRC=198.51.100.38 DST=192.0.2.83 LEN=64 TOS=0x00 PREC=0x00 TTL=47 ID=17159 DF PROTO=TCP SPT=1629 DPT=139 WINDOW=44620 RES=0x00 SYN URGP=0"),
	[]byte(`198.51.100.161 - - [10/Oct/2004:08:25:15 -0400] "GET /scripts/root.exe?/c+dir HTTP/1.0" 404 288 "-" "-"`),
	[]byte(`198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /index.html HTTP/1.1" 200 2870 "http://www.example.jp/" "Mozilla/5.0 (X11; Linux x86_64)"`),
	[]byte(`198.51.100.242 - - [01/Aug/2004:07:02:57 -0400] "GET /default.ida?XXXXXXXXXXXX%u9090%u6858%ucbd3 HTTP/1.0" 404 294 "-" "-"`),
	[]byte("Mar  1 10:00:00 mx postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[198.51.100.3]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@example.org> to=<x@example.net> proto=SMTP helo=<example>"),
	[]byte("Jan  5 01:02:03 gw named[12]: client 192.0.2.9#53: query (cache) 'example.jp/A/IN' denied"),
	[]byte("Sep 23 07:30:41 gate 301270: 5d17h: %SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.4(1929) -> 192.0.2.8(80), 1 packet"),
	[]byte("Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384"),
	[]byte("<34>1 2003-10-11T22:14:15.003Z host app 1234 ID47 - message"),
	[]byte("[Sat Sep 14 10:00:00 2002] [error] mod_ssl: SSL handshake failed (server www.example.jp:443, client 198.51.100.7) (OpenSSL library error follows)"),
}

func BenchmarkParse(b *testing.B) {
	p := newTestParser()
	var e event.Event
	total := 0
	for _, l := range benchLines {
		total += len(l)
	}
	b.SetBytes(int64(total / len(benchLines)))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuClock()
	for i := 0; i < b.N; i++ {
		p.Parse(benchLines[i%len(benchLines)], &e)
	}
	reportCPU(b, start)
}

// cpuClock is the process CPU clock where the platform has one (see cputime_test.go).
var cpuClock = func() time.Duration { return 0 }

// reportCPU adds the CPU nanoseconds per line as a metric.
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuClock() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/line")
	}
}

// TestParseDoesNotAllocate holds the hot path to zero allocations per line once the event's
// scratch buffer exists.
func TestParseDoesNotAllocate(t *testing.T) {
	p := newTestParser()
	var e event.Event
	for _, line := range benchLines {
		p.Parse(line, &e) // warm caches and scratch
		if n := testing.AllocsPerRun(50, func() { p.Parse(line, &e) }); n != 0 {
			t.Errorf("%.1f allocations per Parse of %q", n, line)
		}
	}
}

// BenchmarkParseEach measures each line of the mix on its own, to see which format costs what.
func BenchmarkParseEach(b *testing.B) {
	for _, line := range benchLines {
		name := event.FormatUnknown
		var e event.Event
		p := newTestParser()
		p.Parse(line, &e)
		name = e.Format
		b.Run(name.String(), func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			start := cpuClock()
			for i := 0; i < b.N; i++ {
				p.Parse(line, &e)
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkParseCorpus parses the first 16 MB of the file named by KEIKAI_BENCH_CORPUS (made by
// go run ./bench/gencorpus) line by line with one parser, as a worker does: unlike
// BenchmarkParse, consecutive lines share what real logs share (stamps, hosts, programs).
func BenchmarkParseCorpus(b *testing.B) {
	path := os.Getenv("KEIKAI_BENCH_CORPUS")
	if path == "" {
		b.Skip("set KEIKAI_BENCH_CORPUS to a log file, e.g. one made by go run ./bench/gencorpus")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	data := make([]byte, 16<<20)
	n, err := io.ReadFull(f, data)
	if err != nil && err != io.ErrUnexpectedEOF {
		b.Fatal(err)
	}
	data = data[:n]
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	}
	lines := bytes.Count(data, []byte{'\n'})
	p := newTestParser()
	var e event.Event
	b.SetBytes(int64(len(data)))
	start := cpuClock()
	for b.Loop() {
		for rest := data; len(rest) > 0; {
			i := bytes.IndexByte(rest, '\n')
			p.Parse(rest[:i], &e)
			rest = rest[i+1:]
		}
	}
	if used := cpuClock() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N*lines), "cpu-ns/line")
	}
}
