package logs

import (
	"fmt"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

// sameApacheError parses line with p and with a fresh parser in the same zone and fails when the
// events differ in anything parseApacheError sets.
func sameApacheError(t *testing.T, p *Parser, loc *time.Location, line []byte) {
	t.Helper()
	var got, want event.Event
	got.Reset(line)
	want.Reset(line)
	fresh := NewParser(loc)
	fresh.SetReference(testRef)
	ok, wok := p.parseApacheError(line, &got), fresh.parseApacheError(line, &want)
	if ok != wok || got.Format != want.Format || got.Time != want.Time {
		t.Fatalf("%q: %v %v %+v; fresh parser %v %v %+v", line, ok, got.Format, got.Time, wok, want.Format, want.Time)
	}
	for _, f := range []event.Field{event.Severity, event.SourceIP, event.PID, event.Message} {
		if string(got.Get(f)) != string(want.Get(f)) {
			t.Fatalf("%q: field %v %q, fresh parser %q", line, f, got.Get(f), want.Get(f))
		}
	}
}

// FuzzErrStampCache: an error line parsed after another (whose stamp the parser may have cached)
// gives the event a fresh parser gives.
func FuzzErrStampCache(f *testing.F) {
	f.Add([]byte("[Tue Sep 10 00:00:00 2002] [error] [client 1.2.3.4] x"), []byte("[Tue Sep 10 00:00:59 2002] [error] [client 1.2.3.4] y"))
	f.Add([]byte("[Tue Sep 10 00:00:00 2002] [error] x"), []byte("[Tue Sep 10 00:00:60 2002] [error] y"))
	f.Add([]byte("[Tue Sep  1 00:00:00 2002] [error] x"), []byte("[Tue Sep  1 00:00:7a 2002] [error] y"))
	f.Add([]byte("[Tue Sep 10 00:00:00.123456 2002] [ssl:error] x"), []byte("[Tue Sep 10 00:00:01.123456 2002] [ssl:error] [pid 1] y"))
	f.Fuzz(func(t *testing.T, first, second []byte) {
		p := newTestParser()
		sameApacheError(t, p, time.UTC, first)
		sameApacheError(t, p, time.UTC, second)
		sameApacheError(t, p, time.UTC, first)
	})
}

// TestErrStampCacheAcrossDST parses every second around New York's changes of offset in 2002,
// in order, against a fresh parser for each line.
func TestErrStampCacheAcrossDST(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	p := NewParser(loc)
	p.SetReference(testRef)
	for _, day := range []string{"Sun Apr  7", "Sun Oct 27"} {
		for h := 0; h < 4; h++ {
			for m := 58; m < 62; m++ {
				for s := 0; s < 60; s += 7 {
					line := fmt.Sprintf("[%s %02d:%02d:%02d 2002] [error] [client 1.2.3.4] x", day, h+m/60, m%60, s)
					sameApacheError(t, p, loc, []byte(line))
				}
			}
		}
	}
}
