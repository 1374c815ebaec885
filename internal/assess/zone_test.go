package assess

import (
	"errors"
	"testing"
	"time"
)

func TestParseZone(t *testing.T) {
	at := time.Date(2000, time.July, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		offset int // seconds east of UTC at `at`
		err    bool
	}{
		{"JST", 9 * 3600, false}, {"jst", 9 * 3600, false}, {"(JST)", 9 * 3600, false},
		{"+0900", 9 * 3600, false}, {"+09:00", 9 * 3600, false}, {"UTC+9", 9 * 3600, false},
		{"GMT-5", -5 * 3600, false}, {"-0330", -(3*3600 + 30*60), false}, {"+0545", 5*3600 + 45*60, false},
		{"Asia/Tokyo", 9 * 3600, false}, {"America/New_York", -4 * 3600, false}, {"Europe/London", 3600, false},
		{"日本時間", 9 * 3600, false}, {"日本標準時", 9 * 3600, false}, {"JST (+0900)", 9 * 3600, false},
		{"UTC", 0, false}, {"GMT", 0, false}, {"Z", 0, false}, {"EST", -5 * 3600, false}, {"PDT", -7 * 3600, false},
		{"CST", -6 * 3600, false}, {"CEST", 2 * 3600, false},
		{"", 0, true}, {"Local", 0, true}, {"Mars/Olympus", 0, true}, {"+2500", 0, true}, {"../../etc/passwd", 0, true}, {"XYZ", 0, true},
	}
	for _, tt := range tests {
		loc, err := ParseZone(tt.in)
		if tt.err {
			if err == nil || !errors.Is(err, ErrUnknownZone) {
				t.Errorf("ParseZone(%q) = %v, %v; want ErrUnknownZone", tt.in, loc, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseZone(%q): %v", tt.in, err)
			continue
		}
		if _, off := at.In(loc).Zone(); off != tt.offset {
			t.Errorf("ParseZone(%q) is %d s east of UTC, want %d", tt.in, off, tt.offset)
		}
	}
}

func TestParseIncidentTime(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	est := time.FixedZone("EST", -5*3600)
	tests := []struct {
		in   string
		loc  *time.Location
		want string // UTC, RFC 3339; empty for an error
	}{
		{"2000年4月12日 03時12分", jst, "2000-04-11T18:12:00Z"},
		{"2000年4月12日 3:12:40", jst, "2000-04-11T18:12:40Z"},
		{"2000 年 4 月 12 日 (水) 03時12分 (EST)", jst, "2000-04-12T08:12:00Z"},
		{"2000-04-12 03:12", est, "2000-04-12T08:12:00Z"},
		{"2000/4/12 03:12:59", jst, "2000-04-11T18:12:59Z"},
		{"2000-04-12T03:12:00+09:00", est, "2000-04-11T18:12:00Z"},
		{"Wed, 12 Apr 2000 03:12:00 +0900", est, "2000-04-11T18:12:00Z"},
		{"2000-04-12 03:12 JST", est, "2000-04-11T18:12:00Z"},
		{"2000-04-12 03:12 Asia/Tokyo", time.UTC, "2000-04-11T18:12:00Z"},
		{"2000-04-12", jst, "2000-04-11T15:00:00Z"},
		{"2000年2月30日 03時12分", jst, ""},
		{"yesterday evening", jst, ""},
		{"", jst, ""},
	}
	for _, tt := range tests {
		got, err := ParseIncidentTime(tt.in, tt.loc)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseIncidentTime(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Format(time.RFC3339) != tt.want || got.Location() != time.UTC {
			t.Errorf("ParseIncidentTime(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseTime feeds the zone and time parsers what a report form may hold: they return an
// error or a time in UTC, never panic, and never read the machine's zone.
func FuzzParseTime(f *testing.F) {
	for _, s := range [][2]string{{"2000年4月12日 03時12分", "JST"}, {"2000-04-12 03:12 +0900", "Asia/Tokyo"},
		{"Wed, 12 Apr 2000 03:12:00 -0500", "EST"}, {"12/04/2000", "日本時間"}, {"", "Local"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, when, zone string) {
		loc, err := ParseZone(zone)
		if err != nil {
			loc = time.UTC
		} else if loc == time.Local {
			t.Fatalf("ParseZone(%q) returned the machine's zone", zone)
		}
		if tm, err := ParseIncidentTime(when, loc); err == nil && tm.Location() != time.UTC {
			t.Fatalf("ParseIncidentTime(%q) = %v, not in UTC", when, tm)
		}
	})
}
