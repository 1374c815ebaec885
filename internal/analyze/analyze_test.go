package analyze

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/sigma"
	"github.com/keikai-project/keikai/rules"
)

func bundled(t *testing.T) *engine.Engine {
	t.Helper()
	set, err := sigma.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(set)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func writeLog(t *testing.T, dir, name string, lines []string, mtime time.Time) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func collect(t *testing.T, eng *engine.Engine, opts Options) ([]*finding.Finding, *Summary) {
	t.Helper()
	var got []*finding.Finding
	opts.Findings = true
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	sum, err := Run(context.Background(), eng, opts, Callbacks{Finding: func(f *finding.Finding) error {
		got = append(got, f)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return got, sum
}

func scanLines(n int) []string {
	var lines []string
	for i := 0; i < n; i++ {
		lines = append(lines, fmt.Sprintf("May 26 06:42:%02d gw kernel: IN=eth0 OUT= SRC=203.0.113.%d DST=192.0.2.1 LEN=44 TOS=0x00 PREC=0x00 TTL=49 ID=1 PROTO=TCP SPT=61000 DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0", i%60, i%7, 20+i%40))
		if i%5 == 0 {
			lines = append(lines, fmt.Sprintf(`198.51.100.%d - - [26/May/2004:06:42:%02d +0000] "GET /cgi-bin/phf?Qalias=x HTTP/1.0" 404 287 "-" "-"`, i%9, i%60))
		}
	}
	return lines
}

// Findings must come out in the same order, with the same content, however the input is cut
// into chunks and however many workers race over them.
func TestOrderIndependentOfChunking(t *testing.T) {
	eng := bundled(t)
	dir := t.TempDir()
	path := writeLog(t, dir, "mixed.log", scanLines(400), time.Date(2004, 6, 1, 0, 0, 0, 0, time.UTC))
	render := func(opts Options) string {
		fs, _ := collect(t, eng, opts)
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%s:%d %s\n", f.File, f.Line, f.Rule)
		}
		return b.String()
	}
	want := render(Options{Paths: []string{path}, Workers: 1})
	if want == "" {
		t.Fatal("the fixture produced no finding")
	}
	for _, opts := range []Options{
		{Paths: []string{path}, Workers: 2, Input: input.Options{ChunkSize: 512}},
		{Paths: []string{path}, Workers: 4, Input: input.Options{ChunkSize: 4096, Buffers: 2}},
	} {
		if got := render(opts); got != want {
			t.Errorf("workers=%d chunk=%d: order or content differs\n got:\n%s\nwant:\n%s", opts.Workers, opts.Input.ChunkSize, got, want)
		}
	}
}

func TestSummaryCounts(t *testing.T) {
	eng := bundled(t)
	dir := t.TempDir()
	path := writeLog(t, dir, "fw.log", []string{
		"May 26 06:42:10 gw kernel: IN=eth0 OUT= SRC=203.0.113.66 DST=192.0.2.1 LEN=44 PROTO=TCP SPT=61000 DPT=23 WINDOW=1024 SYN URGP=0",
		"May 26 06:42:11 gw kernel: IN=eth0 OUT= SRC=203.0.113.66 DST=192.0.2.1 LEN=44 PROTO=TCP SPT=61000 DPT=23 WINDOW=1024 SYN URGP=0",
		"May 26 06:42:12 gw kernel: IN=eth0 OUT= SRC=203.0.113.67 DST=192.0.2.1 LEN=44 PROTO=UDP SPT=137 DPT=137 LEN=58",
		"May 26 06:42:13 gw kernel: IN= OUT=eth0 SRC=192.0.2.1 DST=198.51.100.200 LEN=60 PROTO=TCP SPT=40000 DPT=443 WINDOW=29200 SYN URGP=0",
		"May 26 06:43:01 gw kernel: IN=eth0 OUT= SRC=198.51.100.9 DST=192.0.2.1 LEN=28 PROTO=ICMP TYPE=8 CODE=0 ID=512 SEQ=1",
		`198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /cgi-bin/test-cgi?* HTTP/1.0" 404 287 "-" "-"`,
		"not a log line at all",
	}, time.Date(2004, 6, 1, 0, 0, 0, 0, time.UTC))
	_, sum := collect(t, eng, Options{Paths: []string{path}})
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("lines", sum.Lines, 7)
	check("events", sum.Events, map[string]int64{"iptables": 5, "web-access": 1, "unknown": 1})
	check("top tcp", sum.TopTCPPorts, []PortCount{{23, "telnet", 2}}) // the outbound 443 is not counted
	check("top udp", sum.TopUDPPorts, []PortCount{{137, "netbios-ns", 1}})
	check("icmp", sum.ICMPTypes, []ICMPCount{{8, "echo request", 1}})
	check("cgi", sum.CGIPaths, []PathCount{{"/cgi-bin/test-cgi", 1}})
	if sum.Categories["probe"] == 0 || sum.Findings == 0 {
		t.Errorf("no probe findings counted: %+v", sum.Categories)
	}
	if len(sum.TopSources) == 0 || sum.TopSources[0].IP != "203.0.113.66" {
		t.Errorf("top source = %+v, want 203.0.113.66 first", sum.TopSources)
	}
}

// Year-less syslog timestamps take their year from the file's modification time; a December
// line in a file last written in January belongs to the year before.
func TestYearFromModificationTime(t *testing.T) {
	eng := bundled(t)
	dir := t.TempDir()
	path := writeLog(t, dir, "messages", []string{
		`Dec 31 23:59:50 gw kernel: IN=eth0 OUT= SRC=203.0.113.66 DST=192.0.2.1 LEN=44 PROTO=TCP SPT=61000 DPT=23 WINDOW=1024 SYN URGP=0`,
		`Jan  1 00:00:10 gw kernel: IN=eth0 OUT= SRC=203.0.113.66 DST=192.0.2.1 LEN=44 PROTO=TCP SPT=61000 DPT=23 WINDOW=1024 SYN URGP=0`,
	}, time.Date(2001, 1, 2, 0, 0, 0, 0, time.UTC))
	fs, _ := collect(t, eng, Options{Paths: []string{path}})
	var times []string
	for _, f := range fs {
		times = append(times, f.Time)
	}
	if len(times) < 2 || times[0] != "2000-12-31T23:59:50Z" || times[len(times)-1] != "2001-01-01T00:00:10Z" {
		t.Fatalf("times = %v, want 2000-12-31T23:59:50Z then 2001-01-01T00:00:10Z", times)
	}
	// Year is the year in which the logs end: this one ends on January 1st, 1999.
	fs, _ = collect(t, eng, Options{Paths: []string{path}, Year: 1999})
	if fs[0].Time != "1998-12-31T23:59:50Z" || fs[len(fs)-1].Time != "1999-01-01T00:00:10Z" {
		t.Errorf("with Year 1999: %s ... %s, want 1998-12-31T23:59:50Z ... 1999-01-01T00:00:10Z", fs[0].Time, fs[len(fs)-1].Time)
	}
}

// A file that runs from December into January, whose modification time is not its last write
// (a copy made on December 30th): every line is dated in order, in whichever chunk it is.
func TestYearBoundaryInsideFile(t *testing.T) {
	eng := bundled(t)
	dir := t.TempDir()
	lines := []string{`Dec 31 23:59:50 gw kernel: device eth0 entered promiscuous mode`}
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("Dec 31 23:59:%02d gw cron[%d]: (root) CMD (run-parts /etc/cron.hourly)", 50+i%10, i))
	}
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("Jan  1 00:00:%02d gw cron[%d]: (root) CMD (run-parts /etc/cron.hourly)", i%10, i))
	}
	lines = append(lines, `Jan  1 00:00:10 gw kernel: device eth1 entered promiscuous mode`)
	path := writeLog(t, dir, "messages", lines, time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC))
	fs, _ := collect(t, eng, Options{Paths: []string{path}, Input: input.Options{ChunkSize: 4096}})
	var times []string
	for _, f := range fs {
		times = append(times, f.Time)
	}
	want := []string{"2025-12-31T23:59:50Z", "2026-01-01T00:00:10Z"}
	if fmt.Sprint(times) != fmt.Sprint(want) {
		t.Errorf("times = %v, want %v", times, want)
	}
}

func TestHostileInputIsWarnedAndSurvived(t *testing.T) {
	eng := bundled(t)
	dir := t.TempDir()
	long := strings.Repeat("A", 3<<20)
	writeLog(t, dir, "hostile.log", []string{
		"\x00\x01\x02\xff\xfe binary",
		long,
		`198.51.100.86 - - [22/Apr/2004:11:57:26 -0400] "GET /cgi-bin/phf HTTP/1.0" 404 287 "-" "-"`,
	}, time.Time{})
	if err := os.Symlink("loop", filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	var got []*finding.Finding
	sum, err := Run(context.Background(), eng, Options{Paths: []string{dir}, Findings: true, Location: time.UTC,
		Input: input.Options{MaxLine: 1 << 20}},
		Callbacks{
			Finding: func(f *finding.Finding) error { got = append(got, f); return nil },
			Warning: func(w input.Warning) { warnings = append(warnings, w.String()) },
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[len(got)-1].Line != 3 {
		t.Errorf("the phf line after the hostile ones was not found: %+v", got)
	}
	joined := strings.Join(warnings, "\n")
	for _, want := range []string{"hostile.log:2", "loop"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
	if sum.Warnings != len(warnings) {
		t.Errorf("summary counts %d warnings, callbacks saw %d", sum.Warnings, len(warnings))
	}
}

func TestCGIProgram(t *testing.T) {
	for _, tt := range []struct {
		path, want string // want "" when the path names no program
	}{
		{"/cgi-bin/x.pl", "/cgi-bin/x.pl"},
		{"//cgi-bin//x.pl", "/cgi-bin/x.pl"},
		{"/cgi-bin/ cgi-bin/x.pl", "/cgi-bin/x.pl"},
		{"/CGI-BIN/PHF", "/cgi-bin/phf"},
		{"/~user/cgi-bin/./formmail.pl/extra/info", "/cgi-bin/formmail.pl"},
		{"/cgi-bin/", "/cgi-bin/"},
		{"/shop/count.cgi", "/count.cgi"},
		{"/default.ida", "/default.ida"},
		{"/scripts/..\\../winnt/system32/cmd.exe", "/cmd.exe"},
		{"/MSADC/root.exe", "/root.exe"},
		{"/DEFAULT.IDA", "/default.ida"},
		{"/scripts/Cmd.ExE", "/cmd.exe"},
		{"/scripts/cmd.exf", ""},
		{"http://www.example.net/cgi-bin/x.pl", ""},
		{"/index.html", ""},
		{"/.cgi", ""},
		{"", ""},
	} {
		got, ok := cgiProgram([]byte(tt.path), nil)
		if (tt.want == "") == ok || ok && string(got) != tt.want {
			t.Errorf("cgiProgram(%q) = %q, %v; want %q", tt.path, got, ok, tt.want)
		}
	}
}

// A chunk of very many short lines comes without its line ends (input.Chunk.Ends) and the worker
// finds them itself, a bounded number at a time: the findings and their line numbers must be
// those of the chunks that come with them.
func TestManyShortLines(t *testing.T) {
	eng := bundled(t)
	dir := t.TempDir()
	dense := scanLines(400)
	const gap = 300 // empty lines after each line
	var sparse []string
	for _, l := range dense {
		sparse = append(sparse, l)
		for range gap {
			sparse = append(sparse, "")
		}
	}
	mtime := time.Date(2004, 6, 1, 0, 0, 0, 0, time.UTC)
	densePath := writeLog(t, dir, "dense.log", dense, mtime)
	sparsePath := writeLog(t, dir, "sparse.log", sparse, mtime)
	render := func(fs []*finding.Finding, stretch int64) string {
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%d %s %s\n", (f.Line-1)*stretch+1, f.Rule, f.Excerpt)
		}
		return b.String()
	}
	fs, _ := collect(t, eng, Options{Paths: []string{densePath}, Workers: 1})
	want := render(fs, gap+1)
	if len(fs) == 0 {
		t.Fatal("the fixture produced no finding")
	}
	for _, opts := range []Options{
		{Paths: []string{sparsePath}, Workers: 1},
		{Paths: []string{sparsePath}, Workers: 3, Input: input.Options{ChunkSize: 4096}},
		{Paths: []string{sparsePath}, Workers: 2, Input: input.Options{ChunkSize: 512}},
	} {
		fs, sum := collect(t, eng, opts)
		if got := render(fs, 1); got != want {
			t.Errorf("chunk=%d: findings differ\n got:\n%.2000s\nwant:\n%.2000s", opts.Input.ChunkSize, got, want)
		}
		if sum.Lines != int64(len(sparse)) {
			t.Errorf("chunk=%d: %d lines, want %d", opts.Input.ChunkSize, sum.Lines, len(sparse))
		}
	}
}

// A failing Finding callback, or a cancelled context, stops the analysis: Run returns the error
// and no goroutine stays blocked on the chunk results that the sequencer no longer hands back.
func TestStopsOnFindingErrorAndCancel(t *testing.T) {
	eng := bundled(t)
	dir := t.TempDir()
	path := writeLog(t, dir, "mixed.log", scanLines(4000), time.Date(2004, 6, 1, 0, 0, 0, 0, time.UTC))
	stop := fmt.Errorf("stop here")
	for _, workers := range []int{1, 2, 5} {
		opts := Options{Paths: []string{path}, Workers: workers, Findings: true, Location: time.UTC,
			Input: input.Options{ChunkSize: 2048, Buffers: 2}}
		n := 0
		_, err := Run(context.Background(), eng, opts, Callbacks{Finding: func(*finding.Finding) error {
			if n++; n == 10 {
				return stop
			}
			return nil
		}})
		if err != stop {
			t.Errorf("workers=%d: Run returned %v after a failing callback, want %v", workers, err, stop)
		}
		ctx, cancel := context.WithCancel(context.Background())
		n = 0
		_, err = Run(ctx, eng, opts, Callbacks{Finding: func(*finding.Finding) error {
			if n++; n == 10 {
				cancel()
			}
			return nil
		}})
		if err != context.Canceled {
			t.Errorf("workers=%d: Run returned %v after cancellation, want %v", workers, err, context.Canceled)
		}
	}
}
