// Package activity is the statistics of one period: what JPCERT/CC's activity report (seed
// JPCERT-PR-2000-0003) publishes. The store computes a Stats from indexed report rows; this package
// renders it. Counts are counts of reports, not of attacks, and every rendering says so.
package activity

import "time"

// Stats is the activity of one period. From is inclusive, To exclusive (both UTC midnights in
// the usual case), so periods tile without overlap.
type Stats struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Total is the number of reports received in the period.
	Total int64 `json:"total"`
	// Categories counts reports per category key, every key present (zeros included).
	Categories map[string]int64 `json:"categories"`
	// Decided is how many of the counted reports carry an analyst's decision rather than only
	// keikai's suggestion.
	Decided int64 `json:"decided"`
	// Rankings count reports, not packets: a report that shows port 111 probed a thousand times
	// counts once for 111.
	TopTCPPorts []PortCount `json:"top_tcp_ports"`
	TopUDPPorts []PortCount `json:"top_udp_ports"`
	ICMPTypes   []ICMPCount `json:"icmp_types"`
	CGIPaths    []PathCount `json:"cgi_paths"`
	// Causes are the advisories and rules matched by intrusion reports, most frequent first.
	Causes []CauseCount `json:"causes"`
	// Previous is the period of the same length just before, for the change; nil when not asked.
	Previous *Stats `json:"previous,omitempty"`
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

// PathCount is one CGI path in a ranking.
type PathCount struct {
	Path  string `json:"path"`
	Count int64  `json:"count"`
}

// CauseCount is one advisory or rule named by intrusion reports.
type CauseCount struct {
	Advisory string `json:"advisory,omitempty"`
	Rule     string `json:"rule,omitempty"`
	Title    string `json:"title"`
	TitleJa  string `json:"title_ja,omitempty"`
	Count    int64  `json:"count"`
}
