// Package output renders findings and summaries for people (text, grouped) and for programs
// (json, ndjson, sarif, csv). The machine formats stream: a finding is written when it is
// produced, so memory does not grow with the number of findings, and a JSON or SARIF document is
// still a single well-formed object. Text groups repeated findings and so holds one finding per
// group until the end.
package output

import (
	"fmt"
	"io"

	"github.com/keikai-project/keikai/internal/finding"
)

// Format is an output format name.
type Format string

const (
	Text   Format = "text"
	JSON   Format = "json"
	NDJSON Format = "ndjson"
	SARIF  Format = "sarif"
	CSV    Format = "csv"
)

// Formats are the names --format accepts, in the order help lists them.
var Formats = []Format{Text, JSON, NDJSON, SARIF, CSV}

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: use text, json, ndjson, sarif or csv", s)
}

// Options tune the formats.
type Options struct {
	// Color adds ANSI colours to levels in text; only set it for a terminal that wants colour.
	Color bool
	// Lang is "ja" or "en": the language of prose (levels, category names, countermeasures).
	Lang string
	// SummaryOnly leaves findings out (--summary).
	SummaryOnly bool
	// Version is keikai's version, named as the tool in SARIF.
	Version string
	// Top is how many groups of one rule the text report lists (--top); the rest are folded into
	// one line. Zero means DefaultTop.
	Top int
}

// DefaultTop is the number of groups per rule the text report lists unless told otherwise.
const DefaultTop = 20

// Writer receives findings one at a time and the summary at the end.
type Writer interface {
	Finding(*finding.Finding) error
	// Finish writes the summary: text renders it with textSummary, json and ndjson encode
	// summary, sarif records it as the run's properties, csv has no place for it.
	Finish(summary any, textSummary func(io.Writer) error) error
}

// New returns a writer of format f on w.
func New(f Format, w io.Writer, opts Options) Writer {
	if opts.Lang == "" {
		opts.Lang = "en"
	}
	if opts.Top <= 0 {
		opts.Top = DefaultTop
	}
	switch f {
	case JSON:
		return &jsonWriter{w: w, summaryOnly: opts.SummaryOnly, rules: ruleCache{}}
	case NDJSON:
		return &ndjsonWriter{w: w, summaryOnly: opts.SummaryOnly, rules: ruleCache{}}
	case SARIF:
		return &sarifWriter{w: w, opts: opts, texts: ruleCache{}}
	case CSV:
		return newCSVWriter(w)
	}
	return &textWriter{w: w, opts: opts}
}
