package logs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

// FuzzParse checks the invariants every line must keep, whatever its bytes: no panic, Raw is the
// input unchanged, fields the engine scans Raw for (verbatim fields) occur in Raw, and a parser
// with warm caches gives the same time as a fresh one.
func FuzzParse(f *testing.F) {
	if in, err := os.ReadFile(filepath.Join("testdata", "lines.txt")); err == nil {
		for _, line := range bytes.Split(in, []byte("\n")) {
			f.Add(line)
		}
	}
	f.Add([]byte("<34>1 - - - - - [a=\"\\]\""))
	f.Add([]byte("Feb 29 00:00:00 h p: x\r"))
	warm := NewParser(time.UTC)
	warm.SetReference(testRef)
	for _, s := range []string{"Feb 29 00:00:00 h p: x", "[Sat Sep 14 10:00:00 2002] [error] x"} {
		var e event.Event
		warm.Parse([]byte(s), &e)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := bytes.Clone(line)
		var e event.Event
		warm.Parse(line, &e)
		if !bytes.Equal(line, orig) || !bytes.Equal(e.Raw, orig) {
			t.Fatalf("input or Raw modified: %q", line)
		}
		eachField(&e, func(fld event.Field, v []byte) {
			if v == nil {
				t.Errorf("%v reported with a nil value", fld)
			}
			if fld.IsVerbatim() && !derivedICMP(&e, fld) && !bytes.Contains(e.Raw, v) {
				t.Errorf("verbatim field %v = %q not in Raw %q", fld, v, e.Raw)
			}
		})
		fresh := NewParser(time.UTC)
		fresh.SetReference(testRef)
		var e2 event.Event
		fresh.Parse(line, &e2)
		if e.Time != e2.Time || e.Format != e2.Format {
			t.Errorf("warm parser gave %+v %v, fresh %+v %v for %q", e.Time, e.Format, e2.Time, e2.Format, line)
		}
	})
}

// derivedICMP reports the one documented exception to verbatim fields: pf logs name ICMP types
// in words, and the parser turns them into numbers.
func derivedICMP(e *event.Event, f event.Field) bool {
	return e.Format == event.FormatPF && (f == event.ICMPType || f == event.ICMPCode)
}
