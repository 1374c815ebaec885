package logs

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/keikai-project/keikai/internal/event"
)

// Parser turns log lines into events. It keeps per-input state (the reference instant for year
// inference and small timestamp caches), so each worker goroutine needs its own.
type Parser struct {
	loc       *time.Location
	refYear   int
	refUnix   int64
	localTime localCache    // last clock reading with a year, resolved in loc
	localDay  localDayCache // the day of localTime, for the other seconds of that day
	inferred  localCache    // last clock reading without a year, resolved by inferYear
	day       dayCache      // the day of inferred, for the other seconds of that day
	attempts  attemptMemo
	clfDay    clfDayCache
	urls      urlCache      // the targets of access lines decoded lately
	bsd       bsdStampCache // the BSD stamp that started the last syslog line
	progs     progCache     // what dispatch found for the programs of recent lines
	errStamp  errStampCache // the minute of the last Apache error-log stamp
	// skipAgent leaves out Referer and UserAgent of access lines: finding the ends of the two
	// quoted strings costs more than the rest of the line after the request.
	skipAgent bool
	// skipASA holds the optional searches of ASA lines that nobody reads: asaSkipInterface
	// (" on interface ") and asaSkipFlags (" flags "), each a scan of the whole message.
	skipASA asaSkip
}

// NewParser returns a parser that reads clock times without a UTC offset in loc (UTC when nil).
// The reference instant for year inference starts as the current time.
func NewParser(loc *time.Location) *Parser {
	if loc == nil {
		loc = time.UTC
	}
	p := &Parser{loc: loc}
	p.SetReference(time.Now())
	return p
}

// SkipUnread lets the parser leave out fields that read marks as unread where that saves work:
// the referer and user agent of access lines, the interface and TCP flags that Cisco ASA lines
// state in a phrase of their own. A format is recognised the same with or without them; every
// other field is still parsed. By default every field is.
func (p *Parser) SkipUnread(read *[event.NumFields]bool) {
	p.skipAgent = !read[event.Referer] && !read[event.UserAgent]
	p.skipASA = 0
	if !read[event.Interface] {
		p.skipASA |= asaSkipInterface
	}
	if !read[event.TCPFlags] {
		p.skipASA |= asaSkipFlags
	}
}

// SetReference sets the instant that timestamps without a year are placed near: the modification
// time of the file being read, or now for standard input.
func (p *Parser) SetReference(ref time.Time) {
	p.refYear = ref.In(p.loc).Year()
	p.refUnix = ref.Unix()
	p.inferred = localCache{}
	p.day = dayCache{}
	p.attempts.reset()
	p.bsd.dated = false
}

// SetReferenceFromEnd moves the reference to the last line of a file (tail holds the file's
// last bytes) that has a timestamp without a year, dated against the current reference. Lines
// without a year then get the latest year that puts them at most 48 hours after that last line,
// so a file that runs from December into January is dated line by line in order, whatever
// chunk a line is in, even when the file's modification time is not its last write (a copy
// made in December of a log that ended in January). Without such a line the reference stays.
func (p *Parser) SetReferenceFromEnd(tail []byte) {
	for len(tail) > 0 {
		i := bytes.LastIndexByte(tail[:len(tail)-1], '\n')
		line := trimCR(bytes.TrimSuffix(tail[i+1:], []byte("\n")))
		tail = tail[:i+1]
		if i < 0 {
			tail = nil // the first line may be cut by the tail's start; it is still a whole stamp or none
		}
		if len(line) > 0 && line[0] == '<' {
			if end := bytes.IndexByte(head(line, 5), '>'); end > 0 {
				line = line[end+1:]
			}
		}
		if c, _, ok := bsdStamp(line); ok && monthIndex(line) != 0 {
			unix, _ := p.inferYear(c)
			p.SetReference(time.Unix(unix, 0))
			return
		}
	}
}

// Parse resets e to line and fills in what the line's format yields. A trailing carriage return
// stays in e.Raw but is not part of any field. Lines that no parser recognises keep only Raw.
func (p *Parser) Parse(line []byte, e *event.Event) {
	e.Reset(line)
	b := trimCR(line)
	if len(b) == 0 {
		return
	}
	if p.bsd.same(b) {
		// Consecutive syslog lines mostly share their second; the stamp starts with a capital
		// letter, so no case below but the BSD one could have taken the line. Tested before
		// b[0] is read: with that byte loaded on its own, Go loads the stamp's first word byte
		// by byte.
		p.parseBSD(b, e)
		return
	}
	switch c := b[0]; {
	case c == '<':
		p.parsePRI(b, e)
	case c == '[':
		p.parseApacheError(b, e)
	case isDigit(c):
		// Dates that start a line (rsyslog high precision, nginx error log) or a client address.
		if len(b) > 10 && b[4] == '-' && b[10] == 'T' {
			p.parseSyslogPrecise(b, e)
		} else if len(b) > 19 && b[4] == '-' && b[10] == ' ' && b[13] == ':' {
			p.parseDateTimeHeader(b, e)
		} else if len(b) > 10 && b[4] == '/' && b[7] == '/' {
			p.parseNginxError(b, e)
		} else {
			p.parseAccess(b, e)
		}
	case monthIndex(b) != 0 && len(b) > 3 && b[3] == ' ':
		if c, ok := p.bsd.sameDay(b); ok {
			// Another second of the day of the last stamp (lines of one file mostly are).
			p.bsd.set(b, c, bsdDayLen+8)
		} else if c, n, ok := bsdStamp(b); ok {
			p.bsd.set(b, c, n)
		} else {
			break
		}
		p.parseBSD(b, e)
	case len(b) > 25 && b[3] == ' ' && monthIndex(b[4:]) != 0 && b[7] == ' ':
		p.parseCtimeHeader(b, e)
	default:
		p.parseAccess(b, e)
	}
}

// parseBSD parses a line that starts with the BSD stamp held in p.bsd: pf through tcpdump when
// " rule " follows the stamp (perhaps after a fraction), else syslog.
func (p *Parser) parseBSD(b []byte, e *event.Event) {
	s := &p.bsd
	n := s.n
	var ns int64
	switch {
	case n+5 < len(b) && b[n] == ' ' && string(b[n+1:n+6]) != "rule ":
		// Most lines: a space after the stamp, and no pf rule.
	case n < len(b) && (b[n] == '.' || b[n] == ' '):
		// Only such a line can parsePFDump take (it reads a fraction, then " rule ").
		if b[n] == '.' || hasPrefix(b[n+1:], "rule ") {
			if p.parsePFDump(b, s.c, n, e) {
				return
			}
		}
		fallthrough
	default:
		var ok bool
		if ns, n, ok = syslog3164Rest(b, n); !ok {
			return
		}
	}
	if !s.dated {
		s.unix, s.offset = p.inferYearOfDay(s.c)
		s.dated = true
	}
	p.syslog3164(b[n+1:], s.unix*nanosPerSecond+ns, s.offset, e)
}

// inferYearOfDay is inferYear for the stamp of a new second (p.bsd has told it apart from the
// last one): the day cache first, before inferYear's comparison of the whole clock with the last
// one resolved, a call of memequal that costs most of inferYear and that a new second seldom
// passes. The day cache answers as inferYear would (FuzzInferYearDayCache).
func (p *Parser) inferYearOfDay(c clock) (int64, int32) {
	if d := &p.day; d.ok && d.month == c.month && d.day == c.day {
		if u := d.base + int64(c.hour*3600+c.min*60+c.sec); u >= d.lo && u < d.hi {
			return u, d.offset
		}
	}
	return p.inferYear(c)
}

// bsdStampCache remembers the bytes of the last "Mmm dd hh:mm:ss" stamp parsed and what they
// parsed to. bsdStamp's result depends on those 14 to 16 bytes alone, so a line that starts with
// the same bytes has the same clock.
type bsdStampCache struct {
	n          int    // bytes of the stamp
	head, tail uint64 // the stamp's first and last eight bytes, which overlap and cover it
	c          clock
	// dated says that unix and offset hold inferYear's answer for c, which depends on c and the
	// reference alone: the lines of one second ask it once.
	dated  bool
	unix   int64
	offset int32
}

func (s *bsdStampCache) same(b []byte) bool {
	// Two words cover a stamp of 8 to 16 bytes (bsdStamp's are 14 to 16); n is 0 while empty.
	return uint(s.n-8) <= 8 && len(b) >= s.n && binary.LittleEndian.Uint64(b) == s.head &&
		binary.LittleEndian.Uint64(b[s.n-8:s.n]) == s.tail // [:s.n]: no masking of the pointer
}

// bsdDayLen is the length of "Mmm dd " and "Mmm  d ", the date of the usual BSD stamp.
const bsdDayLen = 7

// sameDay returns bsdStamp(b)'s clock when b starts with the date of the cached stamp, that
// date is bsdDayLen bytes, and a valid "hh:mm:ss" follows it: bsdStamp reads the same month and
// day from the same bytes, then the time.
func (s *bsdStampCache) sameDay(b []byte) (clock, bool) {
	if s.n != bsdDayLen+8 || len(b) < s.n || (binary.LittleEndian.Uint64(b)^s.head)&(1<<(8*bsdDayLen)-1) != 0 {
		return clock{}, false
	}
	c := s.c
	if !hms(b[bsdDayLen:], &c) || !c.valid() {
		return clock{}, false
	}
	return c, true
}

func (s *bsdStampCache) set(b []byte, c clock, n int) {
	*s = bsdStampCache{n: n, c: c}
	if uint(n-8) <= 8 {
		s.head, s.tail = binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n-8:])
	}
}

func init() {
	event.Intern("forward", "match", "scrub", "nat", "rdr", "binat", "masq", "redirect",
		"reset", "unreach", "count", "divert", "tee", "skipto", "pipe", "queue", "fwd", "check-state",
		"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
		"17", "18", "128", "129", "133", "134", "135", "136",
		"ip", "vsftpd")
}
