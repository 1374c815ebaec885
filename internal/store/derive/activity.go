package derive

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/activity"
	"github.com/keikai-project/keikai/internal/portname"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// The activity report of a long period is summed from per-day totals (the activity_days table of
// both adapters), kept current in the transactions that change what a report counts as, so that
// it costs the number of days, not of reports. Only the parts of a period that are not whole UTC
// days are counted from the side tables.

// Kinds of per-day totals.
const (
	KindCategory = "category"
	KindTCP      = "tcp"
	KindUDP      = "udp"
	KindICMP     = "icmp"
	KindCGI      = "cgi"
	KindCause    = "cause"
)

// Fact is one thing a report is counted under on its day: its category, a port, an ICMP type, a
// CGI path, an intrusion cause.
type Fact struct {
	Kind, Key string
}

// causeSep joins a cause's advisory and rule into one key; Text keeps it (it is no NUL).
const causeSep = "\x1f"

// CauseKey is the key of a cause fact.
func CauseKey(advisory, rule string) string { return advisory + causeSep + rule }

// SplitCause is the advisory and rule of a cause key.
func SplitCause(key string) (advisory, rule string) {
	advisory, rule, _ = strings.Cut(key, causeSep)
	return advisory, rule
}

// Day is the UTC day number (days since 1970-01-01) of a time: the key of per-day totals.
func Day(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// DayStart is the first instant of a day number.
func DayStart(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// Counted lists the facts a report is counted under, given the category it counts as: causes
// only when that is intrusion, as the activity report lists the causes of intrusions.
func (f Facts) Counted(category string) []Fact {
	out := []Fact{{KindCategory, category}}
	for _, p := range f.Ports {
		out = append(out, Fact{p.Protocol, strconv.Itoa(p.Port)})
	}
	for _, t := range f.ICMPTypes {
		out = append(out, Fact{KindICMP, strconv.Itoa(t)})
	}
	for _, p := range f.CGIPaths {
		out = append(out, Fact{KindCGI, p})
	}
	if category == taxonomy.Intrusion {
		for _, c := range f.Causes {
			out = append(out, Fact{KindCause, CauseKey(c.Advisory, c.Rule)})
		}
	}
	return out
}

// Change is what one fact's per-day total must change by.
type Change struct {
	Fact
	By int64
}

// Delta is the change from a report counted under old to the same report counted under new,
// without the facts that stay, in one fixed order: transactions that lock per-day rows in the
// same order cannot deadlock.
func Delta(old, new []Fact) []Change {
	by := map[Fact]int64{}
	for _, f := range old {
		by[f]--
	}
	for _, f := range new {
		by[f]++
	}
	var out []Change
	for f, n := range by {
		if n != 0 {
			out = append(out, Change{f, n})
		}
	}
	slices.SortFunc(out, func(a, b Change) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Key, b.Key))
	})
	return out
}

// Counts are the figures of a period before ranking: every key with its count of reports.
type Counts struct {
	Categories map[string]int64
	Decided    int64
	TCP, UDP   map[int]int64
	ICMP       map[int]int64
	CGI        map[string]int64
	Causes     map[string]int64 // by CauseKey
}

// NewCounts is a period with nothing counted.
func NewCounts() *Counts {
	return &Counts{Categories: map[string]int64{}, TCP: map[int]int64{}, UDP: map[int]int64{},
		ICMP: map[int]int64{}, CGI: map[string]int64{}, Causes: map[string]int64{}}
}

// Add counts n reports under a fact. Keys that cannot be what their kind says (a port that is
// no number) are ignored: they were never written by this package.
func (c *Counts) Add(kind, key string, n int64) {
	num := func(m map[int]int64) {
		if v, err := strconv.Atoi(key); err == nil {
			m[v] += n
		}
	}
	switch kind {
	case KindCategory:
		c.Categories[Category(key)] += n
	case KindTCP:
		num(c.TCP)
	case KindUDP:
		num(c.UDP)
	case KindICMP:
		num(c.ICMP)
	case KindCGI:
		c.CGI[key] += n
	case KindCause:
		c.Causes[key] += n
	}
}

// Stats ranks the counts: every category key present, the top entries of each ranking (most
// reports first, then the smaller key), with service and ICMP names. title names a cause.
func (c *Counts) Stats(from, to time.Time, top int, title func(advisory, rule string) (en, ja string)) *activity.Stats {
	s := &activity.Stats{From: from, To: to, Categories: map[string]int64{}, Decided: c.Decided}
	for _, k := range taxonomy.CategoryKeys() {
		s.Categories[k] = c.Categories[k]
		s.Total += c.Categories[k]
	}
	s.TopTCPPorts = ranked(c.TCP, top, cmp.Compare[int], func(p int, n int64) activity.PortCount {
		return activity.PortCount{Port: p, Service: portname.Port("tcp", p), Count: n}
	})
	s.TopUDPPorts = ranked(c.UDP, top, cmp.Compare[int], func(p int, n int64) activity.PortCount {
		return activity.PortCount{Port: p, Service: portname.Port("udp", p), Count: n}
	})
	s.ICMPTypes = ranked(c.ICMP, top, cmp.Compare[int], func(t int, n int64) activity.ICMPCount {
		return activity.ICMPCount{Type: t, Name: portname.ICMPType(t), Count: n}
	})
	s.CGIPaths = ranked(c.CGI, top, strings.Compare, func(p string, n int64) activity.PathCount {
		return activity.PathCount{Path: p, Count: n}
	})
	s.Causes = ranked(c.Causes, top, strings.Compare, func(key string, n int64) activity.CauseCount {
		adv, rule := SplitCause(key)
		en, ja := title(adv, rule)
		return activity.CauseCount{Advisory: adv, Rule: rule, Title: en, TitleJa: ja, Count: n}
	})
	return s
}

// ranked is the top entries of m, most reports first, ties by key; never nil, so that JSON shows
// an empty ranking as [].
func ranked[K comparable, V any](m map[K]int64, top int, cmpKey func(a, b K) int, mk func(K, int64) V) []V {
	keys := make([]K, 0, len(m))
	for k, n := range m {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b K) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmpKey(a, b)) })
	out := make([]V, 0, min(top, len(keys)))
	for _, k := range keys[:min(top, len(keys))] {
		out = append(out, mk(k, m[k]))
	}
	return out
}
