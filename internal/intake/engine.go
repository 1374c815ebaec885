package intake

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/analyze"
	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/finding"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/report"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// maxFindingsPerReport bounds what one report stores: a pasted log of a long scan can match
// thousands of times, and the counts per port and category say the same in less space.
const maxFindingsPerReport = 500

// categoryPrecedence decides the suggested category when a report's findings span several: the
// most serious wins, so a scan followed by the intrusion it led to is an intrusion.
var categoryPrecedence = []string{
	taxonomy.Intrusion, taxonomy.Worm, taxonomy.DoS, taxonomy.ForgedMail, taxonomy.MailRelay, taxonomy.Probe,
}

// EngineAnalyzer runs the detection engine over every part of a report (body, excerpts,
// attachments) as log text and suggests the most serious category its findings show. Log
// timestamps without a year are placed before receivedAt, in the report's stated time zone.
func EngineAnalyzer(eng *engine.Engine, rulesVersion string) Analyzer {
	return func(ctx context.Context, c report.Content, receivedAt time.Time) (*report.Analysis, error) {
		loc := time.UTC
		if c.TimeZone != "" {
			if z, err := ParseZone(c.TimeZone); err == nil {
				loc = z
			}
		}
		a := &report.Analysis{RulesVersion: rulesVersion, Content: c}
		tcp, udp, icmp, cgi := map[int]bool{}, map[int]bool{}, map[int]bool{}, map[string]bool{}
		for i, p := range c.Parts {
			name := p.Name
			if name == "" {
				name = fmt.Sprintf("%s %d", p.Kind, i+1)
			}
			sum, err := analyze.Run(ctx, eng, analyze.Options{
				Paths:    []string{"-"},
				Location: loc,
				Workers:  1,
				Findings: true,
				Input: input.Options{
					Stdin:     bytes.NewReader(p.Text),
					ChunkSize: min(max(len(p.Text)+1, 4<<10), 1<<20),
					MaxLine:   64 << 10,
					Buffers:   2,
				},
				Now: func() time.Time { return receivedAt },
			}, analyze.Callbacks{
				Finding: func(f *finding.Finding) error {
					if len(a.Findings) == maxFindingsPerReport {
						return nil
					}
					f.File = escape.String(name) // a finding's texts are escaped; the name came from outside
					a.Findings = append(a.Findings, *f)
					return nil
				},
				Warning: func(w input.Warning) {
					a.Warnings = append(a.Warnings, name+": "+strings.TrimPrefix(w.String(), "(stdin): "))
				},
			})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for _, pc := range sum.TopTCPPorts {
				tcp[pc.Port] = true
			}
			for _, pc := range sum.TopUDPPorts {
				udp[pc.Port] = true
			}
			for _, ic := range sum.ICMPTypes {
				icmp[ic.Type] = true
			}
			for _, pc := range sum.CGIPaths {
				cgi[pc.Path] = true
			}
		}
		if len(a.Findings) == maxFindingsPerReport {
			a.Warnings = append(a.Warnings, fmt.Sprintf("more than %d findings; the first %d are kept", maxFindingsPerReport, maxFindingsPerReport))
		}
		a.TCPPorts, a.UDPPorts, a.ICMPTypes = sortedKeys(tcp), sortedKeys(udp), sortedKeys(icmp)
		a.CGIPaths = sortedKeys(cgi)
		a.Category, a.RSIT = suggest(a.Findings)
		a.Advisories = advisories(a.Findings)
		a.Observables = observables(c, a.Findings)
		a.Warnings = append(a.Warnings, c.Warnings...)
		return a, nil
	}
}

func sortedKeys[K int | string](m map[K]bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// suggest picks the category by precedence and the RSIT class of its first finding.
func suggest(fs []finding.Finding) (category, rsit string) {
	for _, cat := range categoryPrecedence {
		for _, f := range fs {
			if f.Category == cat {
				if f.RSIT != "" {
					return cat, f.RSIT
				}
				c, _ := taxonomy.CategoryByKey(cat)
				return cat, c.DefaultRSIT
			}
		}
	}
	other, _ := taxonomy.CategoryByKey(taxonomy.Other)
	return taxonomy.Other, other.DefaultRSIT
}

func advisories(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		for _, id := range f.Advisories {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// observables lists the addresses and ports the findings name and the hosts the reporter gave.
func observables(c report.Content, fs []finding.Finding) []report.Observable {
	var out []report.Observable
	index := map[report.Observable]int{}
	add := func(kind report.ObservableKind, value string) {
		if value == "" {
			return
		}
		key := report.Observable{Kind: kind, Value: value}
		if i, ok := index[key]; ok {
			out[i].Count++
			return
		}
		o := key
		o.Count = 1
		if kind == report.ObservableIP {
			o.Reserved = reservedAddr(value)
		}
		index[key] = len(out)
		out = append(out, o)
	}
	host := func(h string) {
		if addr, err := netip.ParseAddr(h); err == nil {
			add(report.ObservableIP, addr.String())
		} else if hostname.MatchString(h) {
			add(report.ObservableHostname, strings.ToLower(strings.TrimSuffix(h, ".")))
		}
	}
	for _, h := range c.SourceHosts {
		host(h)
	}
	for _, h := range c.AffectedHosts {
		host(h)
	}
	for _, f := range fs {
		add(report.ObservableIP, f.SourceIP)
		add(report.ObservableIP, f.DestinationIP)
		if f.DestinationPort > 0 {
			add(report.ObservablePort, fmt.Sprint(f.DestinationPort))
		}
	}
	return out
}

// hostname accepts DNS names as reporters write them; anything else in a host field is prose,
// not an observable.
var hostname = regexp.MustCompile(`^(?i)[a-z0-9_](?:[a-z0-9_-]{0,62}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}[a-z0-9])?)+\.?$`)

// reservedAddr reports whether an address identifies no one on the Internet: private,
// loopback, link-local, multicast, unspecified or documentation ranges.
func reservedAddr(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	if a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() || a.IsLinkLocalMulticast() {
		return true
	}
	for _, p := range documentation {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

var documentation = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("240.0.0.0/4"), netip.MustParsePrefix("198.18.0.0/15"),
}
