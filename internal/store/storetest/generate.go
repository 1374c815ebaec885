package storetest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/store/derive"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Generated is one report of a generated period, as the benchmarks' bulk loaders write it:
// the report row and the side-table rows an analysis would have produced.
type Generated struct {
	ID         int64
	Tracking   string
	ReceivedAt time.Time
	Raw        []byte
	Facts      derive.Facts
}

// BenchReports is how many reports the activity benchmarks generate: 1,000,000 unless
// KEIKAI_BENCH_REPORTS says otherwise (a smaller number for a quick look).
func BenchReports(b *testing.B) int {
	n := 1_000_000
	if v := os.Getenv("KEIKAI_BENCH_REPORTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("KEIKAI_BENCH_REPORTS=%q is not a positive number", v)
		}
	}
	return n
}

// The mix of seed 002's quarter: 718 reports, of which 610 probes and scans.
var mix = []struct {
	category string
	weight   int
}{
	{taxonomy.Probe, 610}, {taxonomy.MailRelay, 27}, {taxonomy.ForgedMail, 30}, {taxonomy.Intrusion, 32},
	{taxonomy.DoS, 8}, {taxonomy.Worm, 4}, {taxonomy.Other, 7},
}

// The TCP ports of seed 002's list, most reported first.
var probedTCP = []int{111, 21, 23, 53, 80, 22, 25, 110, 143, 514, 12345, 1080, 3128, 8080, 1114, 513, 79, 2425, 1243, 2140, 98, 31337, 109}

var cgiPaths = []string{"/cgi-bin/phf", "/cgi-bin/test-cgi", "/cgi-bin/nph-test-cgi", "/cgi-bin/webdist.cgi", "/cgi-bin/Count.cgi", "/cgi-bin/php.cgi"}

// Generate calls each for n reports received over [from, to), in seed 002's proportions, with the
// ports, ICMP types, CGI paths and intrusion causes of such reports. It is deterministic.
func Generate(n int, from, to time.Time, each func(g *Generated) error) error {
	r := rand.New(rand.NewPCG(2000, 718))
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	span := to.Sub(from)
	g := &Generated{}
	for i := range n {
		g.ID = int64(i + 1)
		// Evenly spread over the period, in ID order as live intake would be.
		g.ReceivedAt = derive.Time(from.Add(time.Duration(float64(span) * float64(i) / float64(n))))
		g.Tracking = derive.Tracking(g.ReceivedAt, g.ID)
		g.Raw = fmt.Appendf(g.Raw[:0], "From: reporter%d@example.jp\r\nSubject: report\r\n\r\nlog lines %d\r\n", r.IntN(5000), i)
		pick := r.IntN(total)
		f := derive.Facts{}
		for _, m := range mix {
			if pick < m.weight {
				f.Category = m.category
				break
			}
			pick -= m.weight
		}
		switch f.Category {
		case taxonomy.Probe:
			for k := range 1 + r.IntN(3) {
				// Skewed towards the head of the list, as real probes are.
				p := probedTCP[min(len(probedTCP)-1, int(r.ExpFloat64()*4))]
				if k == 0 || !hasPort(f.Ports, "tcp", p) {
					f.Ports = append(f.Ports, derive.Port{Protocol: "tcp", Port: p})
				}
			}
			if r.IntN(5) == 0 {
				f.Ports = append(f.Ports, derive.Port{Protocol: "udp", Port: []int{111, 137}[r.IntN(2)]})
			}
			if r.IntN(10) == 0 {
				f.ICMPTypes = []int{8}
			}
			if r.IntN(7) == 0 {
				f.CGIPaths = []string{cgiPaths[r.IntN(len(cgiPaths))]}
			}
		case taxonomy.Intrusion:
			c := []derive.Cause{
				{Advisory: "CA-99-14", Title: "BIND vulnerabilities", TitleJa: "DNS サーバプログラムに含まれる弱点"},
				{Advisory: "CA-98.08", Title: "qpopper vulnerability", TitleJa: "POP サーバプログラムに含まれる弱点"},
				{Advisory: "JPCERT-E-INF-98-0001", Title: "statd", TitleJa: "statd"},
			}[r.IntN(3)]
			f.Causes = []derive.Cause{c}
			f.Ports = []derive.Port{{Protocol: "tcp", Port: []int{53, 110, 111}[r.IntN(3)]}}
		case taxonomy.MailRelay, taxonomy.ForgedMail:
			f.Ports = []derive.Port{{Protocol: "tcp", Port: 25}}
		case taxonomy.DoS:
			f.ICMPTypes = []int{0}
		}
		g.Facts = f
		if err := each(g); err != nil {
			return err
		}
	}
	return nil
}

func hasPort(ps []derive.Port, proto string, p int) bool {
	for _, x := range ps {
		if x.Protocol == proto && x.Port == p {
			return true
		}
	}
	return false
}

// CPU is the user and system time this process has used so far, for benchmarks that report
// CPU-seconds beside wall time.
func CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchPeriod is a period of an activity benchmark over reports generated for [from, to).
type BenchPeriod struct {
	Name     string
	From, To time.Time
	// Want is how many of n generated reports the period holds.
	Want func(n int) int
}

// BenchPeriods are the generated quarter itself (whole days: summed per day) and the same
// quarter shifted by half a day (two half days counted from the side tables as well).
func BenchPeriods(from, to time.Time) []BenchPeriod {
	half := 12 * time.Hour
	return []BenchPeriod{
		{"quarter", from, to, func(n int) int { return n }},
		{"half-days", from.Add(half), to.Add(half), func(n int) int {
			// Reports are spread evenly: those before from+half are outside.
			outside := 0
			span := to.Sub(from)
			for i := range n {
				if from.Add(time.Duration(float64(span) * float64(i) / float64(n))).Before(from.Add(half)) {
					outside++
				} else {
					break
				}
			}
			return n - outside
		}},
	}
}
