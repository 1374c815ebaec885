package logs

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/event"
)

// absent marks a field that must not be set.
const absent = "\x00absent"

// testRef is the reference instant used by the tests: mid-2024 so that year inference is visible.
var testRef = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

func newTestParser() *Parser {
	p := NewParser(time.UTC)
	p.SetReference(testRef)
	return p
}

type fieldCase struct {
	name   string
	line   string
	format event.Format
	want   map[event.Field]string
}

// checkCases parses each line and compares the format and the listed fields.
func checkCases(t *testing.T, cases []fieldCase) {
	t.Helper()
	p := newTestParser()
	var e event.Event
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p.Parse([]byte(tc.line), &e)
			if e.Format != tc.format {
				t.Errorf("format = %v, want %v\n%s", e.Format, tc.format, render(&e))
			}
			if string(e.Raw) != tc.line {
				t.Errorf("Raw changed: %q", e.Raw)
			}
			for f, want := range tc.want {
				got := e.Get(f)
				switch {
				case want == absent && got != nil:
					t.Errorf("%v = %q, want unset", f, got)
				case want != absent && got == nil:
					t.Errorf("%v unset, want %q", f, want)
				case want != absent && string(got) != want:
					t.Errorf("%v = %q, want %q", f, got, want)
				}
			}
		})
	}
}

// render prints an event in a stable, escaped text form for golden files and failure messages.
func render(e *event.Event) string {
	var b strings.Builder
	b.WriteString(escape.Bytes(e.Raw))
	b.WriteString("\n  format=")
	b.WriteString(e.Format.String())
	b.WriteString(" framing=")
	b.WriteString(strconv.Itoa(int(e.Framing)))
	if e.Time.Known {
		b.WriteString(" time=")
		b.WriteString(time.Unix(0, e.Time.UnixNano).UTC().Format(time.RFC3339Nano))
		b.WriteString(" offset=")
		b.WriteString(strconv.Itoa(int(e.Time.Offset)))
		if e.Time.Zoned {
			b.WriteString(" zoned")
		}
	}
	b.WriteByte('\n')
	eachField(e, func(f event.Field, v []byte) {
		b.WriteString("  ")
		b.WriteString(f.String())
		b.WriteString("=")
		b.WriteString(strconv.QuoteToASCII(string(v)))
		b.WriteByte('\n')
	})
	return b.String()
}

// eachField calls fn for every field e carries, in field order.
func eachField(e *event.Event, fn func(f event.Field, v []byte)) {
	for f := event.Field(1); f < event.NumFields; f++ {
		if e.Has(f) {
			fn(f, e.Get(f))
		}
	}
}
