package output

import (
	"encoding/json"
	"io"
	"net/url"
	"path"
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

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	Physical *sarifPhysical `json:"physicalLocation,omitempty"`
	Logical  []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	Artifact struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region *struct {
		StartLine int64 `json:"startLine"`
	} `json:"region,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
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
	f := withRuleTextsEscaped(raw)
	idx, ok := s.ruleIdx[f.Rule]
	if !ok {
		idx = len(s.rules)
		s.ruleIdx[f.Rule] = idx
		props := map[string]any{"category": f.Category, "rsit": f.RSIT, "advisories": f.Advisories}
		if f.TitleJa != "" {
			props["title_ja"] = f.TitleJa
		}
		s.rules = append(s.rules, sarifRule{
			ID: f.Rule, Name: Slug(raw.Title), ShortDescription: sarifText{f.Title},
			DefaultConfig: map[string]any{"level": sarifLevel(f.Level)}, Properties: props,
		})
	}
	r := sarifResult{RuleID: f.Rule, RuleIndex: idx, Level: sarifLevel(f.Level), Message: sarifText{f.Title}}
	if f.File != "" {
		p := &sarifPhysical{}
		p.Artifact.URI = fileURI(f.File)
		if f.Line > 0 {
			p.Region = &struct {
				StartLine int64 `json:"startLine"`
			}{f.Line}
		}
		r.Locations = []sarifLocation{{Physical: p}}
	} else if f.Artifact != "" {
		r.Locations = []sarifLocation{{Logical: []sarifLogical{{FullyQualifiedName: f.Artifact, Kind: "resource"}}}}
	}
	props := map[string]any{"keikai_level": f.Level, "category": f.Category}
	for k, v := range map[string]string{"time": f.Time, "source_ip": f.SourceIP, "destination_ip": f.DestinationIP, "protocol": f.Protocol, "excerpt": f.Excerpt, "artifact": f.Artifact} {
		if v != "" {
			props[k] = v
		}
	}
	if f.DestinationPort > 0 {
		props["destination_port"] = f.DestinationPort
	}
	if f.Correlation != nil {
		props["correlation"] = f.Correlation
	}
	r.Properties = props
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if s.n > 0 {
		b = append([]byte{','}, b...)
	}
	s.n++
	b = append(b, '\n')
	_, err = s.w.Write(b)
	return err
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
