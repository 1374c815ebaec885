package logs

import (
	"encoding/binary"
	"math"
	"time"
)

// Timestamp resolution. Zoned timestamps (those that state their UTC offset) are converted by
// arithmetic; clock readings without an offset go through time.Date in the analysis zone, behind a
// one-entry cache because consecutive lines nearly always share the same second.

const nanosPerSecond = 1e9

// clock is a wall-clock reading as written in a log line.
type clock struct {
	year, month, day, hour, min, sec int
}

func (c clock) valid() bool {
	return c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31 &&
		c.hour <= 23 && c.min <= 59 && c.sec <= 60
}

// localCache remembers the last clock reading resolved in the parser's zone.
type localCache struct {
	ok     bool
	key    clock
	unix   int64
	offset int32
}

// monthIndex maps a three-letter English month abbreviation (case as logged) to 1..12.
func monthIndex(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	switch string(b[:3]) {
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}

// daysFromCivil counts days from 1970-01-01 to the given proleptic Gregorian date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// zonedUnix converts a clock reading with a stated UTC offset (seconds east) to Unix seconds.
func zonedUnix(c clock, offset int) int64 {
	return daysFromCivil(c.year, c.month, c.day)*86400 +
		int64(c.hour*3600+c.min*60+c.sec) - int64(offset)
}

// local resolves c in the parser's zone.
func (p *Parser) local(c clock) (int64, int32) {
	if p.localTime.ok && p.localTime.key == c {
		return p.localTime.unix, p.localTime.offset
	}
	// Another second of the last day: arithmetic, away from changes of offset (see dayCache).
	if d := &p.localDay; d.ok && d.year == c.year && d.month == c.month && d.day == c.day {
		if u := d.base + int64(c.hour*3600+c.min*60+c.sec); u >= d.lo && u < d.hi {
			p.localTime = localCache{ok: true, key: c, unix: u, offset: d.offset}
			return u, d.offset
		}
	}
	t := time.Date(c.year, time.Month(c.month), c.day, c.hour, c.min, c.sec, 0, p.loc)
	_, off := t.Zone()
	p.localTime = localCache{ok: true, key: c, unix: t.Unix(), offset: int32(off)}
	p.localDay = localDayCache{}
	if base := daysFromCivil(c.year, c.month, c.day)*86400 - int64(off); base+int64(c.hour*3600+c.min*60+c.sec) == t.Unix() {
		d := localDayCache{ok: true, year: c.year, month: c.month, day: c.day, base: base, offset: int32(off), lo: math.MinInt64, hi: math.MaxInt64}
		start, end := t.ZoneBounds()
		if !start.IsZero() {
			d.lo = start.Unix() + zoneMargin
		}
		if !end.IsZero() {
			d.hi = end.Unix() - zoneMargin
		}
		p.localDay = d
	}
	return p.localTime.unix, p.localTime.offset
}

// localDayCache is the day of the last clock reading that local resolved through time.Date
// (year, month, day): base is the Unix time of its start under offset, which holds for results
// in [lo, hi).
type localDayCache struct {
	ok               bool
	year, month, day int
	base             int64
	offset           int32
	lo, hi           int64
}

// dayCache holds what inferYear found for one month and day, so that another second of that day
// costs arithmetic rather than time.Date: base is the Unix time of the day's start under offset,
// and the cache answers for results in [lo, hi), where that offset and the inferred year are
// sure to hold.
type dayCache struct {
	ok         bool
	month, day int
	base       int64
	offset     int32
	lo, hi     int64
}

// zoneMargin keeps cached answers this far from a change of UTC offset: a clock reading near one
// may be ambiguous or skipped, which time.Date resolves its own way. Offsets differ by less.
const zoneMargin = 2 * 86400

// inferYear resolves a clock reading that has no year (c.year is ignored): the reference's year,
// or the year before when that would put the line more than 48 hours after the reference (a
// December line in a file last written in January).
func (p *Parser) inferYear(c clock) (int64, int32) {
	c.year = 0
	if p.inferred.ok && p.inferred.key == c {
		return p.inferred.unix, p.inferred.offset
	}
	if d := &p.day; d.ok && d.month == c.month && d.day == c.day {
		if u := d.base + int64(c.hour*3600+c.min*60+c.sec); u >= d.lo && u < d.hi {
			p.inferred = localCache{ok: true, key: c, unix: u, offset: d.offset}
			return u, d.offset
		}
	}
	unix, off := p.inferYearSlow(c)
	p.inferred = localCache{ok: true, key: c, unix: unix, offset: off}
	return unix, off
}

// inferYearSlow is inferYear through time.Date; it also fills the day cache when the day allows.
func (p *Parser) inferYearSlow(c clock) (int64, int32) {
	c.year = p.refYear
	if c.month == 2 && c.day == 29 {
		for !isLeap(c.year) {
			c.year--
		}
	}
	refYear := c.year
	t := time.Date(c.year, time.Month(c.month), c.day, c.hour, c.min, c.sec, 0, p.loc)
	if t.Unix() > p.refUnix+48*3600 {
		c.year--
		if c.month == 2 && c.day == 29 {
			for !isLeap(c.year) {
				c.year--
			}
		}
		t = time.Date(c.year, time.Month(c.month), c.day, c.hour, c.min, c.sec, 0, p.loc)
	}
	_, off := t.Zone()
	p.fillDay(c, t, off, refYear)
	return t.Unix(), int32(off)
}

// fillDay remembers the day of c (resolved to t with offset off in year c.year; refYear is the
// year tried first) for inferYear, or forgets the last day when this one cannot be cached.
func (p *Parser) fillDay(c clock, t time.Time, off int, refYear int) {
	p.day = dayCache{}
	base := daysFromCivil(c.year, c.month, c.day)*86400 - int64(off)
	if base+int64(c.hour*3600+c.min*60+c.sec) != t.Unix() {
		return
	}
	d := dayCache{ok: true, month: c.month, day: c.day, base: base, offset: int32(off), lo: math.MinInt64, hi: math.MaxInt64}
	start, end := t.ZoneBounds()
	if !start.IsZero() {
		d.lo = start.Unix() + zoneMargin
	}
	if !end.IsZero() {
		d.hi = end.Unix() - zoneMargin
	}
	limit := p.refUnix + 48*3600
	if c.year == refYear {
		// Kept in the reference's year: so is every second of the day up to the limit.
		d.hi = min(d.hi, limit+1)
	} else if daysFromCivil(refYear, c.month, c.day)*86400-zoneMargin <= limit {
		// Moved to the year before: some second of the day in the reference's year might not
		// pass the limit (no offset is zoneMargin east), so each is decided anew.
		return
	}
	p.day = d
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// fraction parses ".ddd" (any number of digits, nanosecond precision kept) at the start of b and
// returns the nanoseconds and the bytes consumed.
func fraction(b []byte) (int64, int) {
	if len(b) < 2 || b[0] != '.' || !isDigit(b[1]) {
		return 0, 0
	}
	var ns int64
	scale := int64(nanosPerSecond)
	i := 1
	for i < len(b) && isDigit(b[i]) {
		if scale > 1 {
			scale /= 10
			ns += int64(b[i]-'0') * scale
		}
		i++
	}
	return ns, i
}

// hms parses "hh:mm:ss" at the start of b. The eight bytes are checked as one word: a digit
// byte d passes when neither d-'0' nor d+0x46 sets its high bit (no byte below the lowest bad
// one borrows or carries, so that one is seen), a colon when it equals ':'.
func hms(b []byte, c *clock) bool {
	if len(b) < 8 {
		return false
	}
	x := binary.LittleEndian.Uint64(b)
	d := x - 0x3030003030003030 // each digit's value; the colons stay
	if x&0x0000ff0000ff0000 != 0x00003a00003a0000 || (x+0x4646004646004646|d)&0x8080008080008080 != 0 {
		return false
	}
	v := d&0x0000ff0000ff0000ff*10 + d>>8&0x0000ff0000ff0000ff // hh, mm, ss in bytes 0, 3, 6
	c.hour, c.min, c.sec = int(v&0xff), int(v>>24&0xff), int(v>>48)
	return true
}

// bsdStamp parses "Mmm dd hh:mm:ss" (day possibly space-padded or a single digit followed by one
// space) and returns the clock and the bytes consumed.
func bsdStamp(b []byte) (clock, int, bool) {
	var c clock
	if len(b) < 14 || b[3] != ' ' {
		return c, 0, false
	}
	c.month = monthIndex(b)
	if c.month == 0 {
		return c, 0, false
	}
	i := 4
	if b[i] == ' ' {
		i++
	}
	switch {
	case i+1 < len(b) && isDigit(b[i]) && isDigit(b[i+1]):
		c.day = int(b[i]-'0')*10 + int(b[i+1]-'0')
		i += 2
	case isDigit(b[i]):
		c.day = int(b[i] - '0')
		i++
	default:
		return c, 0, false
	}
	if i >= len(b) || b[i] != ' ' {
		return c, 0, false
	}
	i++
	if !hms(b[i:], &c) {
		return c, 0, false
	}
	c.year = 1 // placeholder so that valid() does not depend on it
	if !c.valid() {
		return c, 0, false
	}
	return c, i + 8, true
}

// rfc3339 parses "yyyy-mm-ddThh:mm:ss[.frac](Z|±hh:mm|±hhmm)" and returns the Unix nanoseconds,
// the offset, and the bytes consumed. The offset without a colon is what "journalctl -o
// short-iso" writes.
func rfc3339(b []byte) (int64, int32, int, bool) {
	var c clock
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') {
		return 0, 0, 0, false
	}
	var ok1, ok2, ok3 bool
	c.year, ok1 = digits(b, 4)
	c.month, ok2 = digits(b[5:], 2)
	c.day, ok3 = digits(b[8:], 2)
	if !ok1 || !ok2 || !ok3 || !hms(b[11:], &c) || !c.valid() {
		return 0, 0, 0, false
	}
	i := 19
	ns, n := fraction(b[i:])
	i += n
	if i >= len(b) {
		return 0, 0, 0, false
	}
	off := 0
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		colon := 1
		if len(b) < i+5 {
			return 0, 0, 0, false
		}
		if b[i+3] != ':' {
			colon = 0
		}
		if len(b) < i+5+colon {
			return 0, 0, 0, false
		}
		h, okh := digits(b[i+1:], 2)
		m, okm := digits(b[i+3+colon:], 2)
		if !okh || !okm || h > 23 || m > 59 {
			return 0, 0, 0, false
		}
		off = h*3600 + m*60
		if b[i] == '-' {
			off = -off
		}
		i += 5 + colon
	default:
		return 0, 0, 0, false
	}
	return zonedUnix(c, off)*nanosPerSecond + ns, int32(off), i, true
}
