package logs

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed
)

// dayCacheZones have offsets that change: daylight saving time, half an hour of it (Lord Howe),
// a skipped day (Apia, December 2011).
var dayCacheZones = []string{"UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia", "America/Sao_Paulo"}

// FuzzInferYearDayCache checks that the day cache of inferYear never changes a result: a clock
// reading resolved after another gives what a fresh parser's time.Date gives.
func FuzzInferYearDayCache(f *testing.F) {
	ref2024 := time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC).Unix()
	f.Add(ref2024, uint8(1), uint8(3), uint8(9), uint8(12), uint8(0), uint8(0), uint8(3), uint8(10), uint8(2), uint8(30), uint8(0))
	f.Add(ref2024, uint8(1), uint8(3), uint8(10), uint8(1), uint8(59), uint8(59), uint8(3), uint8(10), uint8(3), uint8(0), uint8(0))
	f.Add(ref2024, uint8(2), uint8(3), uint8(13), uint8(23), uint8(0), uint8(0), uint8(3), uint8(13), uint8(23), uint8(59), uint8(60))
	f.Add(time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), uint8(4), uint8(12), uint8(29), uint8(0), uint8(0), uint8(0), uint8(12), uint8(30), uint8(12), uint8(0), uint8(0))
	f.Add(time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC).Unix(), uint8(0), uint8(12), uint8(31), uint8(0), uint8(0), uint8(0), uint8(1), uint8(3), uint8(23), uint8(0), uint8(0))
	f.Add(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Unix(), uint8(0), uint8(2), uint8(29), uint8(0), uint8(0), uint8(0), uint8(2), uint8(29), uint8(5), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, ref int64, zone, m1, d1, h1, mi1, s1, m2, d2, h2, mi2, s2 uint8) {
		ref %= 1 << 36 // years the stamps are read in, within time.Date's range
		loc, err := time.LoadLocation(dayCacheZones[int(zone)%len(dayCacheZones)])
		if err != nil {
			t.Skip(err)
		}
		mk := func(m, d, h, mi, s uint8) clock {
			return clock{month: int(m)%12 + 1, day: int(d)%31 + 1, hour: int(h) % 24, min: int(mi) % 60, sec: int(s) % 61}
		}
		c1, c2 := mk(m1, d1, h1, mi1, s1), mk(m2, d2, h2, mi2, s2)
		warm := NewParser(loc)
		warm.SetReference(time.Unix(ref, 0))
		warm.inferYear(c1)
		gotUnix, gotOff := warm.inferYear(c2)
		fresh := NewParser(loc)
		fresh.SetReference(time.Unix(ref, 0))
		wantUnix, wantOff := fresh.inferYearSlow(c2)
		if gotUnix != wantUnix || gotOff != wantOff {
			t.Fatalf("%v after %v in %v, reference %d: %d %d, want %d %d", c2, c1, loc, ref, gotUnix, gotOff, wantUnix, wantOff)
		}
	})
}

// FuzzLocalDayCache checks that a clock reading with a year that local resolves after another
// (its day perhaps cached) gets what time.Date gives, in zones with offset changes.
func FuzzLocalDayCache(f *testing.F) {
	f.Add(uint8(1), uint16(2024), uint8(3), uint8(9), uint8(12), uint8(0), uint8(0), uint8(3), uint8(10), uint8(2), uint8(30), uint8(0))
	f.Add(uint8(1), uint16(2024), uint8(3), uint8(10), uint8(1), uint8(59), uint8(59), uint8(3), uint8(10), uint8(3), uint8(0), uint8(0))
	f.Add(uint8(2), uint16(2002), uint8(9), uint8(13), uint8(23), uint8(0), uint8(0), uint8(9), uint8(13), uint8(23), uint8(59), uint8(60))
	f.Add(uint8(0), uint16(2002), uint8(2), uint8(30), uint8(0), uint8(0), uint8(0), uint8(2), uint8(30), uint8(12), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, zone uint8, year uint16, m1, d1, h1, mi1, s1, m2, d2, h2, mi2, s2 uint8) {
		loc, err := time.LoadLocation(dayCacheZones[int(zone)%len(dayCacheZones)])
		if err != nil {
			t.Skip(err)
		}
		mk := func(m, d, h, mi, s uint8) clock {
			return clock{year: int(year) % 10000, month: int(m)%12 + 1, day: int(d)%31 + 1, hour: int(h) % 24, min: int(mi) % 60, sec: int(s) % 61}
		}
		c1, c2 := mk(m1, d1, h1, mi1, s1), mk(m2, d2, h2, mi2, s2)
		warm := NewParser(loc)
		warm.local(c1)
		gotUnix, gotOff := warm.local(c2)
		want := time.Date(c2.year, time.Month(c2.month), c2.day, c2.hour, c2.min, c2.sec, 0, loc)
		_, wantOff := want.Zone()
		if gotUnix != want.Unix() || gotOff != int32(wantOff) {
			t.Fatalf("%v after %v in %v: %d %d, want %d %d", c2, c1, loc, gotUnix, gotOff, want.Unix(), wantOff)
		}
	})
}
