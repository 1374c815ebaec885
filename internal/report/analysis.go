package report

import (
	"time"

	"github.com/keikai-project/keikai/internal/finding"
)

// Analysis is what keikai concluded from a report's content. It can always be computed again
// from the raw submission (keikai report reanalyse), so it is stored beside the raw bytes, never
// instead of them.
type Analysis struct {
	AnalysedAt time.Time
	// RulesVersion identifies the rule set that produced the findings.
	RulesVersion string
	Content      Content
	Findings     []finding.Finding
	// Category and RSIT are keikai's suggestion; an analyst's decision (incidents issue) is kept
	// beside it, never over it.
	Category string
	RSIT     string
	// Advisories are the advisory IDs that the findings point to, deduplicated, in order.
	Advisories  []string
	Observables []Observable
	// Counts feed the activity report: what this report shows being probed.
	TCPPorts  []int
	UDPPorts  []int
	ICMPTypes []int
	CGIPaths  []string
	Warnings  []string
}

// Observable is one indicator found in a report.
type Observable struct {
	Kind  ObservableKind `json:"kind"`
	Value string         `json:"value"`
	// Reserved is set for addresses in private, loopback, documentation or other special ranges:
	// they identify no one on the Internet and are never forwarded as a source.
	Reserved bool `json:"reserved,omitempty"`
	// Count is how many times the value occurred.
	Count int `json:"count"`
}

// ObservableKind names the kind of an observable.
type ObservableKind string

const (
	ObservableIP       ObservableKind = "ip"
	ObservablePort     ObservableKind = "port"
	ObservableHostname ObservableKind = "hostname"
	ObservableURL      ObservableKind = "url"
	ObservableEmail    ObservableKind = "email"
	ObservableTime     ObservableKind = "time" // normalised to UTC, RFC 3339
)

// State is where a report is in intake.
type State string

const (
	StateReceived State = "received" // committed, waiting for analysis
	StateAnalysed State = "analysed"
	StateFailed   State = "failed" // analysis failed repeatedly; the raw submission is intact
)

// Report is a stored report: the submission's metadata, its state, and the latest analysis.
type Report struct {
	ID         int64
	Tracking   string
	Channel    Channel
	ReceivedAt time.Time
	State      State
	MessageID  string
	Size       int64
	// Analysis is nil until the report has been analysed.
	Analysis *Analysis
}
