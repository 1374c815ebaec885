package logs

import (
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// FuzzParseAfterLine checks that what a parser remembers from one line (the BSD stamp, the day
// of an access stamp, resolved clock readings) never changes how the next line is parsed: a line
// read after another gives what a fresh parser gives.
func FuzzParseAfterLine(f *testing.F) {
	for _, pair := range [][2]string{
		{"Sep 10 00:00:00 host sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2", "Sep 10 00:00:00 host kernel: DROP IN=eth0 SRC=192.0.2.1 DST=192.0.2.2 PROTO=TCP SPT=1 DPT=2"},
		{"Sep  1 00:00:00 host a: b", "Sep  1 00:00:00.123 rule 1/0(match): block in on fxp0: 1.2.3.4.5 > 6.7.8.9.10: S"},
		{"Sep 1 00:00:00 host a: b", "Sep 1 00:00:00"},
		{"Sep 1 00:00:00 host a: b", "Sep 1 00:00:01 host a: b"},
		{"Feb 29 10:00:00 h p: m", "Feb 29 10:00:00 h p: m"},
		{"Sep  10 00:00:00 h p: m", "Sep  10 00:00:00x"},
		{"Sep 10 00:00:00 h p: m", "Sep 10 00:00:00"},
		{"Sep 10 00:00:00 h p: m", "Sep 10 00:00:00.5 host p: m"},
		{"Mon Sep 10 00:00:00 2002 [pid 1] FAIL LOGIN: Client \"192.0.2.1\"", "Mon Sep 10 00:00:00 2002 [pid 1] x"},
		{`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, `192.0.2.1 - - [10/Oct/2000:13:55:37 -0700] "GET / HTTP/1.0" 200 1`},
	} {
		f.Add([]byte(pair[0]), []byte(pair[1]))
	}
	f.Fuzz(func(t *testing.T, first, second []byte) {
		warm := newTestParser()
		var e event.Event
		warm.Parse(first, &e)
		warm.Parse(second, &e)
		got := render(&e)
		newTestParser().Parse(second, &e)
		if want := render(&e); got != want {
			t.Fatalf("after %q:\n%s\nfresh:\n%s", first, got, want)
		}
	})
}
