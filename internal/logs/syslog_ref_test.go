package logs

import (
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// checkSameEvent fails when two parses of line differ in format, framing, time or any field.
func checkSameEvent(t *testing.T, line []byte, got, want *event.Event) {
	t.Helper()
	if got.Time != want.Time || render(got) != render(want) {
		t.Fatalf("%q:\ngot  %s %+v\nwant %s %+v", line, render(got), got.Time, render(want), want.Time)
	}
}

// parseBSDReference is Parse's BSD case before parseBSD: the pf parser tried on every line, then
// syslog, the year inferred anew for each line. It is the oracle of FuzzParseBSDSameAsReference.
func parseBSDReference(p *Parser, line []byte, e *event.Event) {
	e.Reset(line)
	b := trimCR(line)
	c, n, ok := bsdStamp(b)
	if !ok {
		return
	}
	if !p.parsePFDump(b, c, n, e) {
		p.parseSyslog3164(b, c, n, e)
	}
}

// FuzzParseBSDSameAsReference checks that Parse takes lines with a BSD stamp as the reference
// does, both for a stamp it meets first and for the same stamp again (held in p.bsd).
func FuzzParseBSDSameAsReference(f *testing.F) {
	for _, s := range []string{
		"Oct 11 10:00:00.123456 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384",
		"Oct 11 10:00:00 rule 2/0(match): block in on fxp0: 198.51.100.5.1234 > 192.0.2.1.80: S 123:123(0) win 16384",
		"Oct 11 10:00:00 rule x", "Oct 11 10:00:00.5 rule x", "Oct 11 10:00:00.5 IP x", "Oct 11 10:00:00.5 h p: m",
		"Dec 31 23:59:59 h sshd[1]: Failed password for root from 198.51.100.7 port 1 ssh2",
		"Feb 29 00:00:00 h p: x\r", "Jan  1 00:00:00 h", "Jan  1 00:00:00", "Jan  1 00:00:00.", "Jan 1 00:00:00 h pf: rule 1/0(match): pass out on em0: 1.2.3.4.5 > 6.7.8.9.10: udp 5",
	} {
		f.Add([]byte(s))
	}
	p, q := newTestParser(), newTestParser()
	f.Fuzz(func(t *testing.T, line []byte) {
		b := trimCR(line)
		if len(b) < 4 || monthIndex(b) == 0 || b[3] != ' ' {
			return // another case of Parse
		}
		var got, want event.Event
		for range 2 {
			p.Parse(line, &got)
			parseBSDReference(q, line, &want)
			checkSameEvent(t, line, &got, &want)
		}
	})
}
