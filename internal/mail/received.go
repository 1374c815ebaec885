package mail

import (
	"strconv"
	"strings"
	"time"
)

// ReceivedAt says when a stored message reached its mailbox, so that an imported archive lands in
// the period it was received in. In order of trust:
//
//  1. the mbox "From " line (fromLine, "" when there is none): written at delivery;
//  2. the newest (topmost) Received: header's date: written by the last MTA;
//  3. the Date: header: written by the sender's clock.
//
// A From_ line has no zone in the classic asctime form; it was written by the same host that added
// the topmost Received: header, so that header's offset is used when it has one, and UTC when not.
// ok is false when no date could be read at all.
func ReceivedAt(raw []byte, fromLine string) (time.Time, bool) {
	h, _, _, _ := splitMessage(raw)
	var received time.Time
	receivedOK := false
	if rs := h.Values("Received"); len(rs) > 0 {
		if semi := strings.LastIndexByte(rs[0], ';'); semi >= 0 {
			received, receivedOK = ParseDate(rs[0][semi+1:])
		}
	}
	if fromLine != "" {
		if t, zoned, ok := parseFromLine(fromLine); ok {
			if !zoned && receivedOK {
				_, offset := received.Zone()
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.FixedZone("", offset))
			}
			return t, true
		}
	}
	if receivedOK {
		return received, true
	}
	return ParseDate(h.Get("Date"))
}

// parseFromLine reads "From sender Sat Apr  1 10:23:45 2000", also with a zone ("... 2000 +0900",
// "... JST 2000") and with the remote-from suffix of UUCP. zoned says whether a zone was given.
func parseFromLine(line string) (t time.Time, zoned, ok bool) {
	fields := strings.Fields(strings.TrimPrefix(line, "From "))
	// Find the weekday that starts the date: the sender may be "<>" or contain spaces in quotes.
	for i := range fields {
		if _, isDay := weekdays[strings.ToLower(fields[i])]; !isDay || i+4 >= len(fields) {
			continue
		}
		rest := fields[i+1:]
		month, mok := months[strings.ToLower(rest[0])]
		day, derr := strconv.Atoi(rest[1])
		hh, mm, ss, tok := parseClock(rest[2])
		if !mok || derr != nil || !tok {
			continue
		}
		offset, haveZone := 0, false
		yearAt := 3
		if z, zok := zoneOffset(rest[3]); zok {
			offset, haveZone, yearAt = z, true, 4
		}
		if yearAt >= len(rest) {
			continue
		}
		year, yerr := strconv.Atoi(rest[yearAt])
		if yerr != nil {
			continue
		}
		if yearAt+1 < len(rest) {
			if z, zok := zoneOffset(rest[yearAt+1]); zok {
				offset, haveZone = z, true
			}
		}
		year = fullYear(year, len(rest[yearAt]))
		return time.Date(year, month, day, hh, mm, ss, 0, time.FixedZone("", offset)), haveZone, validDate(year, month, day)
	}
	return time.Time{}, false, false
}

// ParseDate reads an RFC 5322 date as mailers actually wrote it: with or without the weekday,
// two-digit years (RFC 5322 4.3: 00-49 are 20xx, 50-99 are 19xx), seconds omitted, obsolete zone
// names (GMT, UT, EST ... PDT, JST, KST and more), "+0900 (JST)" comments, and no zone at all
// (read as UTC).
func ParseDate(s string) (time.Time, bool) {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\r' || r == '\n' })
	i := 0
	if i < len(fields) {
		if _, isDay := weekdays[strings.ToLower(strings.TrimSuffix(fields[i], "."))]; isDay {
			i++
		}
	}
	if len(fields)-i < 4 {
		return time.Time{}, false
	}
	var day, year int
	var month time.Month
	var err error
	// "1 Apr 2000" is the standard; "Apr 1 2000" (asctime order) appears too.
	if m, ok := months[strings.ToLower(fields[i])]; ok {
		month = m
		if day, err = strconv.Atoi(fields[i+1]); err != nil {
			return time.Time{}, false
		}
	} else {
		if day, err = strconv.Atoi(fields[i]); err != nil {
			return time.Time{}, false
		}
		if month, ok = months[strings.ToLower(fields[i+1])]; !ok {
			return time.Time{}, false
		}
	}
	rest := fields[i+2:]
	// The year usually comes before the time; asctime puts it after.
	yearAt, clockAt := 0, 1
	if strings.Contains(rest[0], ":") {
		yearAt, clockAt = 1, 0
	}
	if yearAt >= len(rest) || clockAt >= len(rest) {
		return time.Time{}, false
	}
	if year, err = strconv.Atoi(rest[yearAt]); err != nil {
		return time.Time{}, false
	}
	year = fullYear(year, len(rest[yearAt]))
	hh, mm, ss, ok := parseClock(rest[clockAt])
	if !ok || !validDate(year, month, day) {
		return time.Time{}, false
	}
	offset := 0
	if len(rest) > 2 {
		if z, zok := zoneOffset(rest[2]); zok {
			offset = z
		}
	}
	return time.Date(year, month, day, hh, mm, ss, 0, time.FixedZone("", offset)), true
}

func fullYear(y, digits int) int {
	switch {
	case digits <= 2 && y < 50:
		return 2000 + y
	case digits <= 3 && y < 1000:
		return 1900 + y
	}
	return y
}

func validDate(y int, m time.Month, d int) bool {
	return y >= 1970 && y < 10000 && d >= 1 && d <= 31 && time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Day() == d
}

func parseClock(s string) (hh, mm, ss int, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	var vals [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return 0, 0, 0, false
		}
		vals[i] = v
	}
	if vals[0] > 23 || vals[1] > 59 || vals[2] > 60 {
		return 0, 0, 0, false
	}
	return vals[0], vals[1], min(vals[2], 59), true
}

// zoneOffset reads "+0900", "-0500", "+09:00" and zone names, in seconds east of UTC.
func zoneOffset(z string) (int, bool) {
	if len(z) >= 5 && (z[0] == '+' || z[0] == '-') {
		digits := strings.ReplaceAll(z[1:], ":", "")
		if len(digits) != 4 {
			return 0, false
		}
		n, err := strconv.Atoi(digits)
		if err != nil || n%100 > 59 || n/100 > 14 {
			return 0, false
		}
		off := (n/100*60 + n%100) * 60
		if z[0] == '-' {
			off = -off
		}
		return off, true
	}
	if off, ok := zoneNames[strings.ToUpper(z)]; ok {
		return off * 3600, true
	}
	return 0, false
}

// zoneNames are the RFC 822 names plus the ones seen in Japanese and Asian mail of the time.
// RFC 5322 4.3 says military single letters were used inconsistently and mean +0000.
var zoneNames = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "CET": 1, "MET": 1, "CEST": 2, "MEST": 2, "EET": 2,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AWST": 8,
	"A": 0, "M": 0, "N": 0, "Y": 0,
}

var weekdays = map[string]bool{"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true}

var months = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April, "may": time.May, "jun": time.June,
	"jul": time.July, "aug": time.August, "sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}
