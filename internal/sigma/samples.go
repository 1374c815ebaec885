package sigma

import (
	"bytes"
	"strings"

	"github.com/keikai-project/keikai/internal/escape"
	"github.com/keikai-project/keikai/internal/event"
	"go.yaml.in/yaml/v3"
)

// Samples are example inputs a rule must and must not match; `keikai rules test` runs them.
type Samples struct {
	Match, NoMatch []Sample
}

// Sample is one example: log lines (Lines) or a host artifact's fields (Fields).
type Sample struct {
	Line   int      // line of the sample in the rule file
	Lines  [][]byte // decoded log lines, for log samples
	Fields map[event.Field]string
}

func parseSamples(n *yaml.Node, el *errorList) Samples {
	var s Samples
	if n.Kind != yaml.MappingNode {
		el.at(n, "samples must be a mapping with match and/or nomatch lists")
		return s
	}
	for _, p := range pairs(n) {
		k, v := p[0], p[1]
		switch k.Value {
		case "match":
			s.Match = parseSampleList(v, el)
		case "nomatch":
			s.NoMatch = parseSampleList(v, el)
		default:
			msg := "samples has match and nomatch lists only"
			if hint, ok := closest(k.Value, []string{"match", "nomatch"}); ok {
				msg = "unknown samples key " + k.Value + " (did you mean " + hint + "?)"
			}
			el.at(k, "%s", msg)
		}
	}
	return s
}

func parseSampleList(n *yaml.Node, el *errorList) []Sample {
	if n.Kind != yaml.SequenceNode {
		el.at(n, "a samples list must be a YAML list of log lines or field mappings")
		return nil
	}
	var out []Sample
	for _, it := range n.Content {
		it = resolve(it)
		if it == nil {
			continue
		}
		switch it.Kind {
		case yaml.ScalarNode:
			if smp, ok := parseLogSample(it, el); ok {
				out = append(out, smp)
			}
		case yaml.MappingNode:
			if smp, ok := parseHostSample(it, el); ok {
				out = append(out, smp)
			}
		default:
			el.at(it, "a sample is a string of log lines or a mapping of field names to values")
		}
	}
	return out
}

// parseLogSample splits the text on real newlines and decodes keikai's escapes in each line, so
// that bytes a YAML file cannot hold (NUL, invalid UTF-8) can still be written as \x00 and such.
func parseLogSample(n *yaml.Node, el *errorList) (Sample, bool) {
	text := strings.TrimSuffix(n.Value, "\n") // a literal block scalar ends in a newline
	if text == "" {
		el.at(n, "a log sample is empty")
		return Sample{}, false
	}
	smp := Sample{Line: n.Line}
	for i, line := range strings.Split(text, "\n") {
		b, err := escape.Unescape(line)
		if err != nil {
			el.atPos(n.Line+i, n.Column, "sample line %d: %v (write samples in single quotes so that backslashes stay as written)", i+1, err)
			return Sample{}, false
		}
		smp.Lines = append(smp.Lines, b)
	}
	return smp, true
}

func parseHostSample(n *yaml.Node, el *errorList) (Sample, bool) {
	smp := Sample{Line: n.Line, Fields: map[event.Field]string{}}
	ok := true
	for _, p := range pairs(n) {
		k, v := p[0], p[1]
		f, found := event.FieldByName(k.Value)
		if !found {
			el.at(k, "sample: unknown field %q; known fields: %s", k.Value, knownFieldNames())
			ok = false
			continue
		}
		if v.Kind != yaml.ScalarNode {
			el.at(v, "sample: field %s must have a plain value", k.Value)
			ok = false
			continue
		}
		smp.Fields[f] = v.Value
	}
	if len(smp.Fields) == 0 && ok {
		el.at(n, "a host sample needs at least one field")
		ok = false
	}
	return smp, ok
}

// parseFileForMatching is ParseFile for rules that are only matched: every rule's Samples,
// Description, References, FalsePositives, Author and License are left empty. It
// decodes the file with those top-level keys blanked out (see forMatching), and falls back to the
// whole file when that does not parse cleanly, so that a layout forMatching misreads costs time only.
// decode decodes the YAML (decodeDocuments, or a NodeCache's decode).
func parseFileForMatching(name string, data []byte, decode func([]byte) ([]*yaml.Node, error)) ([]*Rule, error) {
	if short, ok := forMatching(data); ok {
		if rules, err := parseFile(name, short, decode); err == nil {
			for _, r := range rules {
				clearProse(r) // a list at column 0 under a key (key:\n- x) stays
			}
			return rules, nil
		}
	}
	rules, err := parseFile(name, data, decode)
	for _, r := range rules {
		clearProse(r)
	}
	return rules, err
}

// clearProse empties what forMatching leaves out.
func clearProse(r *Rule) {
	r.Samples, r.Description, r.References, r.FalsePositives = Samples{}, "", nil, nil
	r.Author, r.License = "", ""
}

// forMatching returns data with the lines under each top-level key that matching does not use
// (those lines that are blank or start with a space or #) replaced by empty lines, so that the
// YAML decoder does not read them and every other node keeps its line and column. The key stays,
// without a value (null reads as empty), except samples:, which goes too (a null samples is an
// error). ok is false when there is nothing to remove, or a line under such a key starts with a
// tab (not YAML indentation; let the decoder judge it).
func forMatching(data []byte) (out []byte, ok bool) {
	in := false
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := off + end + 1
		if end < 0 {
			end, next = len(data)-off, len(data)
		}
		line := data[off : off+end]
		key, blank := proseKey(line)
		switch {
		case blank:
			if out == nil {
				out = append(make([]byte, 0, len(data)), data[:off]...)
			}
			in = true
			if key != "samples" {
				out = append(out, key...)
				out = append(out, ':')
			}
		case len(line) == 0 || line[0] == ' ' || line[0] == '#' || line[0] == '\r':
		case line[0] == '\t' && in:
			return nil, false
		default:
			in = false
		}
		switch {
		case in:
			if end < len(data)-off {
				out = append(out, '\n')
			}
		case out != nil:
			out = append(out, data[off:next]...)
		}
		off = next
	}
	return out, out != nil
}

// proseKeys are the top-level keys forMatching blanks: only rules show and rules test use them.
// modified: stays, because serve and import name the rule set by ID, title and modified date
// (rulesVersion), and both must name the same rules alike however they were loaded.
var proseKeys = []string{"samples", "description", "references", "falsepositives", "author", "license"}

// proseKey reports whether line starts a top-level key in proseKeys, and which.
func proseKey(line []byte) (string, bool) {
	if len(line) == 0 || line[0] < 'a' || line[0] > 's' {
		return "", false // most lines: indented, or another key
	}
	for _, k := range proseKeys {
		if len(line) > len(k) && line[len(k)] == ':' && string(line[:len(k)]) == k {
			if rest := line[len(k)+1:]; len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' {
				return k, true
			}
		}
	}
	return "", false
}
