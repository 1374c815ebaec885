package logs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/keikai-project/keikai/internal/event"
)

// TestSkipUnreadASA: a parser told that nobody reads Interface and TCPFlags leaves them out of
// ASA lines and parses the rest as before.
func TestSkipUnreadASA(t *testing.T) {
	for _, line := range []string{
		`Sep 10 00:00:00 asa %PIX-2-106001: Inbound TCP connection denied from 198.51.100.4/3345 to 192.0.2.8/23 flags SYN  on interface outside`,
		`Sep 10 00:00:00 asa %ASA-4-106023: Deny tcp src outside:198.18.0.48/12290 dst inside:192.0.2.219/23 by access-group "acl_outside" [0x0, 0x0]`,
		`Sep 10 00:00:00 asa %PIX-2-106006: Deny inbound UDP from 198.51.100.4/1029 to 192.0.2.8/137 on interface outside`,
	} {
		var full, lean event.Event
		newTestParser().Parse([]byte(line), &full)
		read := allRead()
		read[event.Interface], read[event.TCPFlags] = false, false
		p := newTestParser()
		p.SkipUnread(&read)
		p.Parse([]byte(line), &lean)
		if full.Format != event.FormatCiscoACL || !full.Has(event.Interface) {
			t.Fatalf("%s: full parse %v without interface", line, full.Format)
		}
		if lean.Has(event.Interface) || lean.Has(event.TCPFlags) {
			t.Errorf("%s: interface %q flags %q left in", line, lean.Get(event.Interface), lean.Get(event.TCPFlags))
		}
		checkSameRead(t, []byte(line), &read, &full, &lean)
	}
}

func allRead() [event.NumFields]bool {
	var read [event.NumFields]bool
	for f := range read {
		read[f] = true
	}
	return read
}

// checkSameRead fails unless lean, parsed by a parser that skips what read leaves out, agrees
// with full on the format, the time and every field read, and has no unread field that full
// does not have with the same value.
func checkSameRead(t *testing.T, line []byte, read *[event.NumFields]bool, full, lean *event.Event) {
	t.Helper()
	if lean.Format != full.Format || lean.Time != full.Time || lean.Framing != full.Framing {
		t.Fatalf("%q: format, time or framing changed: %v %+v, want %v %+v", line, lean.Format, lean.Time, full.Format, full.Time)
	}
	for f := event.Field(1); f < event.NumFields; f++ {
		same := lean.Has(f) == full.Has(f) && bytes.Equal(lean.Get(f), full.Get(f))
		if read[f] && !same || !read[f] && lean.Has(f) && !same {
			t.Errorf("%q: %v = %q (present %v), full parse %q (present %v)", line, f, lean.Get(f), lean.Has(f), full.Get(f), full.Has(f))
		}
	}
}

// FuzzSkipUnread checks that a parser told which fields nobody reads (the bits of read, one per
// field) still gives every field that is read exactly as a full parse does.
func FuzzSkipUnread(f *testing.F) {
	if in, err := os.ReadFile(filepath.Join("testdata", "lines.txt")); err == nil {
		for _, line := range bytes.Split(in, []byte("\n")) {
			f.Add(line, uint64(0))
			f.Add(line, ^uint64(1<<event.Interface|1<<event.TCPFlags|1<<event.Referer|1<<event.UserAgent))
		}
	}
	f.Fuzz(func(t *testing.T, line []byte, mask uint64) {
		var read [event.NumFields]bool
		for i := range read {
			read[i] = mask&(1<<i) != 0
		}
		var full, lean event.Event
		newTestParser().Parse(line, &full)
		p := newTestParser()
		p.SkipUnread(&read)
		p.Parse(line, &lean)
		checkSameRead(t, line, &read, &full, &lean)
	})
}
