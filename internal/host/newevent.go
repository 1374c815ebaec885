package host

import "github.com/keikai-project/keikai/internal/event"

// newEvent returns a fresh event that owns its memory. raw is the one-line description shown as a
// finding's excerpt; it must contain every verbatim field value literally, because the engine's
// literal prefilter scans Raw (see event.Field.IsVerbatim).
func newEvent(format event.Format, raw string) *event.Event {
	e := &event.Event{}
	e.Reset([]byte(raw))
	e.Format = format
	return e
}

// setValue stores a copy of v, so the event does not share memory with the collector.
func setValue(e *event.Event, f event.Field, v string) {
	e.Set(f, e.Scratch([]byte(v)))
}
