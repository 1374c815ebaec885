package analyze

import (
	"sort"

	"github.com/keikai-project/keikai/internal/engine"
	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/event"
	"github.com/keikai-project/keikai/internal/input"
	"github.com/keikai-project/keikai/internal/portname"
	"github.com/keikai-project/keikai/internal/taxonomy"
)

// Summary is seed 002's view of the analysed logs: how much was read, what was found per
// category, and which ports, ICMP types, CGI programs and sources stand out.
type Summary struct {
	Files int `json:"files"`
	// Bytes is the size of the log text analysed: after decompression, and known for standard
	// input too.
	Bytes int64 `json:"bytes"`
	Lines int64 `json:"lines"`
	// Events counts lines per recognised format ("unknown" for the rest).
	Events map[string]int64 `json:"events"`
	// Findings is the number of findings; Categories splits it by category key.
	Findings    int64            `json:"findings"`
	Categories  map[string]int64 `json:"categories"`
	Rules       []RuleCount      `json:"rules"`
	TopTCPPorts []PortCount      `json:"top_tcp_ports"`
	TopUDPPorts []PortCount      `json:"top_udp_ports"`
	ICMPTypes   []ICMPCount      `json:"icmp_types"`
	CGIPaths    []PathCount      `json:"cgi_paths"`
	TopSources  []IPCount        `json:"top_sources"`
	// Approximate is true when a ranking outgrew its bounded counter, so its counts are upper
	// bounds (the top entries remain reliable).
	Approximate bool `json:"approximate,omitempty"`
	// CorrelationGroupsEvicted counts correlation groups dropped to bound memory before their
	// window passed; a non-zero value means a scan spread over very many sources may be missed.
	CorrelationGroupsEvicted int64 `json:"correlation_groups_evicted,omitempty"`
	// CorrelationBurstsCapped counts bursts that stopped counting distinct values at the
	// correlator's bounds (per burst, or over all open bursts together); their distinct counts
	// are lower bounds, and their findings say so.
	CorrelationBurstsCapped int64 `json:"correlation_bursts_capped,omitempty"`
	// UntimedCorrelationEvents counts events a correlation could not place in time.
	UntimedCorrelationEvents int64 `json:"untimed_correlation_events,omitempty"`
	// TimeDiscontinuities counts jumps back in time by more than a correlation window (logs of
	// an earlier period read after later ones); correlation windows restart at each.
	TimeDiscontinuities int64 `json:"time_discontinuities,omitempty"`
	Warnings            int   `json:"warnings"`
	// InputErrors counts inputs that could not be read completely.
	InputErrors int `json:"input_errors"`
}

// RuleCount is how many findings one rule produced.
type RuleCount struct {
	Rule     string `json:"rule"`
	Title    string `json:"title"`
	TitleJa  string `json:"title_ja,omitempty"`
	Category string `json:"category"`
	Count    int64  `json:"count"`
}

// PortCount is one port in a ranking.
type PortCount struct {
	Port    int    `json:"port"`
	Service string `json:"service,omitempty"`
	Count   int64  `json:"count"`
}

// ICMPCount is one ICMP type in a ranking.
type ICMPCount struct {
	Type  int    `json:"type"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// PathCount is one CGI path in a ranking; the path is escaped.
type PathCount struct {
	Path  string `json:"path"`
	Count int64  `json:"count"`
}

// IPCount is one source address in a ranking.
type IPCount struct {
	IP    string `json:"ip"`
	Count int64  `json:"count"`
}

type summaryBuilder struct {
	*Summary
	eng *engine.Engine
	top int
	// all is the workers' tallies merged.
	all *tally
}

func newSummary(eng *engine.Engine, sources []*input.Source, opts *Options) *summaryBuilder {
	s := &summaryBuilder{
		Summary: &Summary{Files: len(sources), Events: map[string]int64{}, Categories: map[string]int64{}},
		eng:     eng,
		top:     opts.Top,
		all:     newTally(len(eng.Rules)),
	}
	for _, c := range taxonomy.Categories() {
		s.Categories[c.Key] = 0
	}
	return s
}

func (s *summaryBuilder) add(t *tally) { s.all.merge(t) }

func (s *summaryBuilder) finish(seq *sequencer) {
	all := s.all
	s.Lines = all.lines
	s.Bytes = all.bytes
	for f, n := range all.formats {
		if n > 0 {
			s.Events[event.Format(f).String()] = n
		}
	}
	for i, n := range all.perRule {
		if n == 0 {
			continue
		}
		r := s.eng.Rules[i]
		s.Rules = append(s.Rules, RuleCount{Rule: r.Key(), Title: r.Title, TitleJa: r.TitleJa, Category: r.Category(), Count: n})
	}
	for i, n := range seq.bursts {
		if n == 0 {
			continue
		}
		r := s.eng.Correlations[i]
		s.Rules = append(s.Rules, RuleCount{Rule: r.Key(), Title: r.Title, TitleJa: r.TitleJa, Category: r.Category(), Count: n})
	}
	sort.SliceStable(s.Rules, func(i, j int) bool { return s.Rules[i].Count > s.Rules[j].Count })
	for _, rc := range s.Rules {
		s.Categories[rc.Category] += rc.Count
		s.Findings += rc.Count
	}
	if s.Rules == nil {
		s.Rules = []RuleCount{}
	}
	s.TopTCPPorts = topPorts(&all.tcp, "tcp", s.top)
	s.TopUDPPorts = topPorts(&all.udp, "udp", s.top)
	s.ICMPTypes = []ICMPCount{}
	for t, n := range all.icmp {
		if n > 0 {
			s.ICMPTypes = append(s.ICMPTypes, ICMPCount{Type: t, Name: portname.ICMPType(t), Count: n})
		}
	}
	sort.SliceStable(s.ICMPTypes, func(i, j int) bool { return s.ICMPTypes[i].Count > s.ICMPTypes[j].Count })
	s.CGIPaths = []PathCount{}
	for _, it := range all.cgi.Top(s.top) {
		s.CGIPaths = append(s.CGIPaths, PathCount{Path: escape.String(it.Key), Count: it.Count})
	}
	s.TopSources = []IPCount{}
	for _, it := range seq.sources.Top(s.top) {
		s.TopSources = append(s.TopSources, IPCount{IP: escape.String(it.Key), Count: it.Count})
	}
	s.Approximate = all.cgi.Approximate() || seq.sources.Approximate()
	s.CorrelationGroupsEvicted = seq.stats.Evicted
	s.CorrelationBurstsCapped = seq.stats.Capped
	s.UntimedCorrelationEvents = seq.stats.Untimed
	s.TimeDiscontinuities = seq.stats.Discontinuities
}

func topPorts(counts *portCounts, proto string, n int) []PortCount {
	out := []PortCount{}
	counts.counted(func(p int, c int64) {
		out = append(out, PortCount{Port: p, Service: portname.Port(proto, p), Count: c})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
