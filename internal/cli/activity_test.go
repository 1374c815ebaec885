package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/store"
	"github.com/keikai-project/keikai/internal/store/postgres"
	"github.com/keikai-project/keikai/internal/store/postgres/pgtest"
	"github.com/keikai-project/keikai/internal/store/sqlite"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// storedReport is a report as the test files it: when it arrived and what analysis found.
type storedReport struct {
	received string // RFC 3339
	analysis report.Analysis
}

// activityDB files reports into a fresh SQLite database and returns its path.
func activityDB(t *testing.T, reports []storedReport) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keikai.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fileReports(t, db, reports)
	return path
}

// activityPostgres files reports into a PostgreSQL schema of their own, dropped when the test
// ends, and returns the DSN that selects it.
func activityPostgres(t *testing.T, reports []storedReport) string {
	t.Helper()
	dsn := pgtest.DSN(t, "keikai_activity_")
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fileReports(t, db, reports)
	return dsn
}

// fileReports stores reports through the store's own intake path: Insert, then Claim and
// Complete as an analysis worker does.
func fileReports(t *testing.T, db store.Store, reports []storedReport) {
	t.Helper()
	ctx := context.Background()
	ids := map[int64]int{}
	for i, r := range reports {
		at, err := time.Parse(time.RFC3339, r.received)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := db.Insert(ctx, &report.Submission{
			Channel:     report.ChannelSMTP,
			ReceivedAt:  at,
			Raw:         []byte("Subject: report " + strconv.Itoa(i) + "\r\n\r\nlogs\r\n"),
			ContentType: "message/rfc822",
			MessageID:   "r" + strconv.Itoa(i) + "@example.jp",
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids[rc.ID] = i
	}
	jobs, err := db.Claim(ctx, "test", len(reports), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != len(reports) {
		t.Fatalf("claimed %d jobs for %d reports", len(jobs), len(reports))
	}
	for _, j := range jobs {
		a := reports[ids[j.ReportID]].analysis
		a.AnalysedAt = time.Date(2000, 7, 1, 0, 0, 0, 0, time.UTC)
		if err := db.Complete(ctx, j, &a); err != nil {
			t.Fatal(err)
		}
	}
}

func probe(tcp []int, udp []int, icmp []int, cgi ...string) report.Analysis {
	return report.Analysis{Category: taxonomy.Probe, TCPPorts: tcp, UDPPorts: udp, ICMPTypes: icmp, CGIPaths: cgi}
}

func intrusion(advisory, title, titleJa string) report.Analysis {
	return report.Analysis{Category: taxonomy.Intrusion, Findings: []finding.Finding{{
		Rule: "statd-create", Title: title, TitleJa: titleJa, Category: taxonomy.Intrusion, Advisories: []string{advisory},
	}}}
}

// quarterReports are a small quarter in the shape of seed 002 and a smaller one before it. The
// times test the edges in JST: 2000-03-31T15:00Z is 00:00 on 1 April in Tokyo, so it counts in
// the second quarter, and 2000-06-30T15:00Z is 1 July there, outside it.
var quarterReports = []storedReport{
	{"2000-03-31T15:00:00Z", probe([]int{21, 22, 111}, []int{111}, []int{8})},
	{"2000-04-10T02:00:00Z", probe([]int{21, 111}, []int{137}, nil, "/cgi-bin/phf")},
	{"2000-05-02T08:30:00Z", probe([]int{21}, nil, []int{8}, "/cgi-bin/phf", "/cgi-bin/test-cgi")},
	{"2000-05-20T23:59:59Z", probe([]int{12345, 31337}, nil, nil, "/cgi-bin/\x1b[2J<script>")},
	{"2000-06-01T01:00:00Z", report.Analysis{Category: taxonomy.MailRelay, TCPPorts: []int{25}}},
	{"2000-06-02T01:00:00Z", report.Analysis{Category: taxonomy.ForgedMail}},
	{"2000-06-03T01:00:00Z", intrusion("JPCERT-E-INF-98-0001", "statd attack", "statd の弱点を悪用した攻撃")},
	{"2000-06-04T01:00:00Z", report.Analysis{Category: taxonomy.DoS}},
	{"2000-06-05T01:00:00Z", report.Analysis{Category: taxonomy.Worm}},
	{"2000-06-06T01:00:00Z", report.Analysis{Category: taxonomy.Other}},
	{"2000-06-30T14:59:59Z", probe([]int{23}, nil, nil)},
	// Outside: 1 July in Tokyo.
	{"2000-06-30T15:00:00Z", probe([]int{80}, nil, nil)},
	// The previous quarter, 2000-01-01 to 2000-03-31 in Tokyo.
	{"1999-12-31T15:00:00Z", probe([]int{21}, nil, nil)},
	{"2000-02-15T00:00:00Z", probe([]int{111}, nil, nil)},
	{"2000-03-31T14:59:59Z", report.Analysis{Category: taxonomy.Worm}},
}

func runActivity(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, IsTerminal: func(io.Writer) bool { return false }}
	code := Run(append([]string{"report", "activity"}, args...), env)
	return stdout.String(), stderr.String(), code
}

// TestReportActivityGolden runs the command over SQLite and PostgreSQL holding the same reports:
// both must print the same report, byte for byte.
func TestReportActivityGolden(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testActivityGolden(t, activityDB(t, quarterReports)) })
	t.Run("postgres", func(t *testing.T) { testActivityGolden(t, activityPostgres(t, quarterReports)) })
}

func testActivityGolden(t *testing.T, db string) {
	base := []string{"--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--issued", "2000-07-31"}
	tests := []struct {
		golden string
		args   []string
	}{
		{"activity.ja.txt", []string{"--lang", "ja", "--issuer", "JPCERT/CC", "--id", "JPCERT-PR-2000-0003"}},
		{"activity.en.txt", []string{"--lang", "en"}},
		{"activity-nocompare.ja.txt", []string{"--lang", "ja", "--no-compare"}},
		{"activity.ja.html", []string{"--lang", "ja", "--format", "html"}},
		{"activity.en.html", []string{"--lang", "en", "--format", "html"}},
		{"activity.json", []string{"--format", "json"}},
		{"activity.csv", []string{"--format", "csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			out, stderr, code := runActivity(t, append(base, tt.args...)...)
			if code != exitClean {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, out)
			}
		})
	}
}

// TestReportActivityCounts checks the numbers themselves, independent of the layout: the JST
// edges of the quarter, the previous quarter, and the rankings.
func TestReportActivityCounts(t *testing.T) {
	db := activityDB(t, quarterReports)
	out, stderr, code := runActivity(t, "--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--format", "json")
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s activity.Stats
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Total != 11 || s.Categories[taxonomy.Probe] != 5 || s.Categories[taxonomy.Intrusion] != 1 || s.Categories[taxonomy.Other] != 1 {
		t.Errorf("total %d, categories %v; want 11 with probe 5, intrusion 1, other 1", s.Total, s.Categories)
	}
	if got := s.From.Format(time.RFC3339) + " " + s.To.Format(time.RFC3339); got != "2000-04-01T00:00:00+09:00 2000-07-01T00:00:00+09:00" {
		t.Errorf("period %s", got)
	}
	if len(s.TopTCPPorts) == 0 || s.TopTCPPorts[0].Port != 21 || s.TopTCPPorts[0].Count != 3 || s.TopTCPPorts[0].Service != "ftp" {
		t.Errorf("top TCP ports %+v; want 21(ftp) first with 3 reports", s.TopTCPPorts)
	}
	if len(s.Causes) != 1 || s.Causes[0].Advisory != "JPCERT-E-INF-98-0001" {
		t.Errorf("causes %+v", s.Causes)
	}
	if p := s.Previous; p == nil || p.Total != 3 || p.Categories[taxonomy.Worm] != 1 ||
		p.From.Format(time.DateOnly) != "2000-01-01" || p.To.Format(time.DateOnly) != "2000-04-01" {
		t.Errorf("previous period %+v; want 3 reports from 2000-01-01 to 2000-04-01", p)
	}
	// In UTC the first report falls in March and the report of 30 June at 15:00 in the quarter.
	out, _, _ = runActivity(t, "--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--format", "json", "--tz", "UTC", "--no-compare")
	s = activity.Stats{}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Total != 11 || s.Previous != nil || s.From.Format(time.RFC3339) != "2000-04-01T00:00:00Z" {
		t.Errorf("UTC: total %d from %s previous %v", s.Total, s.From, s.Previous)
	}
}

func TestReportActivityUsage(t *testing.T) {
	db := activityDB(t, quarterReports[:1])
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--db", db, "--to", "2000-06-30"}, "--from and --to"},
		{[]string{"--db", db, "--from", "2000-04-31", "--to", "2000-06-30"}, `"2000-04-31" is not a day`},
		{[]string{"--db", db, "--from", "2000-06-30", "--to", "2000-04-01"}, "before the first"},
		{[]string{"--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--format", "pdf"}, "unknown format"},
		{[]string{"--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--lang", "fr"}, "ja or en"},
		{[]string{"--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--tz", "Mars/Olympus"}, "not a time zone"},
		{[]string{"--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--top", "0"}, "--top"},
		{[]string{"--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "--bom"}, "--bom"},
		{[]string{"--db", filepath.Join(t.TempDir(), "none.db"), "--from", "2000-04-01", "--to", "2000-06-30"}, "no database at"},
		{[]string{"--db", db, "--from", "2000-04-01", "--to", "2000-06-30", "extra"}, "takes no arguments"},
	}
	for _, tt := range tests {
		out, stderr, code := runActivity(t, tt.args...)
		if code != exitError || !strings.Contains(stderr, tt.want) || out != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 2 with %q", tt.args, code, stderr, out, tt.want)
		}
	}
	if _, err := os.Stat(tests[8].args[1]); err == nil {
		t.Error("a missing database was created by a read-only command")
	}
}
