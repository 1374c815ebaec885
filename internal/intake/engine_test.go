package intake

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/report"
)

func TestObservables(t *testing.T) {
	c := report.Content{
		SourceHosts:   []string{"203.0.113.66", "8.8.8.8", "Attacker.Example.NET.", "see the logs below", "::ffff:10.1.2.3"},
		AffectedHosts: []string{"nfs1.example.ac.jp", "203.0.113.66"},
	}
	fs := []finding.Finding{{SourceIP: "8.8.8.8", DestinationIP: "192.168.1.5", DestinationPort: 111}}
	got := observables(c, fs)
	want := []report.Observable{
		{Kind: report.ObservableIP, Value: "203.0.113.66", Reserved: true, Count: 2},
		{Kind: report.ObservableIP, Value: "8.8.8.8", Count: 2},
		{Kind: report.ObservableHostname, Value: "attacker.example.net", Count: 1},
		{Kind: report.ObservableIP, Value: "::ffff:10.1.2.3", Reserved: true, Count: 1},
		{Kind: report.ObservableHostname, Value: "nfs1.example.ac.jp", Count: 1},
		{Kind: report.ObservableIP, Value: "192.168.1.5", Reserved: true, Count: 1},
		{Kind: report.ObservablePort, Value: "111", Count: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("observables:\n got %+v\nwant %+v", got, want)
	}
}

func TestSuggestPrecedence(t *testing.T) {
	tests := []struct {
		categories []string
		want       string
	}{
		{nil, "other"},
		{[]string{"probe"}, "probe"},
		{[]string{"probe", "probe", "intrusion"}, "intrusion"},
		{[]string{"mail-relay", "forged-mail"}, "forged-mail"},
		{[]string{"worm", "dos"}, "worm"},
	}
	for _, tt := range tests {
		var fs []finding.Finding
		for _, c := range tt.categories {
			fs = append(fs, finding.Finding{Category: c})
		}
		if got, rsit := suggest(fs); got != tt.want || rsit == "" {
			t.Errorf("suggest(%v) = %s, %q; want %s with an RSIT class", tt.categories, got, rsit, tt.want)
		}
	}
}

// TestEngineAnalyzerHostileParts: binary, empty and over-long parts are analysed without error,
// and the part names in findings are escaped.
func TestEngineAnalyzerHostileParts(t *testing.T) {
	analyse := EngineAnalyzer(bundledEngine(t), "test")
	long := make([]byte, 200<<10)
	for i := range long {
		long[i] = 'A'
	}
	c := report.Content{Parts: []report.Part{
		{Kind: report.PartAttachment, Name: "core\x1b[2J", Text: []byte("\x00\x01\x02ELF\x00" + probeExcerpt(1))},
		{Kind: report.PartAttachment, Name: "empty"},
		{Kind: report.PartExcerpt, Name: "long", Text: append(long, '\n')},
		{Kind: report.PartExcerpt, Name: "scan\x1b]0;x\x07", Text: []byte(probeExcerpt(2))},
	}}
	a, err := analyse(context.Background(), c, time.Date(2000, 6, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if a.Category != "probe" || len(a.Findings) == 0 {
		t.Fatalf("category %s, %d findings", a.Category, len(a.Findings))
	}
	for _, f := range a.Findings {
		if f.File != `scan\x1b]0;x\x07` && f.File != `core\x1b[2J` {
			t.Errorf("finding in part %q; want the escaped part name", f.File)
		}
	}
}
