package derive

import (
	"bytes"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/report"
)

func TestTracking(t *testing.T) {
	tests := []struct {
		at   time.Time
		id   int64
		want string
	}{
		{time.Date(2000, 6, 30, 0, 0, 0, 0, time.UTC), 718, "KK-2000-000718"},
		{time.Date(2000, 12, 31, 20, 0, 0, 0, time.FixedZone("EST", -5*3600)), 1, "KK-2001-000001"},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1234567, "KK-2026-1234567"},
	}
	for _, tc := range tests {
		if got := Tracking(tc.at, tc.id); got != tc.want {
			t.Errorf("Tracking(%v, %d) = %q, want %q", tc.at, tc.id, got, tc.want)
		}
	}
}

func ip(s string) []byte { return IP16(netip.MustParseAddr(s)) }

func TestSourceRange(t *testing.T) {
	tests := []struct {
		source string
		lo, hi []byte
		bad    bool
	}{
		{source: "192.0.2.1", lo: ip("192.0.2.1"), hi: ip("192.0.2.1")},
		{source: " 192.0.2.0/24 ", lo: ip("192.0.2.0"), hi: ip("192.0.2.255")},
		{source: "192.0.2.77/28", lo: ip("192.0.2.64"), hi: ip("192.0.2.79")},
		{source: "0.0.0.0/0", lo: ip("0.0.0.0"), hi: ip("255.255.255.255")},
		{source: "2001:db8::/32", lo: ip("2001:db8::"), hi: ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")},
		{source: "fe80::1%eth0", lo: ip("fe80::1"), hi: ip("fe80::1")},
		{source: "192.0.2.0/33", bad: true},
		{source: "example.jp", bad: true},
		{source: "", bad: true},
	}
	for _, tc := range tests {
		lo, hi, err := SourceRange(tc.source)
		if tc.bad {
			if err == nil {
				t.Errorf("SourceRange(%q): no error", tc.source)
			}
			continue
		}
		if err != nil || !bytes.Equal(lo, tc.lo) || !bytes.Equal(hi, tc.hi) {
			t.Errorf("SourceRange(%q) = %x..%x, %v; want %x..%x", tc.source, lo, hi, err, tc.lo, tc.hi)
		}
	}
}

func TestFactsOf(t *testing.T) {
	a := &report.Analysis{
		Category:  "worm",
		TCPPorts:  []int{80, 443, 80, -1, 70000},
		UDPPorts:  []int{2002, 80},
		ICMPTypes: []int{8, 8, 300},
		CGIPaths:  []string{" /cgi-bin/phf", "/cgi-bin/phf", ""},
		Findings: []finding.Finding{
			{Rule: "slapper-files", Category: "worm"},
			{Rule: "statd", Title: "statd", Category: "intrusion", Advisories: []string{"JPCERT-E-INF-98-0001", "CA-99-05"}},
			{Rule: "statd-2", Title: "statd again", Category: "intrusion", Advisories: []string{"JPCERT-E-INF-98-0001"}},
			{Rule: "rootkit", Title: "rootkit", Category: "intrusion"},
		},
		Observables: []report.Observable{
			{Kind: report.ObservableIP, Value: "192.0.2.1", Count: 2},
			{Kind: report.ObservableIP, Value: "192.0.2.1", Count: 3},
			{Kind: report.ObservableHostname, Value: "192.0.2.1", Count: 1},
			{Kind: report.ObservableIP, Value: "not an ip", Count: 1},
		},
	}
	got := FactsOf(a)
	want := Facts{
		Category:  "worm",
		Ports:     []Port{{"tcp", 80}, {"tcp", 443}, {"udp", 2002}, {"udp", 80}},
		ICMPTypes: []int{8},
		CGIPaths:  []string{"/cgi-bin/phf"},
		Causes: []Cause{
			{Advisory: "JPCERT-E-INF-98-0001", Title: "statd"},
			{Advisory: "CA-99-05", Title: "statd"},
			{Rule: "rootkit", Title: "rootkit"},
		},
		Observables: []Observable{
			{report.Observable{Kind: report.ObservableIP, Value: "192.0.2.1", Count: 5}, ip("192.0.2.1")},
			{report.Observable{Kind: report.ObservableHostname, Value: "192.0.2.1", Count: 1}, nil},
			{report.Observable{Kind: report.ObservableIP, Value: "not an ip", Count: 1}, nil},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FactsOf\n got %+v\nwant %+v", got, want)
	}
	if c := FactsOf(&report.Analysis{Category: "nonsense"}).Category; c != "other" {
		t.Errorf("unknown category counted as %q, want other", c)
	}
}

// FuzzSourceRange feeds List's source filter, which comes from the command line and the web.
func FuzzSourceRange(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "192.0.2.0/24", "2001:db8::/32", "::ffff:192.0.2.0/120", "fe80::1%eth0", "1.2.3.4/", "/8", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo, hi, err := SourceRange(s)
		if err != nil {
			return
		}
		if len(lo) != 16 || len(hi) != 16 || bytes.Compare(lo, hi) > 0 {
			t.Fatalf("SourceRange(%q) = %x..%x", s, lo, hi)
		}
	})
}
