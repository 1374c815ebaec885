package output

import (
	"encoding/json"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/keikai-project/keikai/internal/finding"
)

// sarifWriter writes one SARIF 2.1.0 log with one run. Results stream; the rules they refer to are
// collected as they appear and written after the results (JSON objects are unordered, so the
// driver may follow the results).
type sarifWriter struct {
	w       io.Writer
	opts    Options
	n       int
	rules   []sarifRule
	ruleIdx map[string]int
	texts   ruleCache
	// results are the encoded parts of results that depend on the rule alone.
	results map[*ruleTexts]*sarifResultTexts
	// lastFile and lastURI spare fileURI for the findings of one file, which come together.
	lastFile, lastURI string
	buf               []byte
}

// sarifResultTexts are a rule's part of its results: from '{' to the message, and the encoded
// values of the properties that come from the rule.
type sarifResultTexts struct {
	head, category, level []byte
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifText      `json:"shortDescription"`
	DefaultConfig    map[string]any `json:"defaultConfiguration"`
	Properties       map[string]any `json:"properties"`
}

// sarifLevel maps Sigma's levels onto SARIF's three.
func sarifLevel(level string) string {
	switch level {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// fileURI makes a finding's file a URI reference: relative paths stay relative (to the directory
// keikai ran in), absolute ones become file URIs.
func fileURI(p string) string {
	u := &url.URL{Path: p}
	if path.IsAbs(p) {
		return "file://" + u.EscapedPath()
	}
	return strings.TrimPrefix(u.String(), "./")
}

func (s *sarifWriter) start() error {
	if s.ruleIdx != nil {
		return nil
	}
	s.ruleIdx = map[string]int{}
	_, err := io.WriteString(s.w, `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"results":[`)
	return err
}

func (s *sarifWriter) Finding(raw *finding.Finding) error {
	if s.opts.SummaryOnly {
		return nil
	}
	if err := s.start(); err != nil {
		return err
	}
	rt := s.texts.texts(raw)
	r := s.results[rt]
	if r == nil {
		r = s.resultTexts(rt)
	}
	b := s.buf[:0]
	if s.n > 0 {
		b = append(b, ',')
	}
	b = append(b, r.head...)
	switch f := raw; {
	case f.File != "":
		if f.File != s.lastFile {
			s.lastFile, s.lastURI = f.File, fileURI(f.File)
		}
		b = append(b, `,"locations":[{"physicalLocation":{"artifactLocation":{"uri":`...)
		b = appendJSONString(b, s.lastURI)
		b = append(b, '}')
		if f.Line > 0 {
			b = append(b, `,"region":{"startLine":`...)
			b = strconv.AppendInt(b, f.Line, 10)
			b = append(b, '}')
		}
		b = append(b, "}}]"...)
	case f.Artifact != "":
		b = append(b, `,"locations":[{"logicalLocations":[{"fullyQualifiedName":`...)
		b = appendJSONString(b, f.Artifact)
		b = append(b, `,"kind":"resource"}]}]`...)
	}
	// The properties in the order encoding/json gives a map: by key.
	b = appendJSONField(append(b, `,"properties":{`...), `"artifact":`, raw.Artifact)
	if raw.Artifact != "" {
		b = append(b, ',')
	}
	b = append(append(b, `"category":`...), r.category...)
	if raw.Correlation != nil {
		c, err := json.Marshal(raw.Correlation)
		if err != nil {
			return err
		}
		b = append(append(b, `,"correlation":`...), c...)
	}
	b = appendJSONField(b, `,"destination_ip":`, raw.DestinationIP)
	if raw.DestinationPort > 0 {
		b = append(b, `,"destination_port":`...)
		b = strconv.AppendInt(b, int64(raw.DestinationPort), 10)
	}
	b = appendJSONField(b, `,"excerpt":`, raw.Excerpt)
	b = append(append(b, `,"keikai_level":`...), r.level...)
	b = appendJSONField(b, `,"protocol":`, raw.Protocol)
	b = appendJSONField(b, `,"source_ip":`, raw.SourceIP)
	b = appendJSONField(b, `,"time":`, raw.Time)
	b = append(b, "}}\n"...)
	s.buf = b
	s.n++
	_, err := s.w.Write(b)
	return err
}

// resultTexts registers the rule of rt in the run, when it is new, and encodes its part of a
// result.
func (s *sarifWriter) resultTexts(rt *ruleTexts) *sarifResultTexts {
	f := rt.escaped
	idx, ok := s.ruleIdx[f.Rule]
	if !ok {
		idx = len(s.rules)
		s.ruleIdx[f.Rule] = idx
		props := map[string]any{"category": f.Category, "rsit": f.RSIT, "advisories": f.Advisories}
		if f.TitleJa != "" {
			props["title_ja"] = f.TitleJa
		}
		s.rules = append(s.rules, sarifRule{
			ID: f.Rule, Name: rt.slug, ShortDescription: sarifText{f.Title},
			DefaultConfig: map[string]any{"level": sarifLevel(f.Level)}, Properties: props,
		})
	}
	head := appendJSONString([]byte(`{"ruleId":`), f.Rule)
	head = strconv.AppendInt(append(head, `,"ruleIndex":`...), int64(idx), 10)
	head = appendJSONString(append(head, `,"level":`...), sarifLevel(f.Level))
	head = append(appendJSONString(append(head, `,"message":{"text":`...), f.Title), '}')
	r := &sarifResultTexts{head: head, category: appendJSONString(nil, f.Category), level: appendJSONString(nil, f.Level)}
	if s.results == nil {
		s.results = map[*ruleTexts]*sarifResultTexts{}
	}
	s.results[rt] = r
	return r
}

func (s *sarifWriter) Finish(summary any, _ func(io.Writer) error) error {
	if err := s.start(); err != nil {
		return err
	}
	version := s.opts.Version
	if version == "" {
		version = "(devel)"
	}
	rules := s.rules
	if rules == nil {
		rules = []sarifRule{}
	}
	tail := map[string]any{
		"tool": map[string]any{"driver": map[string]any{
			"name": "keikai", "version": version, "informationUri": "https://github.com/keikai-project/keikai",
			"rules": rules,
		}},
		"columnKind": "unicodeCodePoints",
		"properties": map[string]any{"summary": summary},
	}
	b, err := json.Marshal(tail)
	if err != nil {
		return err
	}
	// b is {"columnKind":...}: its members continue the run object opened in start.
	if _, err := io.WriteString(s.w, "],"); err != nil {
		return err
	}
	if _, err := s.w.Write(b[1:]); err != nil {
		return err
	}
	_, err = io.WriteString(s.w, "]}\n")
	return err
}
