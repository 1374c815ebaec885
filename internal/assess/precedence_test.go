package assess

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/sigma"
)

func TestSuggest(t *testing.T) {
	logOf := func(cat, rsit string, l sigma.Level) Evidence { return Evidence{Category: cat, RSIT: rsit, Level: l} }
	textOf := func(cat, rsit string, l sigma.Level) Evidence {
		return Evidence{Category: cat, RSIT: rsit, Level: l, Prose: true}
	}
	scan := logOf("probe", "information-gathering:scanner", sigma.LevelLow)
	tests := []struct {
		name     string
		ev       []Evidence
		cat, rsi string
	}{
		{"nothing", nil, "other", "other:undetermined"},
		{"a scan", []Evidence{scan, scan}, "probe", "information-gathering:scanner"},
		{"a scan and the intrusion that followed", []Evidence{scan, scan, logOf("intrusion", "intrusions:system-compromise", sigma.LevelHigh)},
			"intrusion", "intrusions:system-compromise"},
		{"a scan, and text that says the host was then broken into", []Evidence{scan, textOf("intrusion", "intrusions:system-compromise", sigma.LevelMedium)},
			"intrusion", "intrusions:system-compromise"},
		{"a scan, and a worm's name in the text: words do not outweigh logs", []Evidence{scan, textOf("worm", "malicious-code:infected-system", sigma.LevelLow)},
			"probe", "information-gathering:scanner"},
		{"a worm's name alone", []Evidence{textOf("worm", "malicious-code:infected-system", sigma.LevelLow), textOf("other", "other:other", sigma.LevelLow)},
			"worm", "malicious-code:infected-system"},
		{"a relay log and bounce words", []Evidence{logOf("mail-relay", "fraud:unauthorised-use-of-resources", sigma.LevelLow), textOf("forged-mail", "fraud:masquerade", sigma.LevelLow)},
			"mail-relay", "fraud:unauthorised-use-of-resources"},
		{"relay and forged mail in the logs", []Evidence{logOf("mail-relay", "fraud:unauthorised-use-of-resources", sigma.LevelLow), logOf("forged-mail", "fraud:masquerade", sigma.LevelLow)},
			"forged-mail", "fraud:masquerade"},
		{"a flood and its probes", []Evidence{scan, logOf("dos", "availability:dos", sigma.LevelMedium)}, "dos", "availability:dos"},
		{"a worm that floods", []Evidence{logOf("dos", "availability:ddos", sigma.LevelMedium), logOf("worm", "malicious-code:infected-system", sigma.LevelHigh)},
			"worm", "malicious-code:infected-system"},
		{"a question with a log", []Evidence{scan, textOf("other", "other:other", sigma.LevelLow)}, "probe", "information-gathering:scanner"},
		{"a question alone", []Evidence{textOf("other", "other:other", sigma.LevelLow)}, "other", "other:other"},
		{"an outcome outranks an attempt for the RSIT type", []Evidence{
			logOf("intrusion", "intrusion-attempts:exploit", sigma.LevelHigh),
			textOf("intrusion", "intrusions:system-compromise", sigma.LevelMedium)},
			"intrusion", "intrusions:system-compromise"},
		{"root compromise outranks system compromise for the RSIT type", []Evidence{
			textOf("intrusion", "intrusions:system-compromise", sigma.LevelMedium),
			logOf("intrusion", "intrusions:privileged-account-compromise", sigma.LevelHigh),
			textOf("intrusion", "intrusions:system-compromise", sigma.LevelMedium)},
			"intrusion", "intrusions:privileged-account-compromise"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, rsit := Suggest(tt.ev)
			if cat != tt.cat || rsit != tt.rsi {
				t.Errorf("Suggest = %s, %s; want %s, %s", cat, rsit, tt.cat, tt.rsi)
			}
		})
	}
}

const (
	iptablesTrojan = "Apr 12 03:00:01 gw kernel: DROP IN=eth0 OUT= MAC=00:0c:29:3e:51:0a:00:50:56:c0:00:08:08:00 SRC=198.51.100.7 DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=41 ID=61000 PROTO=TCP SPT=4000 DPT=12345 WINDOW=1024 RES=0x00 SYN URGP=0"
	iptablesFTP    = "Apr 12 03:00:02 gw kernel: DROP IN=eth0 OUT= MAC=00:0c:29:3e:51:0a:00:50:56:c0:00:08:08:00 SRC=198.51.100.7 DST=192.0.2.10 LEN=44 TOS=0x00 PREC=0x00 TTL=41 ID=61001 PROTO=TCP SPT=4001 DPT=21 WINDOW=1024 RES=0x00 SYN URGP=0"
	slapperUDP     = "Sep 20 10:12:01 gw kernel: IN=eth0 OUT= MAC=00:0c:29:aa:bb:cc:00:50:56:dd:ee:ff:08:00 SRC=198.51.100.23 DST=192.0.2.80 LEN=104 TOS=0x00 PREC=0x00 TTL=49 ID=20911 PROTO=UDP SPT=2002 DPT=2002 LEN=84"
	statdLine      = "Apr 12 03:10:22 nfs1 rpc.statd[211]: attempt to create \"/var/statmon/sm//../../../../../../tmp/.nfs09\x90\xeb\x1f^\x89v\x08XbinXsh tirdwr\""
	phfLine        = `198.51.100.86 - - [22/Apr/2000:11:57:26 +0900] "GET /cgi-bin/phf?Qalias=x%0a/bin/cat%20/etc/passwd HTTP/1.0" 404 287 "-" "-"`
)

// TestAnalysePrecedence runs whole reports through the bundled rules.
func TestAnalysePrecedence(t *testing.T) {
	eng := bundledEngine(t)
	body := func(s string) []report.Part { return []report.Part{{Kind: report.PartBody, Text: []byte(s)}} }
	tests := []struct {
		name      string
		c         report.Content
		cat, rsit string
		tcp       []int
	}{
		{"a refused packet to a trojan's port is a probe (seed 002 lists 12345 in section I)",
			report.Content{Parts: body("See log.\n" + iptablesTrojan + "\n")}, "probe", "information-gathering:scanner", []int{12345}},
		{"the trojan's name beside the log does not make it a worm",
			report.Content{Description: "Someone is looking for NetBus.", Parts: body(iptablesTrojan + "\n" + iptablesFTP + "\n")}, "probe", "information-gathering:scanner", []int{21, 12345}},
		{"Slapper's own traffic is the worm",
			report.Content{Parts: body(slapperUDP + "\n")}, "worm", "malicious-code:infected-system", []int{}},
		{"the scan and the break-in the reporter found after it",
			report.Content{Description: "下記のスキャンの後、サーバに侵入されたことが判明しました。", Parts: body("> " + iptablesFTP + "\n")}, "intrusion", "intrusions:system-compromise", []int{21}},
		{"the statd attack in the logs, quoted in a reply",
			report.Content{Parts: body("> > " + statdLine + "\n")}, "intrusion", "intrusion-attempts:exploit", []int{}},
		{"root taken, in the reporter's words",
			report.Content{Description: "statd の弱点を突かれ、root 権限を奪われました。"}, "intrusion", "intrusions:privileged-account-compromise", []int{}},
		{"a denial is not an intrusion",
			report.Content{Description: "侵入されたかどうか調査中です。\n下記のアドレスからポートスキャンを受けました。"}, "probe", "information-gathering:scanner", []int{}},
		{"a CGI probe in an access log",
			report.Content{Subject: "アクセスログの送付", Parts: body(phfLine + "\n")}, "probe", "intrusion-attempts:exploit", []int{}},
		{"a bounce of forged mail",
			report.Content{Subject: "Fwd: Returned mail: User unknown", Parts: body("We never sent this.\n")}, "forged-mail", "fraud:masquerade", []int{}},
		{"a plain question",
			report.Content{Subject: "質問", Description: "貴センターの PGP 公開鍵の入手方法を教えてください。"}, "other", "other:other", []int{}},
		{"nothing to go on", report.Content{Subject: "資料の送付", Description: "先日の資料を送付いたします。"}, "other", "other:undetermined", []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Analyse(context.Background(), eng, tt.c, Options{ReceivedAt: time.Date(2000, 4, 13, 0, 0, 0, 0, time.UTC), Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			if a.Category != tt.cat || a.RSIT != tt.rsit {
				var titles []string
				for _, f := range a.Findings {
					titles = append(titles, f.Title)
				}
				t.Errorf("got %s %s, want %s %s; findings: %s", a.Category, a.RSIT, tt.cat, tt.rsit, strings.Join(titles, "; "))
			}
			if len(a.TCPPorts) != len(tt.tcp) {
				t.Errorf("TCP ports %v, want %v", a.TCPPorts, tt.tcp)
			}
			for i := range tt.tcp {
				if i < len(a.TCPPorts) && a.TCPPorts[i] != tt.tcp[i] {
					t.Errorf("TCP ports %v, want %v", a.TCPPorts, tt.tcp)
				}
			}
		})
	}
}

// TestAnalyseFindingsAndAdvisories checks where findings point and what the analysis lists.
func TestAnalyseFindingsAndAdvisories(t *testing.T) {
	eng := bundledEngine(t)
	c := report.Content{
		Subject:  "Break-in",
		TimeZone: "JST",
		Parts: []report.Part{
			{Kind: report.PartBody, Text: []byte("Hello,\n\nThe intruder gained root through statd.\n")},
			{Kind: report.PartAttachment, Name: "messages", Text: []byte(statdLine + "\n")},
			{Kind: report.PartAttachment, Name: "access_log", Text: []byte("\n" + phfLine + "\n")},
		},
	}
	a, err := Analyse(context.Background(), eng, c, Options{ReceivedAt: time.Date(2000, 4, 13, 0, 0, 0, 0, time.UTC), Now: fixedNow, RulesVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]bool{}
	for _, f := range a.Findings {
		where[f.File+":"+strconv.FormatInt(f.Line, 10)] = true
	}
	for _, want := range []string{"body:3", "messages:1", "access_log:2"} {
		if !where[want] {
			t.Errorf("no finding at %s; findings at %v", want, where)
		}
	}
	if a.Category != "intrusion" || a.RSIT != "intrusions:privileged-account-compromise" {
		t.Errorf("category %s %s", a.Category, a.RSIT)
	}
	if len(a.Advisories) == 0 || a.Advisories[0] != "JPCERT-E-INF-98-0001" && a.Advisories[0] != "JPCERT-PR-2000-0003" {
		t.Errorf("advisories %v", a.Advisories)
	}
	seen := map[string]bool{}
	for _, id := range a.Advisories {
		if seen[id] {
			t.Errorf("advisory %s listed twice", id)
		}
		seen[id] = true
	}
	if !seen["JPCERT-E-INF-98-0001"] {
		t.Errorf("the statd advisory is missing from %v", a.Advisories)
	}
	if len(a.CGIPaths) != 1 || a.CGIPaths[0] != "/cgi-bin/phf" {
		t.Errorf("CGI paths %v", a.CGIPaths)
	}
	if a.RulesVersion != "test" || !a.AnalysedAt.Equal(fixedNow()) {
		t.Errorf("rules version %q, analysed at %v", a.RulesVersion, a.AnalysedAt)
	}
}

// TestYearlessLogsDatedFromReceipt: a syslog line without a year belongs to the year before the
// report arrived, however long after that the report is analysed.
func TestYearlessLogsDatedFromReceipt(t *testing.T) {
	eng := bundledEngine(t)
	tests := []struct {
		line     string
		received time.Time
		zone     string
		want     string
	}{
		{strings.Replace(iptablesFTP, "Apr 12", "Dec 31", 1), time.Date(2001, 1, 2, 0, 0, 0, 0, time.UTC), "+0900", "2000-12-31T03:00:02+09:00"},
		{iptablesFTP, time.Date(2000, 4, 13, 0, 0, 0, 0, time.UTC), "JST", "2000-04-12T03:00:02+09:00"},
		{iptablesFTP, time.Date(2000, 4, 13, 0, 0, 0, 0, time.UTC), "EST", "2000-04-12T03:00:02-05:00"},
	}
	for _, tt := range tests {
		a, err := Analyse(context.Background(), eng, report.Content{TimeZone: tt.zone, Parts: []report.Part{{Kind: report.PartExcerpt, Text: []byte(tt.line)}}},
			Options{ReceivedAt: tt.received, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Findings) == 0 || a.Findings[0].Time != tt.want {
			t.Errorf("received %v: findings %+v, want time %s", tt.received, a.Findings, tt.want)
		}
		utc := mustUTC(t, tt.want)
		found := false
		for _, o := range a.Observables {
			found = found || (o.Kind == report.ObservableTime && o.Value == utc)
		}
		if !found {
			t.Errorf("no time observable %s in %+v", utc, a.Observables)
		}
	}
}

func mustUTC(t *testing.T, s string) string {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC().Format(time.RFC3339)
}

func TestAnalyseBoundsAndCancel(t *testing.T) {
	eng := bundledEngine(t)
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		b.WriteString(iptablesFTP + "\n")
	}
	c := report.Content{Parts: []report.Part{{Kind: report.PartAttachment, Name: "fw.log", Text: []byte(b.String())}}}
	a, err := Analyse(context.Background(), eng, c, Options{ReceivedAt: time.Date(2000, 4, 13, 0, 0, 0, 0, time.UTC), MaxFindings: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Findings) != 10 || len(a.Warnings) == 0 {
		t.Errorf("%d findings, warnings %v; want 10 and a warning", len(a.Findings), a.Warnings)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Analyse(ctx, eng, c, Options{}); err == nil {
		t.Error("a cancelled analysis returned no error")
	}
}
