package incident

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/report"
)

// Summary is what grouping needs to know of one report.
type Summary struct {
	ReportID int64
	Tracking string
	// Sources are the attacking addresses the report names: the source addresses of its
	// findings and the source hosts the reporter gave. Addresses in special ranges identify no one
	// and are left out.
	Sources []netip.Addr
	// Rules are the IDs of the rules that matched.
	Rules []string
	// First and Last bound the activity the report shows (its log times; the receipt time when it
	// has none).
	First, Last time.Time
	// Incident is the incident the report belongs to; 0 for none.
	Incident int64
}

// SummaryOf derives the summary of a stored report from its analysis; a report not yet analysed
// has only its receipt time.
func SummaryOf(r report.Report, incident int64) Summary {
	s := Summary{ReportID: r.ID, Tracking: r.Tracking, Incident: incident}
	var times []time.Time
	addSource := func(v string) {
		ip, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil || !public(ip) {
			return
		}
		ip = ip.Unmap().WithZone("")
		if !slices.Contains(s.Sources, ip) {
			s.Sources = append(s.Sources, ip)
		}
	}
	addTime := func(v string) {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			times = append(times, t.UTC())
		}
	}
	if a := r.Analysis; a != nil {
		for _, h := range a.Content.SourceHosts {
			addSource(h)
		}
		for _, f := range a.Findings {
			addSource(f.SourceIP)
			if f.Rule != "" && !slices.Contains(s.Rules, f.Rule) {
				s.Rules = append(s.Rules, f.Rule)
			}
			addTime(f.Time)
			if c := f.Correlation; c != nil {
				addTime(c.First)
				addTime(c.Last)
			}
		}
	}
	if len(times) == 0 {
		times = append(times, r.ReceivedAt.UTC())
	}
	s.First, s.Last = slices.MinFunc(times, time.Time.Compare), slices.MaxFunc(times, time.Time.Compare)
	slices.SortFunc(s.Sources, netip.Addr.Compare)
	slices.Sort(s.Rules)
	return s
}

// public reports whether an address can identify an attacker on the Internet. The
// documentation ranges stay: they are the addresses of every example, test and demonstration.
func public(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && ip.IsGlobalUnicast() && !ip.IsPrivate()
}

// ReasonKind says what reports of a suggestion have in common.
type ReasonKind string

const (
	ReasonSource  ReasonKind = "source"  // the same source address
	ReasonNetwork ReasonKind = "network" // sources in the same /24 (IPv4) or /48 (IPv6)
	ReasonRule    ReasonKind = "rule"    // the same detection rule matched
)

// Reason is one thing the reports of a suggestion share, in both languages.
type Reason struct {
	Kind  ReasonKind
	Value string // the address, network or rule ID
	En    string
	Ja    string
}

// Suggestion is a group of reports keikai proposes to handle as one incident.
type Suggestion struct {
	// Reports are the report IDs, ascending.
	Reports []int64
	// Incident is the incident that some of them already belong to (accepting the suggestion adds
	// the others to it); 0 when none does.
	Incident int64
	// First and Last bound the activity of the group.
	First, Last time.Time
	Reasons     []Reason
}

// Options tune Suggest.
type Options struct {
	// Slack is how far apart two reports' activity may be and still count as overlapping: attacks
	// are reported hours or days after the logs show them. 0 means 24 hours; a negative value
	// asks for a real overlap.
	Slack time.Duration
}

// Suggest proposes groups of reports: for each source address, network (/24 IPv4, /48 IPv6) and
// rule, the reports that share it and whose times overlap (within Options.Slack) form a group.
// A group is suggested when it holds at least two reports and is not already one incident (its
// reports span at most one incident and at least one report is in none). Groups of the same
// reports are one suggestion with every reason. The result depends only on the summaries, not on
// their order: suggestions come strongest first (a shared source, then a network, then a rule;
// more reports first; then by first report ID).
func Suggest(reports []Summary, o Options) []Suggestion {
	slack := o.Slack
	if slack == 0 {
		slack = 24 * time.Hour
	} else if slack < 0 {
		slack = 0
	}
	byID := map[int64]Summary{}
	for _, r := range reports {
		byID[r.ReportID] = r
	}
	type key struct {
		kind  ReasonKind
		value string
	}
	members := map[key][]int64{}
	for _, r := range byID {
		seen := map[key]bool{}
		add := func(k key) {
			if !seen[k] {
				seen[k] = true
				members[k] = append(members[k], r.ReportID)
			}
		}
		for _, ip := range r.Sources {
			add(key{ReasonSource, ip.String()})
			add(key{ReasonNetwork, Network(ip).String()})
		}
		for _, rule := range r.Rules {
			add(key{ReasonRule, rule})
		}
	}
	keys := make([]key, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(kindRank(a.kind), kindRank(b.kind)), strings.Compare(a.value, b.value))
	})
	bySet := map[string]*Suggestion{}
	var order []string
	for _, k := range keys {
		for _, group := range overlapping(members[k], byID, slack) {
			s, ok := suggestion(group, byID)
			if !ok {
				continue
			}
			id := fmt.Sprint(s.Reports)
			if prev, ok := bySet[id]; ok {
				s = *prev
			} else {
				order = append(order, id)
			}
			s.Reasons = append(s.Reasons, reason(k.kind, k.value, len(group)))
			bySet[id] = &s
		}
	}
	out := make([]Suggestion, 0, len(order))
	for _, id := range order {
		s := bySet[id]
		// A network that holds one address says nothing the address does not.
		s.Reasons = slices.DeleteFunc(s.Reasons, func(r Reason) bool {
			return r.Kind == ReasonNetwork && slices.ContainsFunc(s.Reasons, func(o Reason) bool {
				return o.Kind == ReasonSource && r.Value == networkOf(o.Value)
			})
		})
		out = append(out, *s)
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int {
		return cmp.Or(cmp.Compare(kindRank(a.Reasons[0].Kind), kindRank(b.Reasons[0].Kind)),
			cmp.Compare(len(b.Reports), len(a.Reports)), cmp.Compare(a.Reports[0], b.Reports[0]))
	})
	return out
}

func kindRank(k ReasonKind) int {
	switch k {
	case ReasonSource:
		return 0
	case ReasonNetwork:
		return 1
	}
	return 2
}

// networkOf is the network of address a, as text.
func networkOf(a string) string {
	ip, err := netip.ParseAddr(a)
	if err != nil {
		return a
	}
	return Network(ip).String()
}

// Network is the network an address is grouped by: its /24 for IPv4, its /48 for IPv6.
func Network(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := 48
	if ip.Is4() {
		bits = 24
	}
	p, _ := ip.Prefix(bits)
	return p
}

// overlapping splits reports into chains whose times overlap (each report's window, widened by
// slack, meets the chain's), ordered by time then ID.
func overlapping(ids []int64, byID map[int64]Summary, slack time.Duration) [][]int64 {
	sorted := slices.Clone(ids)
	slices.SortFunc(sorted, func(a, b int64) int {
		return cmp.Or(byID[a].First.Compare(byID[b].First), cmp.Compare(a, b))
	})
	var groups [][]int64
	var end time.Time
	for i, id := range sorted {
		r := byID[id]
		if i == 0 || r.First.After(end.Add(slack)) {
			groups = append(groups, nil)
			end = r.Last
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], id)
		if r.Last.After(end) {
			end = r.Last
		}
	}
	return groups
}

// suggestion makes a group into a suggestion, unless it is no news: fewer than two reports, all
// in incidents already, or spread over several incidents (a merge is the analyst's call).
func suggestion(group []int64, byID map[int64]Summary) (Suggestion, bool) {
	if len(group) < 2 {
		return Suggestion{}, false
	}
	s := Suggestion{Reports: slices.Sorted(slices.Values(group))}
	free := false
	for i, id := range s.Reports {
		r := byID[id]
		if i == 0 || r.First.Before(s.First) {
			s.First = r.First
		}
		if r.Last.After(s.Last) {
			s.Last = r.Last
		}
		switch {
		case r.Incident == 0:
			free = true
		case s.Incident == 0:
			s.Incident = r.Incident
		case s.Incident != r.Incident:
			return Suggestion{}, false
		}
	}
	return s, free
}

func reason(kind ReasonKind, value string, n int) Reason {
	r := Reason{Kind: kind, Value: value}
	switch kind {
	case ReasonSource:
		r.En = fmt.Sprintf("%d reports name the source address %s at overlapping times", n, value)
		r.Ja = fmt.Sprintf("%d 件の報告が、重なる時間帯に送信元アドレス %s を挙げています", n, value)
	case ReasonNetwork:
		r.En = fmt.Sprintf("%d reports name sources in the network %s at overlapping times", n, value)
		r.Ja = fmt.Sprintf("%d 件の報告が、重なる時間帯に同じネットワーク %s の送信元を挙げています", n, value)
	default:
		r.En = fmt.Sprintf("%d reports matched the rule %s at overlapping times", n, value)
		r.Ja = fmt.Sprintf("%d 件の報告が、重なる時間帯にルール %s に該当しました", n, value)
	}
	return r
}
