package assess

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // IANA names must resolve the same on every server, whatever its system files
)

// zoneAbbreviations are the abbreviations reporters write. Abbreviations are ambiguous; these
// follow RFC 822 for the US zones (so CST is US Central: China Standard Time is written +0800 or
// Asia/Shanghai) and the usual reading for the rest.
var zoneAbbreviations = map[string]int{
	"JST": 9 * 3600, "KST": 9 * 3600, "HKT": 8 * 3600, "SGT": 8 * 3600, "AWST": 8 * 3600,
	"AEST": 10 * 3600, "AEDT": 11 * 3600, "NZST": 12 * 3600, "NZDT": 13 * 3600,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"HST": -10 * 3600, "AKST": -9 * 3600, "AKDT": -8 * 3600,
	"BST": 1 * 3600, "CET": 1 * 3600, "CEST": 2 * 3600, "MET": 1 * 3600, "MEST": 2 * 3600,
	"WET": 0, "WEST": 1 * 3600, "EET": 2 * 3600, "EEST": 3 * 3600,
	"GMT": 0, "UTC": 0, "UT": 0, "Z": 0,
}

// japanZoneNames are how a Japanese report form states Japan's zone.
var japanZoneNames = []string{"日本時間", "日本標準時", "JST"}

// Compiled on first use: package init is the start-up of every command.
var offsetPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:(?:UTC|GMT|UT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$`)
})

// ErrUnknownZone is returned for a time zone keikai cannot read.
var ErrUnknownZone = errors.New("unknown time zone")

// ParseZone reads a time zone as reporters state it: an abbreviation ("JST", "PST"), a UTC offset
// ("+0900", "+09:00", "UTC+9", "GMT-5"), an IANA name ("Asia/Tokyo"), or the Japanese "日本時間".
// It never falls back to the machine's zone: a report is read the same on every server.
func ParseZone(s string) (*time.Location, error) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "()[]"))
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrUnknownZone)
	}
	for _, name := range japanZoneNames {
		if strings.HasPrefix(s, name) && name != "JST" {
			return time.FixedZone("JST", 9*3600), nil
		}
	}
	up := strings.ToUpper(s)
	if off, ok := zoneAbbreviations[up]; ok {
		if off == 0 {
			return time.UTC, nil
		}
		return time.FixedZone(up, off), nil
	}
	if m := offsetPattern().FindStringSubmatch(up); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins := 0
		if m[3] != "" {
			mins, _ = strconv.Atoi(m[3])
		}
		if h > 14 || mins > 59 {
			return nil, fmt.Errorf("%w: offset %q out of range", ErrUnknownZone, s)
		}
		off := h*3600 + mins*60
		if m[1] == "-" {
			off = -off
		}
		if off == 0 {
			return time.UTC, nil
		}
		return time.FixedZone(formatOffset(off), off), nil
	}
	// An abbreviation with its offset ("JST (+0900)", "JST+9"): the first part that reads decides.
	if f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '(' || r == ')' || r == ',' }); len(f) > 1 {
		for _, part := range f {
			if loc, err := ParseZone(part); err == nil {
				return loc, nil
			}
		}
	}
	// time.LoadLocation reads "Local" as the machine's zone and "" as UTC; neither is a report's.
	if strings.Contains(s, "/") && !strings.ContainsAny(s, " .\\") && !strings.HasPrefix(s, "/") {
		if loc, err := time.LoadLocation(s); err == nil {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("%w: %q (write an offset such as +0900, or a name such as Asia/Tokyo)", ErrUnknownZone, s)
}

func formatOffset(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d%02d", sign, off/3600, off/60%60)
}

// incidentLayouts are the ways report forms give the time of an incident; times that carry their
// own offset keep it, the rest are read in the report's zone.
var incidentLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04:05 -0700", "2006-01-02 15:04 -0700", "2006/01/02 15:04:05 -0700",
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05", "2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05", "2 Jan 2006 15:04", "Jan 2 2006 15:04:05", "Jan 2 2006 15:04",
	"Mon Jan 2 15:04:05 2006", "2006-01-02", "2006/1/2",
}

var japaneseDate = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*\([^)]*\))?\s*(?:(\d{1,2})\s*(?:時|:)\s*(\d{1,2})?\s*分?(?:\s*:?\s*(\d{1,2})\s*秒?)?)?`)
})

// ParseIncidentTime reads the time of an incident as a report states it, in loc unless the text
// carries its own offset or zone, and returns it in UTC.
func ParseIncidentTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, errors.New("no time given")
	}
	if m := japaneseDate().FindStringSubmatch(s); m != nil {
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		rest := strings.TrimSpace(s[strings.Index(s, m[0])+len(m[0]):])
		if z, err := ParseZone(rest); err == nil && rest != "" {
			loc = z
		}
		t := time.Date(n(1), time.Month(n(2)), n(3), n(4), n(5), n(6), 0, loc)
		if t.Month() != time.Month(n(2)) || n(4) > 23 || n(5) > 59 || n(6) > 59 {
			return time.Time{}, fmt.Errorf("incident time %q is not a valid date", s)
		}
		return t.UTC(), nil
	}
	if t, ok := parseLayouts(s, loc); ok {
		return t.UTC(), nil
	}
	// A trailing zone ("2000-04-03 12:34 JST", "... (+0900)") replaces the report's zone.
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		if z, err := ParseZone(s[i+1:]); err == nil {
			if t, ok := parseLayouts(strings.TrimSpace(s[:i]), z); ok {
				return t.UTC(), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("incident time %q is in no format keikai reads (write it as 2000-04-03 12:34 +0900)", s)
}

func parseLayouts(s string, loc *time.Location) (time.Time, bool) {
	for _, layout := range incidentLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
