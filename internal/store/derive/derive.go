// Package derive computes what both store adapters keep beside a report so that statistics and
// searches never read raw mail or analysis JSON again: the side-table rows of an analysis, the
// 16-byte form of IP addresses that makes CIDR searches range scans, tracking numbers, and the
// assembly of activity rankings. Keeping it in one place is what keeps SQLite and PostgreSQL
// answering alike.
package derive

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Tracking is the human-friendly tracking number of a report: the year it was received (UTC) and
// its ID, zero-padded to six digits so that numbers of one quarter line up ("KK-2000-000718").
func Tracking(receivedAt time.Time, id int64) string {
	return fmt.Sprintf("KK-%04d-%06d", receivedAt.UTC().Year(), id)
}

// Time is how the store keeps a time: UTC, at microsecond precision, which is what PostgreSQL's
// timestamptz holds, so a report reads back the same from either adapter.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Category is the category key a report is counted under: a known key, or other.
func Category(key string) string {
	if _, ok := taxonomy.CategoryByKey(key); ok {
		return key
	}
	return taxonomy.Other
}

// Port is one probed port of a report.
type Port struct {
	Protocol string // "tcp" or "udp"
	Port     int
}

// Cause is one advisory or rule that an intrusion finding of a report names.
type Cause struct {
	Advisory, Rule, Title, TitleJa string
}

// Observable is an observable with its address in 16-byte form (nil when it is no address).
type Observable struct {
	report.Observable
	IP []byte
}

// Facts are the side-table rows of one analysed report. Each list holds distinct entries, since
// the activity report counts reports, not occurrences.
type Facts struct {
	Category    string
	RSIT        string
	Ports       []Port
	ICMPTypes   []int
	CGIPaths    []string
	Causes      []Cause
	Observables []Observable
}

// FactsOf derives the side-table rows of an analysis.
func FactsOf(a *report.Analysis) Facts {
	f := Facts{Category: Category(a.Category), RSIT: Text(a.RSIT)}
	seenPort := map[Port]bool{}
	addPorts := func(proto string, ports []int) {
		for _, p := range ports {
			k := Port{proto, p}
			if p < 0 || p > 65535 || seenPort[k] {
				continue
			}
			seenPort[k] = true
			f.Ports = append(f.Ports, k)
		}
	}
	addPorts("tcp", a.TCPPorts)
	addPorts("udp", a.UDPPorts)
	for _, t := range a.ICMPTypes {
		if t >= 0 && t <= 255 && !slices.Contains(f.ICMPTypes, t) {
			f.ICMPTypes = append(f.ICMPTypes, t)
		}
	}
	for _, p := range a.CGIPaths {
		if p = Text(strings.TrimSpace(p)); p != "" && !slices.Contains(f.CGIPaths, p) {
			f.CGIPaths = append(f.CGIPaths, p)
		}
	}
	f.Causes = causes(a)
	seenObs := map[[2]string]int{}
	for _, o := range a.Observables {
		o.Kind, o.Value = report.ObservableKind(Text(string(o.Kind))), Text(o.Value)
		k := [2]string{string(o.Kind), o.Value}
		if i, ok := seenObs[k]; ok {
			f.Observables[i].Count += o.Count
			continue
		}
		seenObs[k] = len(f.Observables)
		d := Observable{Observable: o}
		if o.Kind == report.ObservableIP {
			if ip, err := netip.ParseAddr(o.Value); err == nil {
				d.IP = IP16(ip)
			}
		}
		f.Observables = append(f.Observables, d)
	}
	return f
}

// causes lists what the intrusion findings of an analysis point to: each advisory they name, or
// the rule itself when it names none. Findings of other categories are no cause of an intrusion
// (a scan that came before it, for instance).
func causes(a *report.Analysis) []Cause {
	var out []Cause
	seen := map[[2]string]bool{}
	add := func(c Cause) {
		k := [2]string{c.Advisory, c.Rule}
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	for _, fd := range a.Findings {
		if fd.Category != taxonomy.Intrusion {
			continue
		}
		if len(fd.Advisories) == 0 {
			add(Cause{Rule: Text(fd.Rule), Title: Text(fd.Title), TitleJa: Text(fd.TitleJa)})
			continue
		}
		for _, adv := range fd.Advisories {
			add(Cause{Advisory: Text(adv), Title: Text(fd.Title), TitleJa: Text(fd.TitleJa)})
		}
	}
	return out
}

// IP16 is an address in the 16-byte form both adapters index: IPv4 as IPv4-mapped IPv6, so that
// one byte-wise range covers a CIDR of either family.
func IP16(ip netip.Addr) []byte {
	b := ip.WithZone("").As16()
	return b[:]
}

// SourceRange turns a Filter.Source (an address or a CIDR) into the inclusive range of 16-byte
// addresses it covers.
func SourceRange(source string) (lo, hi []byte, err error) {
	source = strings.TrimSpace(source)
	if !strings.Contains(source, "/") {
		ip, err := netip.ParseAddr(source)
		if err != nil {
			return nil, nil, fmt.Errorf("source %q is neither an IP address nor a CIDR such as 192.0.2.0/24", source)
		}
		b := IP16(ip)
		return b, b, nil
	}
	p, err := netip.ParsePrefix(source)
	if err != nil {
		return nil, nil, fmt.Errorf("source %q is neither an IP address nor a CIDR such as 192.0.2.0/24", source)
	}
	p = p.Masked()
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	start := p.Addr().As16()
	end := start
	for i := bits; i < 128; i++ {
		end[i/8] |= 0x80 >> (i % 8)
	}
	return start[:], end[:], nil
}

// Text is a string as both adapters store it in a text column: valid UTF-8 (invalid bytes become
// U+FFFD) without NUL, which PostgreSQL's text refuses. Raw submissions are never passed through
// it; only metadata and what analysis derived from them.
func Text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// Submission is s with its metadata made storable by Text and its time by Time; Raw is shared,
// untouched, and never nil.
func Submission(s *report.Submission) report.Submission {
	c := *s
	c.Channel = report.Channel(Text(string(s.Channel)))
	c.ReceivedAt = Time(s.ReceivedAt)
	c.ContentType, c.MessageID, c.IdempotencyKey = Text(s.ContentType), Text(s.MessageID), Text(s.IdempotencyKey)
	c.RemoteAddr, c.Lang = Text(s.RemoteAddr), Text(s.Lang)
	if c.Raw == nil {
		c.Raw = []byte{}
	}
	return c
}
