// Package finding defines what keikai reports: a rule that matched an event, or a correlation that
// fired over many events, with everything a person needs to act on it. `keikai analyze` and
// `keikai check` produce the same type, so every output format and every consumer reads one shape.
package finding

// Finding is one reported match. Fields that are unknown are left empty and omitted from JSON.
// Every text that came from input (excerpt, artifact, values) is already escaped.
type Finding struct {
	Rule  string `json:"rule"`
	Title string `json:"title"`
	// TitleJa is the title in Japanese, when the rule gives one.
	TitleJa    string   `json:"title_ja,omitempty"`
	Level      string   `json:"level"`
	Category   string   `json:"category"`
	RSIT       string   `json:"rsit"`
	Advisories []string `json:"advisories"`

	File string `json:"file,omitempty"`
	Line int64  `json:"line,omitempty"`
	// Time is RFC 3339; with a numeric offset when the log stated one or a zone was applied.
	Time string `json:"time,omitempty"`

	SourceIP        string `json:"source_ip,omitempty"`
	DestinationIP   string `json:"destination_ip,omitempty"`
	DestinationPort int    `json:"destination_port,omitempty"`
	Protocol        string `json:"protocol,omitempty"`

	Excerpt string `json:"excerpt,omitempty"`
	// ExcerptJa is the excerpt in Japanese where keikai wrote it (a host artifact's description);
	// a log line has none.
	ExcerptJa string `json:"excerpt_ja,omitempty"`

	// Correlation is set on findings of correlation rules (scans, sweeps, floods).
	Correlation *Aggregate `json:"correlation,omitempty"`

	// Artifact is the path, socket, process or package that a host check matched.
	Artifact string `json:"artifact,omitempty"`
	// Countermeasures are the steps of the finding's advisories, in the advisories' order.
	Countermeasures []Text `json:"countermeasures,omitempty"`
}

// Text is prose that keikai shows in Japanese and English.
type Text struct {
	Ja string `json:"ja"`
	En string `json:"en"`
}

// Aggregate describes a burst of events that a correlation rule counted.
type Aggregate struct {
	Type    string            `json:"type"`
	GroupBy map[string]string `json:"group_by"`
	// Events is the number of matching events in the burst.
	Events int64 `json:"events"`
	// Field and Distinct are set for value_count: how many distinct values of Field were seen.
	Field    string `json:"field,omitempty"`
	Distinct int64  `json:"distinct,omitempty"`
	// DistinctCapped is true when more distinct values occurred than keikai keeps per group, so
	// Distinct is a lower bound.
	DistinctCapped bool `json:"distinct_capped,omitempty"`
	// Values are the first distinct values seen, as a sample.
	Values    []string `json:"values,omitempty"`
	First     string   `json:"first,omitempty"`
	Last      string   `json:"last,omitempty"`
	FirstLine string   `json:"first_line,omitempty"`
	LastLine  string   `json:"last_line,omitempty"`
	Timespan  string   `json:"timespan"`
}
