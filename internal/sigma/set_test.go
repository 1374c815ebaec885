package sigma

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

func TestLoadFSValid(t *testing.T) {
	s, err := LoadFS(os.DirFS("testdata"), "valid")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if len(s.Rules) != 5 || len(s.Unsupported) != 1 {
		t.Fatalf("got %d rules and %d unsupported, want 5 and 1", len(s.Rules), len(s.Unsupported))
	}
	byKey := map[string]*Rule{}
	for _, r := range s.Rules {
		byKey[r.Key()] = r
	}
	statd := byKey["6f3b1f0e-statd-0001"]
	if statd == nil || statd.Category() != "intrusion" || statd.RSIT() != "intrusion-attempts:exploit" ||
		strings.Join(statd.Advisories(), ",") != "JPCERT-E-INF-98-0001" || statd.Level != LevelHigh || !statd.Generates() {
		t.Errorf("statd rule loaded wrong: %+v", statd)
	}
	if len(statd.Samples.Match) != 1 || len(statd.Samples.NoMatch) != 1 {
		t.Fatalf("statd samples: %+v", statd.Samples)
	}
	if line := statd.Samples.Match[0].Lines[0]; !strings.Contains(string(line), "\x90\x90 XbinXsh") {
		t.Errorf("sample escapes not decoded: %q", line)
	}
	files := byKey["slapper-files"]
	if files.Formats() != FormatsOf(event.FormatHostFile) || files.RSIT() != "malicious-code:infected-system" {
		t.Errorf("slapper-files: formats %s rsit %s", formatNames(files.Formats()), files.RSIT())
	}
	if got := files.Samples.Match[0].Fields; got[event.TargetFilename] != "/tmp/.bugtraq" || got[event.FileType] != "file" {
		t.Errorf("host sample fields: %v", got)
	}
	udp, sweep := byKey["slapper_udp"], byKey["slapper-sweep"]
	if udp.Generates() {
		t.Error("a rule used only by a correlation without generate should not generate")
	}
	c := sweep.Correlation
	if !sweep.IsCorrelation() || c.Type != ValueCount || len(c.Rules) != 1 || c.Rules[0] != udp ||
		c.Timespan != 5*time.Minute || c.Field != event.DestinationIP || c.Op != "gte" || c.Threshold != 20 ||
		len(c.GroupBy) != 1 || c.GroupBy[0] != event.SourceIP {
		t.Errorf("correlation loaded wrong: %+v", c)
	}
	if sweep.Formats() != udp.Formats() {
		t.Errorf("correlation formats %s, want its rule's %s", formatNames(sweep.Formats()), formatNames(udp.Formats()))
	}
	if sweep.Match(&event.Event{Format: event.FormatIptables}) {
		t.Error("a correlation rule matched an event")
	}
	if s.Unsupported[0].Unsupported == "" || s.Unsupported[0].Match(&event.Event{}) {
		t.Error("unsupported rule misbehaves")
	}
}

func TestSetAddAndGenerate(t *testing.T) {
	bundled, err := LoadFS(os.DirFS("testdata"), "valid")
	if err != nil {
		t.Fatal(err)
	}
	user, err := LoadFS(fstest.MapFS{
		"r/gen.yml":  {Data: []byte("title: loud sweep\nid: loud\ncorrelation: {type: event_count, rules: [slapper_udp], timespan: 1m, condition: {gt: 3}}\ngenerate: true\n")},
		"r/dup.yaml": {Data: []byte("title: copy\nid: slapper-files\nlogsource: {product: host, service: file}\ndetection: {s: {TargetFilename: /x}, condition: s}\n")},
	}, "r")
	if err == nil || !strings.Contains(err.Error(), `correlation refers to rule "slapper_udp", which is not loaded`) {
		t.Fatalf("user set alone should not resolve: %v", err)
	}
	err = bundled.Add(user)
	if err == nil || !strings.Contains(err.Error(), "r/dup.yaml") || !strings.Contains(err.Error(), "valid/slapper.yaml:1") {
		t.Fatalf("duplicate id not reported with both files: %v", err)
	}
	user2, _ := LoadFS(fstest.MapFS{"gen.yml": {Data: []byte("title: loud sweep\nid: loud\ncorrelation: {type: event_count, rules: [slapper_udp], timespan: 1m, condition: {gt: 3}}\ngenerate: true\n")}}, ".")
	n := len(bundled.Rules)
	if err := bundled.Add(user2); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if len(bundled.Rules) != n+1 {
		t.Fatalf("Add merged %d rules, want 1", len(bundled.Rules)-n)
	}
	for _, r := range bundled.Rules {
		if r.Key() == "slapper_udp" && !r.Generates() {
			t.Error("a correlation with generate: true should let its rule generate")
		}
	}
}

func TestLoadFSBrokenJoinsAllFiles(t *testing.T) {
	_, err := LoadFS(os.DirFS("testdata"), "broken")
	if err == nil {
		t.Fatal("no error for broken rules")
	}
	for _, f := range []string{"misspelled.yml", "detection.yml", "tags.yml", "correlation.yml", "samples.yml", "yaml.yml", "yaml_line.yml"} {
		if !strings.Contains(err.Error(), "broken/"+f+":") {
			t.Errorf("no error from %s", f)
		}
	}
}

// formatNames lists a set's members by name, for test messages.
func formatNames(s FormatSet) string {
	var names []string
	for f := event.Format(0); f < event.NumFormats; f++ {
		if s.Has(f) {
			names = append(names, f.String())
		}
	}
	return "{" + strings.Join(names, ",") + "}"
}

func TestFormatsFor(t *testing.T) {
	fw := FormatsOf(event.FormatIptables, event.FormatIpchains, event.FormatIpfw, event.FormatCiscoACL, event.FormatPF)
	// Packet-filter lines are syslog-framed but not message text: only category firewall selects them.
	syslogText := FormatsOf(event.FormatSyslog, event.FormatSendmail, event.FormatPostfix, event.FormatAuth)
	tests := []struct {
		ls          Logsource
		want        FormatSet
		unsupported bool
	}{
		{Logsource{}, logFormats, false},
		{Logsource{Category: "firewall"}, fw, false},
		{Logsource{Category: "firewall", Product: "iptables"}, FormatsOf(event.FormatIptables), false},
		{Logsource{Product: "netfilter"}, FormatsOf(event.FormatIptables), false},
		{Logsource{Product: "ipchains"}, FormatsOf(event.FormatIpchains), false},
		{Logsource{Product: "ipfw"}, FormatsOf(event.FormatIpfw), false},
		{Logsource{Product: "cisco"}, FormatsOf(event.FormatCiscoACL), false},
		{Logsource{Product: "openbsd"}, FormatsOf(event.FormatPF), false},
		{Logsource{Category: "webserver"}, FormatsOf(event.FormatWebAccess), false},
		{Logsource{Service: "access"}, FormatsOf(event.FormatWebAccess), false},
		{Logsource{Product: "apache"}, FormatsOf(event.FormatWebAccess), false},
		{Logsource{Product: "nginx", Service: "error"}, FormatsOf(event.FormatWebError), false},
		{Logsource{Category: "webserver", Service: "error"}, FormatsOf(event.FormatWebError), false},
		{Logsource{Service: "apache"}, FormatsOf(event.FormatWebError), false},
		{Logsource{Product: "linux"}, syslogText, false},
		{Logsource{Product: "FreeBSD"}, syslogText, false},
		{Logsource{Service: "syslog"}, syslogText, false},
		{Logsource{Category: "firewall", Product: "linux"}, fw, false},
		{Logsource{Category: "firewall", Service: "syslog"}, fw, false},
		{Logsource{Product: "linux", Service: "sshd"}, FormatsOf(event.FormatAuth), false},
		{Logsource{Service: "pam"}, FormatsOf(event.FormatAuth), false},
		{Logsource{Category: "mail"}, FormatsOf(event.FormatSendmail, event.FormatPostfix), false},
		{Logsource{Service: "smtp"}, FormatsOf(event.FormatSendmail, event.FormatPostfix), false},
		{Logsource{Service: "sendmail"}, FormatsOf(event.FormatSendmail), false},
		{Logsource{Category: "mail", Service: "postfix"}, FormatsOf(event.FormatPostfix), false},
		{Logsource{Product: "host", Service: "file"}, FormatsOf(event.FormatHostFile), false},
		{Logsource{Product: "host", Service: "socket"}, FormatsOf(event.FormatHostSocket), false},
		{Logsource{Product: "host", Service: "process"}, FormatsOf(event.FormatHostProcess), false},
		{Logsource{Product: "host", Service: "package"}, FormatsOf(event.FormatHostPackage), false},
		{Logsource{Product: "keikai", Service: "report"}, FormatsOf(event.FormatReport), false},
		{Logsource{Product: "keikai"}, FormatsOf(event.FormatReport), false},
		{Logsource{Service: "report"}, 0, true},
		{Logsource{Product: "linux", Service: "report"}, 0, true},
		{Logsource{Product: "windows"}, 0, true},
		{Logsource{Category: "process_creation", Product: "linux"}, 0, true},
		{Logsource{Product: "linux", Service: "auditd"}, 0, true},
		{Logsource{Service: "file"}, 0, true},
		{Logsource{Product: "iptables", Service: "sshd"}, 0, true},
	}
	for _, tt := range tests {
		got, reason := formatsFor(tt.ls)
		if got != tt.want || (reason != "") != tt.unsupported {
			t.Errorf("formatsFor(%+v) = %s, %q; want %s, unsupported %v", tt.ls, formatNames(got), reason, formatNames(tt.want), tt.unsupported)
		}
	}
	if logFormats.Has(event.FormatHostFile) || logFormats.Has(event.FormatReport) || !logFormats.Has(event.FormatUnknown) || FormatSet(^uint32(0)).Has(event.NumFormats) {
		t.Error("logFormats or Has is wrong")
	}
}

func TestKeyAndLevel(t *testing.T) {
	rules, err := ParseFile("rules/x.yml", []byte("title: a\ndetection: {s: [x], condition: s}\n---\ntitle: b\nname: bee\ndetection: {s: [x], condition: s}\n---\ntitle: c\ndetection: {s: [x], condition: s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"rules/x.yml", "bee", "rules/x.yml#3"}
	for i, r := range rules {
		if r.Key() != want[i] {
			t.Errorf("rule %d Key = %q, want %q", i, r.Key(), want[i])
		}
		if r.Category() != "other" || r.RSIT() != "other:undetermined" {
			t.Errorf("untagged rule: category %q rsit %q", r.Category(), r.RSIT())
		}
	}
	if !(LevelInformational < LevelLow && LevelLow < LevelMedium && LevelMedium < LevelHigh && LevelHigh < LevelCritical) {
		t.Error("levels are not ordered")
	}
	for _, name := range []string{"informational", "low", "medium", "high", "critical"} {
		if l, ok := ParseLevel(name); !ok || l.String() != name {
			t.Errorf("ParseLevel(%q) = %v, %v", name, l, ok)
		}
	}
}

func TestCustomAttributesAccepted(t *testing.T) {
	_, err := ParseFile("x.yml", []byte("title: a\nmy_custom_attribute: 1\nx-owner: csirt\ndetection: {s: [x], condition: s}\n"))
	if err != nil {
		t.Errorf("custom attributes rejected: %v", err)
	}
}
