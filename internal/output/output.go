// Package output renders findings and summaries for people (text) and for programs (json,
// ndjson). Writers stream: a finding is written when it is produced, so memory does not grow with
// the number of findings, and a JSON document is still a single well-formed object.
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
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Text, JSON, NDJSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use text, json or ndjson", s)
}

// Options tune the text format; the machine formats ignore them.
type Options struct {
	// Color adds ANSI colours to levels; only set it for a terminal without NO_COLOR.
	Color bool
	// Lang is "ja" or "en": the language of prose (category names, countermeasures).
	Lang string
	// SummaryOnly leaves findings out (--summary).
	SummaryOnly bool
}

// Writer receives findings one at a time and the summary at the end.
type Writer interface {
	Finding(*finding.Finding) error
	// Finish writes the summary: text renders it with textSummary, the machine formats encode
	// summary as JSON.
	Finish(summary any, textSummary func(io.Writer) error) error
}

// New returns a writer of format f on w.
func New(f Format, w io.Writer, opts Options) Writer {
	switch f {
	case JSON:
		return &jsonWriter{w: w, summaryOnly: opts.SummaryOnly}
	case NDJSON:
		return &ndjsonWriter{w: w, summaryOnly: opts.SummaryOnly}
	}
	if opts.Lang == "" {
		opts.Lang = "en"
	}
	return &textWriter{w: w, opts: opts}
}
