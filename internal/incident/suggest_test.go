package incident

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/report"
)

func at(day, hour int) time.Time { return time.Date(2000, 4, day, hour, 0, 0, 0, time.UTC) }

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		name    string
		reports []Summary
		want    []Suggestion
	}{{
		name: "same source, overlapping",
		reports: []Summary{
			{ReportID: 1, Sources: addrs("198.51.100.23"), First: at(3, 1), Last: at(3, 2)},
			{ReportID: 2, Sources: addrs("198.51.100.23"), First: at(3, 20), Last: at(3, 21)},
			{ReportID: 3, Sources: addrs("198.51.100.23"), First: at(20, 1), Last: at(20, 2)}, // weeks later
		},
		want: []Suggestion{{Reports: []int64{1, 2}, First: at(3, 1), Last: at(3, 21), Reasons: []Reason{{Kind: ReasonSource, Value: "198.51.100.23"}}}},
	}, {
		name: "same network, different addresses",
		reports: []Summary{
			{ReportID: 5, Sources: addrs("203.0.113.5"), First: at(3, 1), Last: at(3, 2)},
			{ReportID: 4, Sources: addrs("203.0.113.77"), First: at(3, 3), Last: at(3, 4)},
			{ReportID: 6, Sources: addrs("203.0.114.1"), First: at(3, 3), Last: at(3, 4)},
		},
		want: []Suggestion{{Reports: []int64{4, 5}, First: at(3, 1), Last: at(3, 4), Reasons: []Reason{{Kind: ReasonNetwork, Value: "203.0.113.0/24"}}}},
	}, {
		name: "IPv6 /48 and IPv4-mapped",
		reports: []Summary{
			{ReportID: 1, Sources: addrs("2001:db8:1:2::1"), First: at(3, 1), Last: at(3, 1)},
			{ReportID: 2, Sources: addrs("2001:db8:1:ffff::9"), First: at(3, 2), Last: at(3, 2)},
			{ReportID: 3, Sources: addrs("2001:db8:2::1"), First: at(3, 2), Last: at(3, 2)},
		},
		want: []Suggestion{{Reports: []int64{1, 2}, First: at(3, 1), Last: at(3, 2), Reasons: []Reason{{Kind: ReasonNetwork, Value: "2001:db8:1::/48"}}}},
	}, {
		name: "same rule, no shared source",
		reports: []Summary{
			{ReportID: 1, Rules: []string{"statd-traversal"}, First: at(3, 1), Last: at(3, 1)},
			{ReportID: 2, Rules: []string{"statd-traversal"}, First: at(3, 5), Last: at(3, 5)},
		},
		want: []Suggestion{{Reports: []int64{1, 2}, First: at(3, 1), Last: at(3, 5), Reasons: []Reason{{Kind: ReasonRule, Value: "statd-traversal"}}}},
	}, {
		name: "one group, every reason",
		reports: []Summary{
			{ReportID: 1, Sources: addrs("198.51.100.23"), Rules: []string{"r1"}, First: at(3, 1), Last: at(3, 1)},
			{ReportID: 2, Sources: addrs("198.51.100.23"), Rules: []string{"r1"}, First: at(3, 5), Last: at(3, 5)},
		},
		want: []Suggestion{{Reports: []int64{1, 2}, First: at(3, 1), Last: at(3, 5), Reasons: []Reason{
			{Kind: ReasonSource, Value: "198.51.100.23"}, {Kind: ReasonRule, Value: "r1"}}}},
	}, {
		name: "some already in an incident",
		reports: []Summary{
			{ReportID: 1, Sources: addrs("198.51.100.23"), First: at(3, 1), Last: at(3, 1), Incident: 7},
			{ReportID: 2, Sources: addrs("198.51.100.23"), First: at(3, 2), Last: at(3, 2)},
		},
		want: []Suggestion{{Reports: []int64{1, 2}, Incident: 7, First: at(3, 1), Last: at(3, 2), Reasons: []Reason{{Kind: ReasonSource, Value: "198.51.100.23"}}}},
	}, {
		name: "all in one incident already, or in two",
		reports: []Summary{
			{ReportID: 1, Sources: addrs("198.51.100.23"), First: at(3, 1), Last: at(3, 1), Incident: 7},
			{ReportID: 2, Sources: addrs("198.51.100.23"), First: at(3, 2), Last: at(3, 2), Incident: 7},
			{ReportID: 3, Sources: addrs("198.51.100.99"), First: at(3, 2), Last: at(3, 2), Incident: 8},
			{ReportID: 4, Sources: addrs("198.51.100.99"), First: at(3, 2), Last: at(3, 2)},
		},
		want: []Suggestion{{Reports: []int64{3, 4}, Incident: 8, First: at(3, 2), Last: at(3, 2), Reasons: []Reason{{Kind: ReasonSource, Value: "198.51.100.99"}}}},
	}, {
		name: "nothing shared",
		reports: []Summary{
			{ReportID: 1, Sources: addrs("198.51.100.23"), First: at(3, 1), Last: at(3, 1)},
			{ReportID: 2, Sources: addrs("203.0.113.5"), First: at(3, 1), Last: at(3, 1)},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Suggest(tt.reports, Options{})
			for i := range got {
				for j := range got[i].Reasons {
					r := &got[i].Reasons[j]
					if r.En == "" || r.Ja == "" || !strings.Contains(r.En, r.Value) || !strings.Contains(r.Ja, r.Value) {
						t.Errorf("reason %+v does not say why in both languages", r)
					}
					r.En, r.Ja = "", ""
				}
			}
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Suggest =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestSuggestDeterministic: the order of the summaries changes nothing.
func TestSuggestDeterministic(t *testing.T) {
	var reports []Summary
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		first := at(1+rng.IntN(28), rng.IntN(24))
		reports = append(reports, Summary{
			ReportID: int64(i + 1),
			Sources:  addrs(netip.AddrFrom4([4]byte{198, 51, byte(100 + rng.IntN(3)), byte(rng.IntN(8))}).String()),
			Rules:    []string{[]string{"a", "b", "c"}[rng.IntN(3)]},
			First:    first, Last: first.Add(time.Duration(rng.IntN(10)) * time.Hour),
		})
	}
	want := Suggest(reports, Options{})
	if len(want) == 0 {
		t.Fatal("no suggestion for 200 reports from 24 addresses")
	}
	for range 5 {
		rng.Shuffle(len(reports), func(i, j int) { reports[i], reports[j] = reports[j], reports[i] })
		if got := Suggest(reports, Options{}); !reflect.DeepEqual(got, want) {
			t.Fatal("Suggest depends on the order of its input")
		}
	}
	for _, s := range want {
		if !slices.IsSorted(s.Reports) || len(s.Reports) < 2 {
			t.Errorf("suggestion %v: reports unsorted or alone", s.Reports)
		}
	}
}

func TestSlack(t *testing.T) {
	reports := []Summary{
		{ReportID: 1, Sources: addrs("198.51.100.23"), First: at(3, 1), Last: at(3, 2)},
		{ReportID: 2, Sources: addrs("198.51.100.23"), First: at(3, 5), Last: at(3, 6)},
	}
	if got := Suggest(reports, Options{Slack: -1}); len(got) != 0 {
		t.Errorf("without slack, windows 3 hours apart were grouped: %+v", got)
	}
	if got := Suggest(reports, Options{Slack: 3 * time.Hour}); len(got) != 1 {
		t.Errorf("with 3 hours of slack, windows 3 hours apart were not grouped: %+v", got)
	}
}

func TestSummaryOf(t *testing.T) {
	r := report.Report{ID: 9, Tracking: "KK-2000-000009", ReceivedAt: at(10, 0), Analysis: &report.Analysis{
		Content: report.Content{SourceHosts: []string{"198.51.100.23", "scanner.example.net", "10.0.0.1"}},
		Findings: []finding.Finding{
			{Rule: "statd", SourceIP: "::ffff:198.51.100.23", Time: "2000-04-03T12:34:56Z"},
			{Rule: "portmap", SourceIP: "203.0.113.9", Time: "2000-04-03T12:30:00+09:00"},
			{Rule: "statd", SourceIP: "127.0.0.1"},
		},
	}}
	got := SummaryOf(r, 3)
	want := Summary{ReportID: 9, Tracking: "KK-2000-000009", Incident: 3,
		Sources: addrs("198.51.100.23", "203.0.113.9"), Rules: []string{"portmap", "statd"},
		First: time.Date(2000, 4, 3, 3, 30, 0, 0, time.UTC), Last: time.Date(2000, 4, 3, 12, 34, 56, 0, time.UTC)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SummaryOf =\n%+v\nwant\n%+v", got, want)
	}
	bare := SummaryOf(report.Report{ID: 1, ReceivedAt: at(4, 0)}, 0)
	if !bare.First.Equal(at(4, 0)) || !bare.Last.Equal(at(4, 0)) {
		t.Errorf("a report without analysis spans %v..%v, want its receipt", bare.First, bare.Last)
	}
}
