package logs

import (
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

func TestSyslogHeaders(t *testing.T) {
	checkCases(t, []fieldCase{
		{"statd with 8-bit bytes", "Mar 13 12:34:56 YOUR.HOST.NAME statd[44]: attempt to create \"/var/statmon/sm//../../../../tmp/.nfs09 \x90\x90\xe8 XbinXsh tirdwr\"", event.FormatSyslog,
			map[event.Field]string{event.Host: "YOUR.HOST.NAME", event.Program: "statd", event.PID: "44",
				event.Message: "attempt to create \"/var/statmon/sm//../../../../tmp/.nfs09 \x90\x90\xe8 XbinXsh tirdwr\""}},
		{"space padded day", "Jun  3 04:05:06 combo rpc.statd[1636]: gethostbyname error for ^X\x01\x02%8x%8x%8x%8x%8x%62716x%hn%51859x%hn\x90\x90\x90", event.FormatSyslog,
			map[event.Field]string{event.Host: "combo", event.Program: "rpc.statd", event.PID: "1636"}},
		{"statd SM_MON", "Sep  1 10:00:00 host rpc.statd[410]: SM_MON request for hostname containing '/': ^D^D^E^E^F\x04\x05/bin/sh -c echo 9704 stream tcp nowait root /bin/sh sh -i >> /etc/inetd.conf", event.FormatSyslog,
			map[event.Field]string{event.Program: "rpc.statd", event.PID: "410"}},
		{"no pid", "Jan  5 01:02:03 gw kernel: eth0: link up", event.FormatSyslog,
			map[event.Field]string{event.Program: "kernel", event.PID: absent, event.Message: "eth0: link up"}},
		{"CRLF stripped from fields", "Jan  5 01:02:03 gw named[12]: lame server\r", event.FormatSyslog,
			map[event.Field]string{event.Message: "lame server"}},
		{"no tag", "Jan  5 01:02:03 gw last message repeated 3 times", event.FormatSyslog,
			map[event.Field]string{event.Host: "gw", event.Program: absent, event.Message: "last message repeated 3 times"}},
		{"no host", "Jan  5 01:02:03 cron[77]: (root) CMD (run-parts)", event.FormatSyslog,
			map[event.Field]string{event.Host: absent, event.Program: "cron", event.PID: "77"}},
		{"slash program", "Mar  1 10:00:00 mx postfix/cleanup[99]: 4F3A21C0D: message-id=<1@x>", event.FormatPostfix,
			map[event.Field]string{event.Program: "postfix/cleanup", event.PID: "99"}},
		{"PRI before 3164", "<13>Feb  5 17:32:18 10.0.0.99 myapp: hello", event.FormatSyslog,
			map[event.Field]string{event.Host: "10.0.0.99", event.Program: "myapp", event.Message: "hello"}},
		{"rsyslog precise", "2024-01-02T03:04:05.123456+09:00 web01 nginx[1]: started", event.FormatSyslog,
			map[event.Field]string{event.Host: "web01", event.Program: "nginx", event.PID: "1", event.Message: "started"}},
		{"5424 example", "<34>1 2003-10-11T22:14:15.003Z host app 1234 ID47 - message", event.FormatSyslog,
			map[event.Field]string{event.Host: "host", event.Program: "app", event.PID: "1234", event.Message: "message"}},
		{"5424 nil values and SD", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com - - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\]ication"][x@1 a="b"] ` + "\xef\xbb\xbfAn application event", event.FormatSyslog,
			map[event.Field]string{event.Host: "mymachine.example.com", event.Program: absent, event.PID: absent, event.Message: "An application event"}},
		{"5424 sshd dispatch", "<38>1 2024-03-01T10:00:00+09:00 bastion sshd 4242 - - Failed password for root from 198.51.100.7 port 22 ssh2", event.FormatAuth,
			map[event.Field]string{event.User: "root", event.SourceIP: "198.51.100.7"}},
		{"5424 no message", "<34>1 2003-10-11T22:14:15Z host app - - -", event.FormatSyslog,
			map[event.Field]string{event.Message: ""}},
		// Lines that resemble syslog but are not.
		{"bad month", "Foo 13 12:34:56 host prog: x", event.FormatUnknown, map[event.Field]string{event.Host: absent}},
		{"bad clock", "Mar 13 12:3x:56 host prog: x", event.FormatUnknown, nil},
		{"truncated header", "Mar 13 12:34", event.FormatUnknown, nil},
		{"5424 unterminated SD", `<34>1 2003-10-11T22:14:15Z host app - - [x a="]`, event.FormatUnknown, nil},
		{"5424 bad time", "<34>1 2003-13-11T22:14:15Z host app - - - m", event.FormatUnknown, nil},
		{"bad PRI", "<abc>Mar 13 12:34:56 host prog: x", event.FormatUnknown, nil},
		{"empty", "", event.FormatUnknown, nil},
	})
}

func TestSyslogTimes(t *testing.T) {
	p := NewParser(time.UTC)
	var e event.Event
	cases := []struct {
		ref  time.Time
		line string
		want time.Time
		zone bool
	}{
		{testRef, "Mar 13 12:34:56 h p: x", time.Date(2024, 3, 13, 12, 34, 56, 0, time.UTC), false},
		// December lines in a file last written in January belong to the year before.
		{time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), "Dec 31 23:59:59 h p: x", time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), false},
		// Within 48 hours after the reference: still the reference's year (clock skew).
		{time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), "Jan  3 12:00:00 h p: x", time.Date(2025, 1, 3, 12, 0, 0, 0, time.UTC), false},
		{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "Feb 29 10:00:00 h p: x", time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC), false},
		{testRef, "2024-01-02T03:04:05.123456+09:00 h p: x", time.Date(2024, 1, 1, 18, 4, 5, 123456000, time.UTC), true},
		{testRef, "<34>1 2003-10-11T22:14:15.003Z host app - - - m", time.Date(2003, 10, 11, 22, 14, 15, 3000000, time.UTC), true},
		{testRef, "<34>1 2003-10-11T22:14:15-07:30 host app - - - m", time.Date(2003, 10, 12, 5, 44, 15, 0, time.UTC), true},
		{testRef, "Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 1:1(0) win 16384", time.Date(2023, 10, 11, 10, 0, 0, 123456000, time.UTC), false},
	}
	for _, tc := range cases {
		p.SetReference(tc.ref)
		p.Parse([]byte(tc.line), &e)
		if !e.Time.Known || e.Time.UnixNano != tc.want.UnixNano() || e.Time.Zoned != tc.zone {
			t.Errorf("%q: time %v (known %v zoned %v), want %v", tc.line,
				time.Unix(0, e.Time.UnixNano).UTC(), e.Time.Known, e.Time.Zoned, tc.want)
		}
	}
}

func TestLocalZone(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	p := NewParser(tokyo)
	p.SetReference(time.Date(2002, 9, 20, 0, 0, 0, 0, tokyo))
	var e event.Event
	for _, line := range []string{"Sep 14 10:00:00 h p: x", "[Sat Sep 14 10:00:00 2002] [error] x"} {
		p.Parse([]byte(line), &e)
		want := time.Date(2002, 9, 14, 10, 0, 0, 0, tokyo)
		if e.Time.UnixNano != want.UnixNano() || e.Time.Offset != 9*3600 || e.Time.Zoned {
			t.Errorf("%q: got %+v, want %v", line, e.Time, want)
		}
	}
}

func TestDaysFromCivil(t *testing.T) {
	for _, d := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got := daysFromCivil(d.Year(), int(d.Month()), d.Day()) * 86400; got != d.Unix() {
			t.Errorf("%v: %d, want %d", d, got, d.Unix())
		}
	}
}

func TestSetReferenceFromEnd(t *testing.T) {
	for _, tt := range []struct {
		name string
		ref  time.Time
		tail string
		want string // the reference's time afterwards, RFC 3339
	}{
		{"last line in January, copied in December", time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC),
			"Dec 31 23:59:59 gw a: x\nJan  1 00:00:10 gw kernel: y\n", "2026-01-01T00:00:10Z"},
		{"network syslog with PRI and CRLF", time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC),
			"ut line\r\n<13>Jan  2 03:04:05 gw a: x\r\n", "2026-01-02T03:04:05Z"},
		{"last stamped line above unstamped ones", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
			"Feb 27 10:00:00 gw a: x\n198.51.100.1 - - [01/Mar/2024:00:00:00 +0000] \"GET / HTTP/1.0\" 200 1\n\n", "2024-02-27T10:00:00Z"},
		{"no stamp: reference kept", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
			"no time here\n", "2024-03-01T00:00:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser(time.UTC)
			p.SetReference(tt.ref)
			p.SetReferenceFromEnd([]byte(tt.tail))
			if got := time.Unix(p.refUnix, 0).UTC().Format(time.RFC3339); got != tt.want {
				t.Errorf("reference %s, want %s", got, tt.want)
			}
		})
	}
}
